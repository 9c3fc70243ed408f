"""Generated files: tool_manifests/, server.json and the README's generated tables.

All of them derive from the registry and config.ENVIRONMENT; `--check` reports
any file that differs from what would be generated, so a stale one fails CI.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from smtp2go_mcp import __version__, catalog
from smtp2go_mcp.config import ENVIRONMENT
from smtp2go_mcp.registry import ToolSpec
from smtp2go_mcp.toolsets import DISCOVERY, TOOLSETS

REGISTRY_NAME = "io.github.smtp2go-mcp/smtp2go-mcp"
REPOSITORY_URL = "https://github.com/smtp2go-mcp/smtp2go-mcp"
SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def server_json() -> dict[str, Any]:
    env = []
    for var in ENVIRONMENT:
        item: dict[str, Any] = {"name": var.name, "description": var.description, "isRequired": False,
                                "isSecret": var.secret, "format": var.format}
        if var.default is not None:
            item["default"] = var.default
        env.append(item)
    return {
        "$schema": SCHEMA_URL,
        "name": REGISTRY_NAME,
        "title": "SMTP2GO",
        "description": "SMTP2GO's v3 API as typed MCP tools, with a sandbox to try them without an account.",
        "version": __version__,
        "websiteUrl": REPOSITORY_URL,
        "repository": {"url": REPOSITORY_URL, "source": "github"},
        "packages": [{
            "registryType": "pypi",
            "identifier": "smtp2go-mcp",
            "version": __version__,
            "runtimeHint": "uvx",
            "transport": {"type": "stdio"},
            "environmentVariables": env,
        }],
    }


def tool_table(tools: list[ToolSpec]) -> str:
    rows = ["| Tool | What it does | Toolset | Endpoint | Read-only |", "|---|---|---|---|---|"]
    for spec in sorted(tools, key=lambda s: s.name):
        endpoint = f"`{spec.endpoint}`" if spec.endpoint else "—"
        rows.append(f"| `{spec.name}` | {spec.title} | {spec.toolset} | {endpoint} | "
                    f"{'yes' if spec.hints.read_only else 'no'} |")
    return "\n".join(rows)


def toolset_table(tools: list[ToolSpec]) -> str:
    rows = ["| Toolset | Tools | Of which read-only | What for |", "|---|---|---|---|"]
    for name, purpose in TOOLSETS.items():
        members = [t for t in tools if t.toolset == name]
        reading = sum(1 for t in members if t.hints.read_only)
        rows.append(f"| `{name}` | {len(members)} | {reading} | {purpose} |")
    offered = [t for t in tools if t.toolset != DISCOVERY]
    total, reading = len(offered), sum(1 for t in offered if t.hints.read_only)
    rows.append(f"| all (default) | {total} | {reading} | |")
    discovery = [t for t in tools if t.toolset == DISCOVERY]
    rows.append(f"| `{DISCOVERY}` | {len(discovery)} | {sum(1 for t in discovery if t.hints.read_only)} | "
                "Only with --dynamic-toolsets: list the toolsets and switch them on. |")
    return "\n".join(rows)


def env_table() -> str:
    rows = ["| Variable | Meaning | Default |", "|---|---|---|"]
    for var in ENVIRONMENT:
        secret = " (secret)" if var.secret else ""
        rows.append(f"| `{var.name}`{secret} | {var.description} | {f'`{var.default}`' if var.default else '—'} |")
    return "\n".join(rows)


def readme_blocks(tools: list[ToolSpec]) -> dict[str, str]:
    return {"tools": tool_table(tools), "toolsets": toolset_table(tools), "env": env_table()}


def render_readme(text: str, blocks: dict[str, str]) -> str:
    for name, content in blocks.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"README.md lacks the <!-- {name}:start --> / <!-- {name}:end --> markers")
        text = pattern.sub(lambda m, block=content: m.group(1) + block + "\n" + m.group(2), text)
    return text


def expected_files(root: Path, tools: list[ToolSpec]) -> dict[Path, str]:
    files: dict[Path, str] = {}
    index = []
    for spec in sorted(tools, key=lambda s: s.name):
        files[root / "tool_manifests" / f"{spec.name}.json"] = _json(spec.wire)
        index.append({"name": spec.name, "title": spec.title, "toolset": spec.toolset, "endpoint": spec.endpoint,
                      "readOnly": spec.hints.read_only, "file": f"{spec.name}.json", "bytes": spec.wire_size})
    files[root / "tool_manifests" / "index.json"] = _json({"server": REGISTRY_NAME, "version": __version__,
                                                           "tools": index})
    files[root / "server.json"] = _json(server_json())
    files[root / "src" / "smtp2go_mcp" / catalog.INDEX.name] = catalog.render(tools)
    readme = root / "README.md"
    files[readme] = render_readme(readme.read_text(encoding="utf-8"), readme_blocks(tools))
    return files


def write(root: Path, tools: list[ToolSpec]) -> list[Path]:
    """Regenerate everything; returns the files that changed. Stale manifests are removed."""
    files = expected_files(root, tools)
    changed = [p for p, content in files.items() if not p.exists() or p.read_text(encoding="utf-8") != content]
    for path in changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path], encoding="utf-8")
    for stale in (root / "tool_manifests").glob("*.json"):
        if stale not in files:
            stale.unlink()
            changed.append(stale)
    return changed


def check(root: Path, tools: list[ToolSpec]) -> list[str]:
    """What is stale, as messages; empty when everything is current."""
    files = expected_files(root, tools)
    problems = [f"{p.relative_to(root)} is missing" if not p.exists() else f"{p.relative_to(root)} is stale"
                for p, content in files.items()
                if not p.exists() or p.read_text(encoding="utf-8") != content]
    problems += [f"{p.relative_to(root)} is not a declared tool" for p in (root / "tool_manifests").glob("*.json")
                 if p not in files]
    return problems
