"""Generated files are current, valid, and exactly what the server serves."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema

from smtp2go_mcp import __version__, manifests
from smtp2go_mcp.config import ENVIRONMENT
from tests.conftest import ALL_TOOLS as TOOLS
from tests.conftest import SPEC_HINT_DEFAULTS, hints_of
from tests.schema_lint import lint

ROOT = Path(__file__).resolve().parent.parent


def test_generated_files_are_current() -> None:
    assert manifests.check(ROOT, list(TOOLS.values())) == []


def test_manifests_check_command() -> None:
    done = subprocess.run([sys.executable, "-m", "smtp2go_mcp", "manifests", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"{len(TOOLS)} tool manifests" in done.stdout


def test_check_reports_a_stale_file(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text((ROOT / "README.md").read_text())
    manifests.write(tmp_path, list(TOOLS.values()))
    assert manifests.check(tmp_path, list(TOOLS.values())) == []
    target = tmp_path / "tool_manifests" / "SMTP2GO_WEBHOOK_ADD.json"
    target.write_text(target.read_text().replace("Add a webhook", "Add a hook"))
    (tmp_path / "tool_manifests" / "SMTP2GO_INVENTED.json").write_text("{}")
    problems = manifests.check(tmp_path, list(TOOLS.values()))
    assert "tool_manifests/SMTP2GO_WEBHOOK_ADD.json is stale" in problems
    assert "tool_manifests/SMTP2GO_INVENTED.json is not a declared tool" in problems
    done = subprocess.run([sys.executable, "-m", "smtp2go_mcp", "manifests", "--check", "--root", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "is stale" in done.stderr


def test_manifest_is_the_served_tool_object() -> None:
    for name, spec in TOOLS.items():
        on_disk = json.loads((ROOT / "tool_manifests" / f"{name}.json").read_text())
        assert on_disk == spec.wire
        assert list(on_disk) == ["name", "title", "description", "inputSchema", "outputSchema", "annotations"]
    index = json.loads((ROOT / "tool_manifests" / "index.json").read_text())
    assert sorted(t["name"] for t in index["tools"]) == sorted(TOOLS)


def test_server_json_is_valid_for_the_registry() -> None:
    schema = json.loads((ROOT / "tests" / "data" / "server.schema.json").read_text())
    server = json.loads((ROOT / "server.json").read_text())
    jsonschema.Draft7Validator(schema).validate(server)
    assert server["version"] == __version__
    [package] = server["packages"]
    assert package["registryType"] == "pypi" and package["identifier"] == "smtp2go-mcp"
    assert package["transport"] == {"type": "stdio"}
    env = {v["name"]: v for v in package["environmentVariables"]}
    assert set(env) == {v.name for v in ENVIRONMENT}
    assert env["SMTP2GO_API_KEY"]["isSecret"] is True
    assert f"mcp-name: {server['name']}" in (ROOT / "README.md").read_text()


def test_readme_lists_every_tool_and_variable() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in TOOLS:
        assert f"| `{name}` |" in readme
    for var in ENVIRONMENT:
        assert f"`{var.name}`" in readme


def test_schemas_are_portable() -> None:
    """The same rules as the MCP Inspector's `--strict` schema lint, plus ours."""
    problems = []
    for name, spec in TOOLS.items():
        for kind in ("inputSchema", "outputSchema"):
            problems += [f"{name}.{kind}: {p}" for p in lint(spec.wire[kind])]
        assert spec.wire["inputSchema"]["type"] == "object"
        assert "$schema" not in spec.wire["outputSchema"]  # Claude rejects draft-07 dialect declarations
    assert problems == []


def test_every_input_field_is_described() -> None:
    for name, spec in TOOLS.items():
        for field, schema in spec.wire["inputSchema"].get("properties", {}).items():
            assert schema.get("description"), f"{name}.{field} has no description"
        assert spec.wire["inputSchema"].get("additionalProperties") is False, name


# Endpoints that only read: their last path segment (plus the one tool that is not a path).
READ_SEGMENTS = {"view", "search", "permissions", "view-received", "view-sent", "summary", "email",
                 "email_bounces", "email_cycle", "email_history", "email_spam", "email_unsubs", "email_summary"}


def test_annotations_follow_the_kind_of_tool() -> None:
    for name, spec in TOOLS.items():
        hints = hints_of(name)
        segment = (spec.endpoint or "").rsplit("/", 1)[-1]
        reads = segment in READ_SEGMENTS or name in ("SMTP2GO_SUBACCOUNTS_USAGE", "SMTP_SENDER_LIST",
                                                     "SMTP_TEST_CONNECTION", "SMTP2GO_EVENTS_RECENT", "TOOLSETS_LIST")
        assert hints["readOnlyHint"] is reads, name
        if segment in ("remove", "delete", "close") or name == "SMTP_SENDER_DELETE":
            assert hints["destructiveHint"] is True, name
        if spec.kind == "send":
            assert hints["idempotentHint"] is False and hints["destructiveHint"] is False, name
        # Sender identities, stored events and toolsets are this server's own state; everything else
        # reaches SMTP2GO or an SMTP server.
        local = name.startswith(("SMTP_SENDER_", "TOOLSETS_")) or name == "SMTP2GO_EVENTS_RECENT"
        assert hints["openWorldHint"] is (not local), name
        # Only what differs from the spec's defaults is spelled out; the title is the tool's own.
        assert all(SPEC_HINT_DEFAULTS[k] != v for k, v in spec.wire["annotations"].items()), name
        if reads:
            assert set(spec.wire["annotations"]) <= {"readOnlyHint", "openWorldHint"}, name


def test_the_catalog_serves_tools_without_importing_them() -> None:
    """Start-up reads the bundled catalog; a tool's module is imported on its first call only."""
    script = (
        "import sys\n"
        "from smtp2go_mcp import catalog\n"
        "entries = {e.name: e for e in catalog.load()}\n"
        "assert not any(m.startswith('smtp2go_mcp.tools') for m in sys.modules), 'tools imported at start'\n"
        "spec = entries['SMTP2GO_TEMPLATE_VIEW'].spec()\n"
        "assert spec.wire == entries['SMTP2GO_TEMPLATE_VIEW'].wire\n"
        "assert 'smtp2go_mcp.tools.templates' in sys.modules and 'smtp2go_mcp.tools.smtp_send' not in sys.modules\n"
        "print(len(entries))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(len(TOOLS))
    for entry in __import__("smtp2go_mcp.catalog", fromlist=["load"]).load():
        spec = TOOLS[entry.name]
        assert (entry.toolset, entry.kind, entry.open_world, entry.module) == \
            (spec.toolset, spec.kind, spec.open_world, spec.module)
        assert entry.module.startswith("smtp2go_mcp.tools.")
