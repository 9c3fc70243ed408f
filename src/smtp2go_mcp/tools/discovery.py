"""With --dynamic-toolsets: list the toolsets and switch them on (the rest of the tools start hidden)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from smtp2go_mcp.envelope import NoArguments, ToolInput, ToolOutput
from smtp2go_mcp.registry import tool
from smtp2go_mcp.toolsets import DISCOVERY, TOOLSETS, DynamicToolsets, UnknownToolset

# Every toolset there is; the settings may leave some empty, which the call then refuses by name.
ToolsetName = Literal[tuple(TOOLSETS)]  # type: ignore[valid-type]


class ToolsetView(BaseModel):
    name: str
    description: str
    enabled: bool
    tools: list[str]


class ToolsetsOutput(ToolOutput):
    toolsets: list[ToolsetView]
    enabled_now: list[str] = Field(default_factory=list, description="Switched on by this call.")

    failure_defaults: ClassVar[dict[str, Any]] = {"toolsets": []}


def _views(toolsets: DynamicToolsets[Any]) -> list[ToolsetView]:
    return [ToolsetView(name=name, description=TOOLSETS[name], enabled=name in toolsets.enabled,
                        tools=[t.name for t in members])
            for name, members in toolsets.toolsets().items()]


def _not_dynamic() -> ToolsetsOutput:
    return ToolsetsOutput.failure("not_dynamic", "This server was not started with --dynamic-toolsets: "
                                  "all of its tools are already offered.")


async def _list(args: NoArguments, ctx: Any) -> ToolsetsOutput:
    toolsets = ctx.runtime.toolsets
    if toolsets is None:
        return _not_dynamic()
    return ToolsetsOutput(successful=True, error=None, error_code=None, toolsets=_views(toolsets))


class EnableInput(ToolInput):
    toolsets: list[ToolsetName] = Field(min_length=1, max_length=len(TOOLSETS),
                                        description="e.g. ['templates'].")


async def _enable(args: EnableInput, ctx: Any) -> ToolsetsOutput:
    toolsets = ctx.runtime.toolsets
    if toolsets is None:
        return _not_dynamic()
    try:
        added = toolsets.enable(args.toolsets)
    except UnknownToolset as exc:
        return ToolsetsOutput.failure("invalid_arguments", f"Invalid arguments for TOOLSETS_ENABLE: {exc}.")
    return ToolsetsOutput(successful=True, error=None, error_code=None, toolsets=_views(toolsets), enabled_now=added)


tool(
    "TOOLSETS_LIST", toolset=DISCOVERY, kind="read", title="List toolsets", open_world=False,
    description="List this server's toolsets, what each is for, its tools and whether it is on. Most tools "
    "start hidden: switch on the toolsets a task needs with TOOLSETS_ENABLE.",
    input=NoArguments, output=ToolsetsOutput, run=_list,
)
tool(
    "TOOLSETS_ENABLE", toolset=DISCOVERY, kind="update", title="Enable toolsets", open_world=False,
    description="Switch toolsets on: their tools are added to this server's tool list (the client is told "
    "the list changed).",
    input=EnableInput, output=ToolsetsOutput, run=_enable,
)
