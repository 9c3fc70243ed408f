"""The tool registry: one declaration per tool, and nothing else to edit.

A declaration carries everything the server, the manifests and the README need:
name, toolset, title, description, input and output models, behaviour hints and
the coroutine that runs it. `api_tool` declares the common case (one SMTP2GO
endpoint); anything else declares a `ToolSpec` with its own `run`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from smtp2go_mcp.envelope import ApiOutput, SendApiOutput, ToolInput, ToolOutput, api_output_model
from smtp2go_mcp.schema import model_schema

if TYPE_CHECKING:
    from smtp2go_mcp.runtime import ToolContext


@dataclass(frozen=True)
class Hints:
    """MCP tool annotations, in the spec's terms."""

    read_only: bool
    destructive: bool
    idempotent: bool
    open_world: bool = True

    def annotations(self) -> dict[str, bool]:
        """The hints as published: only those that differ from the spec's defaults.

        The spec defines a missing hint (readOnly false, destructive true, idempotent false,
        openWorld true), and destructive and idempotent mean nothing on a read-only tool, so
        spelling those out would cost every tool context for no information. The display title
        is the tool's own `title`, not repeated here.
        """
        hints = {"readOnlyHint": self.read_only, "openWorldHint": self.open_world}
        if not self.read_only:
            hints |= {"destructiveHint": self.destructive, "idempotentHint": self.idempotent}
        return {name: value for name, value in hints.items() if value != _HINT_DEFAULTS[name]}


_HINT_DEFAULTS = {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": False, "openWorldHint": True}


# What a tool does to the account decides its hints; a declaration names the kind.
KINDS: dict[str, Hints] = {
    "read": Hints(read_only=True, destructive=False, idempotent=True),
    "create": Hints(read_only=False, destructive=False, idempotent=False),
    "update": Hints(read_only=False, destructive=False, idempotent=True),  # changes only the given fields
    "replace": Hints(read_only=False, destructive=True, idempotent=True),  # overwrites what was there
    "remove": Hints(read_only=False, destructive=True, idempotent=True),
    "send": Hints(read_only=False, destructive=False, idempotent=False),
}

Run = Callable[[Any, "ToolContext"], Awaitable[ToolOutput]]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    toolset: str
    title: str
    description: str
    input_model: type[ToolInput]
    output_model: type[ToolOutput]
    kind: str  # a key of KINDS: what the tool does to the account
    run: Run
    endpoint: str | None = None  # the SMTP2GO endpoint behind it, for docs
    open_world: bool = True  # False: the tool only touches this server's own local state
    # For send tools: the messages a call would send (for the send policy and the duplicate guard).
    outgoing: Callable[[Any, "ToolContext"], Awaitable[list[Any]]] | None = None
    module: str = ""  # the module that declares it, imported on the tool's first call (see catalog.py)

    @property
    def hints(self) -> Hints:
        return replace(KINDS[self.kind], open_world=self.open_world)

    def spec(self) -> "ToolSpec":
        """Itself (a catalog entry resolves to its spec the same way)."""
        return self

    @cached_property
    def wire(self) -> dict[str, Any]:
        """The tool object exactly as `tools/list` serves it (camelCase, stable key order)."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "inputSchema": model_schema(self.input_model),
            "outputSchema": model_schema(self.output_model, mode="serialization"),
            "annotations": self.hints.annotations(),
        }

    @cached_property
    def wire_size(self) -> int:
        return len(json.dumps(self.wire, separators=(",", ":")))


REGISTRY: dict[str, ToolSpec] = {}


def register(spec: ToolSpec) -> ToolSpec:
    if spec.name in REGISTRY:
        raise ValueError(f"tool {spec.name} declared twice")
    REGISTRY[spec.name] = spec
    return spec


def tool(name: str, *, toolset: str, kind: str, title: str, description: str, input: type[ToolInput],
         output: type[ToolOutput], run: Run, open_world: bool = True,
         outgoing: Callable[[Any, "ToolContext"], Awaitable[list[Any]]] | None = None) -> ToolSpec:
    """Declare a tool that is not a single SMTP2GO endpoint (e.g. the generic SMTP tools)."""
    return register(ToolSpec(name=name, toolset=toolset, title=title, description=description, input_model=input,
                             output_model=output, kind=kind, run=run, open_world=open_world, outgoing=outgoing,
                             module=_declaring_module()))


def tool_name(endpoint: str) -> str:
    """DESIGN.md's rule: `SMTP2GO_` + the path upper-cased, `/` and `-` turned into `_`."""
    return "SMTP2GO_" + endpoint.upper().replace("/", "_").replace("-", "_")


def api_tool(
    endpoint: str,
    *,
    toolset: str,
    kind: str,
    title: str,
    description: str,
    input: type[ToolInput],
    data: Any,
    data_description: str | None = None,
    method: str = "POST",
    name: str | None = None,
    body: Callable[[Any, ToolContext], dict[str, Any]] | None = None,
    handler: Callable[[Any, "ToolContext", type[ApiOutput]], Awaitable[ApiOutput]] | None = None,
    outgoing: Callable[[Any, "ToolContext"], Awaitable[list[Any]]] | None = None,
) -> ToolSpec:
    """Declare a tool that sends its arguments to one SMTP2GO endpoint and returns its `data`.

    `body` builds the request body from the validated input (and the call's
    context, e.g. this server's settings) when the API's body is not simply the
    arguments (the default drops absent fields).
    `handler` replaces the single call altogether, for tools built on top of
    an endpoint (it gets the arguments, the context and the output model).
    """
    name = name or tool_name(endpoint)
    output = api_output_model(_model_name(name), data, data_description,
                              base=SendApiOutput if outgoing else ApiOutput)

    async def run(args: ToolInput, ctx: ToolContext) -> ToolOutput:
        if handler:
            return await handler(args, ctx, output)
        payload = body(args, ctx) if body else request_body(args)
        response = await ctx.api.call(endpoint, payload, method=method, read_only=KINDS[kind].read_only)
        return api_success(output, response.data, response.request_id)

    return register(ToolSpec(name=name, toolset=toolset, title=title, description=description,
                             input_model=input, output_model=output, kind=kind, run=run,
                             endpoint=endpoint, outgoing=outgoing, module=_declaring_module()))


def request_body(args: BaseModel) -> dict[str, Any]:
    """The JSON body for the API: the given arguments, under their API names."""
    return args.model_dump(mode="json", exclude_none=True, by_alias=True)


class UnexpectedResponse(Exception):
    """The API answered 2xx but its data does not fit the published output schema."""

    def __init__(self, request_id: str | None, problems: str) -> None:
        super().__init__(problems)
        self.request_id = request_id
        self.problems = problems


def api_success(output: type[ApiOutput], data: Any, request_id: str | None) -> ApiOutput:
    try:
        return output.model_validate(
            {"successful": True, "error": None, "error_code": None, "request_id": request_id, "data": data}
        )
    except ValidationError as exc:
        raise UnexpectedResponse(request_id, describe_errors(exc, prefix="data")) from None


def describe_errors(exc: ValidationError, prefix: str = "") -> str:
    """Field-by-field problems, without echoing the rejected values (they may be secrets)."""
    parts = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(p) for p in err["loc"])
        if prefix and loc.startswith(prefix):
            loc = loc[len(prefix):].lstrip(".") or prefix
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            parts.append(f"unknown argument '{loc}'")
        elif err["type"] == "missing":
            parts.append(f"'{loc}' is required")
        else:
            parts.append(f"'{loc or 'arguments'}': {msg}")
    return "; ".join(dict.fromkeys(parts))


def _declaring_module() -> str:
    # Declarations are module-level calls in the tool modules: two frames up is that module.
    return sys._getframe(2).f_globals["__name__"]


def _model_name(tool: str) -> str:
    return "".join(part.capitalize() for part in tool.split("_")) + "Output"
