"""The tool catalog: what `tools/list` serves, without importing the tools.

Importing the ~80 declarations and building their JSON Schemas costs more at start-up than
everything else the server does, and most sessions call a handful of tools. So the catalog
(every tool's published object, toolset, kind and declaring module) is generated with the
manifests (`smtp2go-mcp manifests`; a test fails when it is stale) and shipped in the package.
A tool's module is imported on its first call.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from smtp2go_mcp.registry import KINDS, REGISTRY, Hints, ToolSpec

INDEX = Path(__file__).with_name("tool_index.json")


@dataclass(frozen=True)
class ToolEntry:
    name: str
    toolset: str
    kind: str
    open_world: bool
    module: str
    wire: dict[str, Any]

    @property
    def hints(self) -> Hints:
        return replace(KINDS[self.kind], open_world=self.open_world)

    def spec(self) -> ToolSpec:
        """The full declaration, importing its module the first time."""
        if self.name not in REGISTRY:
            importlib.import_module(self.module)
        return REGISTRY[self.name]


def load() -> list[ToolEntry]:
    data = json.loads(INDEX.read_text(encoding="utf-8"))
    return [ToolEntry(**entry) for entry in data["tools"]]


def render(specs: list[ToolSpec]) -> str:
    """The catalog file: one tool per line, so a change shows as a one-line diff."""
    lines = [json.dumps({"name": s.name, "toolset": s.toolset, "kind": s.kind, "open_world": s.open_world,
                         "module": s.module, "wire": s.wire}, ensure_ascii=False, separators=(",", ":"))
             for s in specs]
    return '{"tools":[\n' + ",\n".join(lines) + "\n]}\n"
