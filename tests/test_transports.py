"""The real command in a subprocess, over stdio, SSE and streamable HTTP."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.sse import sse_client

from smtp2go_mcp.simulator import SANDBOX_API_KEY
from tests.conftest import TOOLS, assert_matches_output_schema
from tests.processes import COMMAND, clean_env, serving

async def exercise(client: Client) -> None:
    tools = (await client.list_tools()).tools
    assert sorted(t.name for t in tools) == sorted(TOOLS)
    result = await client.call_tool("SMTP2GO_STATS_EMAIL_BOUNCES", {})
    assert not result.is_error, result.content
    assert_matches_output_schema("SMTP2GO_STATS_EMAIL_BOUNCES", result.structured_content)
    assert result.structured_content["data"]["emails"] >= 1
    bad = await client.call_tool("SMTP2GO_ACTIVITY_SEARCH", {"limit": 0})
    assert bad.is_error and bad.structured_content["error_code"] == "invalid_arguments"


def test_console_script_is_installed() -> None:
    assert COMMAND.exists(), "pip install . must provide the smtp2go-mcp command"
    done = subprocess.run([str(COMMAND), "--version"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stdout.startswith("smtp2go-mcp ")


@pytest.mark.anyio
async def test_stdio_against_the_simulator(simulator) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "smtp2go_mcp"],
                                   env=clean_env(SMTP2GO_API_URL=simulator.api_url, SMTP2GO_API_KEY=SANDBOX_API_KEY))
    simulator.clear_requests()
    async with Client(params) as client:
        await exercise(client)
    requests = [r for r in simulator.requests() if r["path"].startswith("/v3/")]
    assert [r["endpoint"] for r in requests] == ["stats/email_bounces"]
    assert requests[0]["headers"]["x-smtp2go-api-key"] == SANDBOX_API_KEY


@pytest.mark.anyio
async def test_stdio_sandbox() -> None:
    params = StdioServerParameters(command=str(COMMAND), args=["--sandbox"], env=clean_env())
    async with Client(params) as client:
        await exercise(client)
        viewed = await client.call_tool("SMTP2GO_TEMPLATE_VIEW", {"id": "welcome-email"})
        assert viewed.structured_content["data"]["id"] == "welcome-email"


@pytest.mark.anyio
async def test_stdio_without_a_key_lists_tools_and_explains() -> None:
    params = StdioServerParameters(command=str(COMMAND), args=[], env=clean_env())
    async with Client(params) as client:
        assert len((await client.list_tools()).tools) == len(TOOLS)
        result = await client.call_tool("SMTP2GO_STATS_EMAIL_CYCLE", {})
    assert result.is_error
    assert result.structured_content["error_code"] == "missing_api_key"
    assert "SMTP2GO_API_KEY" in result.content[0].text


@pytest.mark.anyio
async def test_streamable_http() -> None:
    with serving("--transport", "streamable-http", "--sandbox") as url:
        async with Client(f"{url}/mcp") as client:
            await exercise(client)
        assert_host_and_origin_checked(url, "POST", "/mcp")


@pytest.mark.anyio
async def test_sse() -> None:
    with serving("--transport", "sse", "--sandbox") as url:
        async with Client(sse_client(f"{url}/sse")) as client:
            await exercise(client)
        assert_host_and_origin_checked(url, "GET", "/sse")


def assert_host_and_origin_checked(url: str, method: str, path: str) -> None:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    # POSTs from both protocol eras (they take different paths through the server).
    eras = [{}, {"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/list"}] if method == "POST" else [{}]
    with httpx2.Client(base_url=url, timeout=10) as http:
        kwargs: dict[str, Any] = {"json": body} if method == "POST" else {}
        for era in eras:
            sent = {**headers, **era}
            assert http.request(method, path, headers={**sent, "Host": "evil.example"}, **kwargs).status_code == 421
            assert http.request(method, path, headers={**sent, "Origin": "http://evil.example"},
                                **kwargs).status_code == 403


def test_bad_settings_are_a_clear_startup_error() -> None:
    done = subprocess.run([str(COMMAND)], env=clean_env(SMTP2GO_API_URL="ftp://api.smtp2go.com"),
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "SMTP2GO_API_URL must be an http(s) URL" in done.stderr
    done = subprocess.run([str(COMMAND), "--transport", "carrier-pigeon"], env=clean_env(),
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "invalid choice" in done.stderr
