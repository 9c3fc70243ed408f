"""Shared fixtures: the simulator and our MCP server, each on a real socket.

The simulator runs in a thread of its own; tests steer it over HTTP through its
/_sim control endpoints, exactly as they would a separate process. Our server
runs its streamable-HTTP app in another thread, and tests reach it with the
SDK's real `mcp.Client`.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx2
import jsonschema
import pytest
from mcp import Client

from smtp2go_mcp import mcp_server
from smtp2go_mcp.app import all_tools
from smtp2go_mcp.config import Settings
from smtp2go_mcp.http_server import ThreadedServer
from smtp2go_mcp.runtime import Runtime
from smtp2go_mcp.sendguard import SendPolicy
from smtp2go_mcp.simulator import SANDBOX_API_KEY, Simulator
from smtp2go_mcp.toolsets import DISCOVERY, select_tools

# Every declared tool (the manifests publish them all)...
ALL_TOOLS = {spec.name: spec for spec in all_tools()}
# ...and those a server offers by default (the discovery tools come only with --dynamic-toolsets).
TOOLS = {name: spec for name, spec in ALL_TOOLS.items() if spec.toolset != DISCOVERY}
# The tools that call the SMTP2GO API (the SMTP_* tools have their own tests).
API_TOOLS = {name: spec for name, spec in TOOLS.items() if spec.endpoint}

# The one directory the test servers allow local attachments from.
ATTACHMENT_DIR = Path(tempfile.mkdtemp(prefix="smtp2go-mcp-attachments-"))
atexit.register(shutil.rmtree, ATTACHMENT_DIR, ignore_errors=True)
(ATTACHMENT_DIR / "receipt.txt").write_text("Receipt #1042: 2 x widgets, 19.90 EUR\n")
# Local state (sender identities, the send log) of the test servers, never the user's own.
DATA_DIR = Path(tempfile.mkdtemp(prefix="smtp2go-mcp-data-"))
atexit.register(shutil.rmtree, DATA_DIR, ignore_errors=True)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class SimulatorControl:
    """Drives a running simulator through its /_sim endpoints."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.api_url = f"{url}/v3"
        self._http = httpx2.Client(base_url=url, timeout=10)

    def reset(self) -> None:
        self._http.post("/_sim/reset").raise_for_status()

    def requests(self) -> list[dict[str, Any]]:
        return self._http.get("/_sim/requests").json()

    def clear_requests(self) -> None:
        self._http.delete("/_sim/requests").raise_for_status()

    def fault(self, **fault: Any) -> None:
        self._http.post("/_sim/faults", json=fault).raise_for_status()

    def add_key(self, key: str, endpoints: list[str]) -> None:
        self._http.post("/_sim/keys", json={"key": key, "endpoints": endpoints}).raise_for_status()

    def api(self, endpoint: str, body: dict[str, Any] | None = None) -> Any:
        """Call the simulated API directly (to set up or inspect state)."""
        response = self._http.post(f"/v3/{endpoint}", json=body or {}, headers={"X-Smtp2go-Api-Key": SANDBOX_API_KEY})
        response.raise_for_status()
        return response.json()["data"]


@pytest.fixture(scope="session")
def simulator() -> Iterator[SimulatorControl]:
    with ThreadedServer(Simulator().app, lifespan="off") as server:
        yield SimulatorControl(server.url)


@pytest.fixture(autouse=True)
def _fresh_simulator(request: pytest.FixtureRequest) -> None:
    if "simulator" in request.fixturenames:
        request.getfixturevalue("simulator").reset()


class McpServerUnderTest:
    def __init__(self, url: str, settings: Settings) -> None:
        self.url = url
        self.mcp_url = f"{url}/mcp"
        self.settings = settings

    @contextlib.asynccontextmanager
    async def client(self) -> AsyncIterator[Client]:
        async with Client(self.mcp_url) as client:
            yield client


@contextlib.contextmanager
def running_server(settings: Settings) -> Iterator[McpServerUnderTest]:
    runtime = Runtime.create(settings)
    # The tools the settings select, as the command would (toolsets, read-only, allow and deny lists).
    tools = select_tools(TOOLS.values(), settings)
    app = mcp_server.streamable_http_app(mcp_server.build_server(tools, runtime), settings)
    with ThreadedServer(ClosingRuntime(app, runtime)) as server:
        yield McpServerUnderTest(server.url, settings)


class ClosingRuntime:
    """An app that closes the runtime's connections (on its own event loop) when the server stops,
    as `smtp2go-mcp` does."""

    def __init__(self, app: Any, runtime: Runtime) -> None:
        self.app, self.runtime = app, runtime

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "lifespan":  # returns once the server shut down
            await self.runtime.aclose()


def settings_for(simulator: SimulatorControl, **overrides: Any) -> Settings:
    # Retries are quick and short in tests: the backoff's shape is what is tested, not its seconds.
    values = {"api_url": simulator.api_url, "api_key": SANDBOX_API_KEY, "timeout": 5.0,
              "transport": "streamable-http", "attachment_dirs": (ATTACHMENT_DIR,), "retry_base_delay": 0.01,
              "retry_budget": 0.5, "data_dir": DATA_DIR,
              # Identical test messages are sent on purpose; the duplicate guard has tests of its own.
              "send_policy": SendPolicy(duplicate_window=0), **overrides}
    return Settings(**values)


@pytest.fixture(scope="session")
def server(simulator: SimulatorControl) -> Iterator[McpServerUnderTest]:
    with running_server(settings_for(simulator)) as srv:
        yield srv


# Keys the failure tests configure servers with: one the simulator is told about with few
# permissions, one it has never heard of. Neither may ever appear in a result.
LIMITED_KEY = "api-0123456789ABCDEF0123456789ABCDEF"
UNKNOWN_KEY = "api-FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"


@pytest.fixture(scope="module")
def impatient_server(simulator):
    with running_server(settings_for(simulator, timeout=0.5)) as srv:
        yield srv


def assert_failure(name: str, result: Any, code: str, *phrases: str) -> dict[str, Any]:
    assert result.is_error, result.content
    structured = result.structured_content
    assert_matches_output_schema(name, structured)
    assert structured["successful"] is False
    assert structured.get("data") is None  # SMTP2GO tools carry data; on failure it is null
    assert structured["error_code"] == code, structured
    text = text_of(result)
    for phrase in phrases:
        assert phrase.lower() in text.lower(), text
        assert phrase.lower() in structured["error"].lower()
    for key in (SANDBOX_API_KEY, LIMITED_KEY, UNKNOWN_KEY):
        assert key not in text and key not in str(structured)
    return structured


def api_requests(simulator: Any) -> list[dict[str, Any]]:
    return [r for r in simulator.requests() if r["path"].startswith("/v3/")]


# What the MCP spec says a hint means when a tool leaves it out.
SPEC_HINT_DEFAULTS = {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": False, "openWorldHint": True}


def hints_of(tool_name: str) -> dict[str, bool]:
    """A tool's annotations as a client reads them: the spec's default for each hint left out."""
    return SPEC_HINT_DEFAULTS | ALL_TOOLS[tool_name].wire["annotations"]


def assert_matches_output_schema(tool_name: str, structured: Any) -> None:
    """The result must validate against the outputSchema the tool publishes, on success and failure."""
    schema = ALL_TOOLS[tool_name].wire["outputSchema"]
    jsonschema.Draft202012Validator(schema).validate(structured)
    # The schema lists nothing as required (the instructions promise the envelope once for all
    # tools), so the promise is checked here: every result carries the whole envelope.
    envelope = {"successful", "error", "error_code"} | ({"request_id", "data"} & set(schema["properties"]))
    assert envelope <= set(structured), f"{tool_name} result lacks {envelope - set(structured)}"


def text_of(result: Any) -> str:
    return "".join(block.text for block in result.content if getattr(block, "type", "") == "text")


def structured_text(result: Any) -> Any:
    return json.loads(text_of(result))


async def call(server: Any, name: str, args: dict[str, Any]) -> Any:
    """One tool call through a fresh client session (the result, success or failure)."""
    async with server.client() as client:
        return await client.call_tool(name, args)


async def ok(client: Any, name: str, args: dict[str, Any]) -> Any:
    """A call that must succeed with a result matching the output schema; its `data`."""
    result = await client.call_tool(name, args)
    assert not result.is_error, result.content
    assert_matches_output_schema(name, result.structured_content)
    return result.structured_content["data"]
