"""The HTTP transports: tokens, exposure, Host/Origin allow-lists, per-client keys, body limits."""

from __future__ import annotations

import subprocess
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from smtp2go_mcp.simulator import SANDBOX_API_KEY
from tests.conftest import LIMITED_KEY, api_requests, running_server, settings_for
from tests.processes import COMMAND, clean_env, serving

TOKEN = "t0ken-for-the-tests-0123456789"
# A legacy initialize: a complete request on its own, answered 200 by a server that lets it through.
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
MCP_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


@pytest.mark.parametrize(("args", "env", "phrase"), [
    (["--transport", "streamable-http", "--host", "0.0.0.0"], {}, "reachable from other machines: set SMTP2GO_MCP_AUTH_TOKEN"),
    (["--transport", "sse", "--host", "192.0.2.10"], {}, "--insecure-no-auth"),
    (["--transport", "streamable-http"], {"SMTP2GO_MCP_AUTH_TOKEN": "short"}, "at least 16 characters"),
])
def test_unsafe_exposure_is_refused_at_startup(args: list[str], env: dict[str, str], phrase: str) -> None:
    done = subprocess.run([str(COMMAND), *args], env=clean_env(**env), capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and phrase in done.stderr


def test_insecure_no_auth_is_an_explicit_choice() -> None:
    with serving("--transport", "streamable-http", "--sandbox", "--host", "0.0.0.0", "--insecure-no-auth") as url:
        with httpx2.Client(base_url=url, timeout=10) as http:
            assert http.post("/mcp", json=INITIALIZE, headers=MCP_HEADERS).status_code == 200


@pytest.mark.anyio
@pytest.mark.parametrize("transport", ["streamable-http", "sse"])
async def test_a_token_is_required_when_set(transport: str) -> None:
    path = "/mcp" if transport == "streamable-http" else "/sse"
    with serving("--transport", transport, "--sandbox", env=clean_env(SMTP2GO_MCP_AUTH_TOKEN=TOKEN)) as url:
        with httpx2.Client(base_url=url, timeout=10) as http:
            method = "POST" if transport == "streamable-http" else "GET"
            kwargs: dict[str, Any] = {"json": INITIALIZE} if method == "POST" else {}
            for auth in (None, "Bearer wrong-token-0123456789", f"Basic {TOKEN}", f"Bearer {TOKEN}x"):
                headers = {**MCP_HEADERS, **({"Authorization": auth} if auth else {})}
                refused = http.request(method, path, headers=headers, **kwargs)
                assert refused.status_code == 401
                assert refused.headers["www-authenticate"].startswith("Bearer")
            if transport == "sse":  # the message endpoint is guarded too, not only the stream
                assert http.post("/messages/?session_id=0", json=INITIALIZE, headers=MCP_HEADERS).status_code == 401
        auth = {"Authorization": f"Bearer {TOKEN}"}
        target = (streamable_http_client(f"{url}/mcp", http_client=httpx2.AsyncClient(headers=auth))
                  if transport == "streamable-http" else sse_client(f"{url}/sse", headers=auth))
        async with Client(target) as client:
            result = await client.call_tool("SMTP2GO_STATS_EMAIL_CYCLE", {})
            assert not result.is_error


def test_allowed_hosts_and_origins_for_a_reverse_proxy() -> None:
    with serving("--transport", "streamable-http", "--sandbox", "--allowed-hosts", "mcp.example.com:*",
                 "--allowed-origins", "https://app.example.com") as url:
        port = url.rsplit(":", 1)[1]
        with httpx2.Client(base_url=url, timeout=10) as http:
            ok = http.post("/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "Host": f"mcp.example.com:{port}",
                                                      "Origin": "https://app.example.com"})
            assert ok.status_code == 200
            assert http.post("/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "Host": f"evil.example.com:{port}"}).status_code == 421
            assert http.post("/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "Origin": "https://evil.example.com"}).status_code == 403


@pytest.fixture(scope="module")
def shared_server(simulator):
    """A server whose own key may call nothing: clients bring theirs."""
    with running_server(settings_for(simulator, api_key=LIMITED_KEY, max_request_bytes=4096)) as srv:
        yield srv


@pytest.mark.anyio
async def test_a_client_may_bring_its_own_smtp2go_key(shared_server, simulator) -> None:
    simulator.add_key(LIMITED_KEY, [])
    http = httpx2.AsyncClient(headers={"X-Smtp2go-Api-Key": SANDBOX_API_KEY})
    async with Client(streamable_http_client(shared_server.mcp_url, http_client=http)) as own:
        mine = await own.call_tool("SMTP2GO_STATS_EMAIL_CYCLE", {})
    async with shared_server.client() as other:
        theirs = await other.call_tool("SMTP2GO_STATS_EMAIL_CYCLE", {})
    assert not mine.is_error
    assert theirs.is_error and theirs.structured_content["error_code"] == "E_ApiResponseCodes.ENDPOINT_PERMISSION_DENIED"
    keys = [r["headers"]["x-smtp2go-api-key"] for r in api_requests(simulator)]
    assert keys == [SANDBOX_API_KEY, LIMITED_KEY]


@pytest.mark.anyio
@pytest.mark.parametrize("protocol", [None, "2025-11-25", "2026-07-28"])
async def test_request_bodies_are_limited(protocol: str | None, shared_server) -> None:
    big = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
           "params": {"name": "SMTP2GO_EMAIL_SEND", "arguments": {"text_body": "x" * 5000}}}
    headers = MCP_HEADERS | ({"Mcp-Protocol-Version": protocol} if protocol else {})
    async with httpx2.AsyncClient(timeout=10) as http:
        response = await http.post(shared_server.mcp_url, json=big, headers=headers)
    assert response.status_code == 413
