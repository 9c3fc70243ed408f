"""The SMTP2GO HTTP client on its own: pooled keep-alive connections, and the proxy the environment names.

The far end is a minimal HTTP/1.1 server on a real socket that answers every request with an API
envelope, counts the connections it accepts and records each request line, so it can stand in for
the API and for a forward proxy alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from smtp2go_mcp.api import errors
from smtp2go_mcp.api.client import Smtp2goClient

KEY = "api-0123456789ABCDEF0123456789ABCDEF"
ANSWER = json.dumps({"request_id": "r-1", "data": {"cycle_used": 1}}).encode()


@dataclass
class FarEnd:
    url: str
    connections: int = 0
    request_lines: list[str] = field(default_factory=list)


@contextlib.asynccontextmanager
async def far_end(delay: float = 0.0) -> AsyncIterator[FarEnd]:
    state = FarEnd(url="")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state.connections += 1
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                lines = head.decode("latin-1").split("\r\n")
                state.request_lines.append(lines[0])
                length = next((int(v) for k, _, v in (line.partition(":") for line in lines[1:])
                               if k.strip().lower() == "content-length"), 0)
                await reader.readexactly(length)
                await asyncio.sleep(delay)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(ANSWER), ANSWER))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    state.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server:
        yield state


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
                 "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.anyio
async def test_calls_share_keep_alive_connections(no_proxy_env) -> None:
    async with far_end(delay=0.05) as api:
        client = Smtp2goClient(base_url=f"{api.url}/v3", api_key=KEY)
        try:
            for _ in range(10):
                assert (await client.call("stats/email_cycle", read_only=True)).data == {"cycle_used": 1}
            assert api.connections == 1  # one after the other: the same connection every time
            await asyncio.gather(*(client.call("stats/email_cycle", read_only=True) for _ in range(50)))
            # In flight at once, each takes a connection; the open one is reused, none beyond the 50.
            assert api.connections <= 50 and len(api.request_lines) == 60
            await asyncio.gather(*(client.call("stats/email_cycle", read_only=True) for _ in range(50)))
            assert api.connections <= 50 and len(api.request_lines) == 110  # the pool was kept
        finally:
            await client.aclose()


@pytest.mark.anyio
async def test_the_proxy_the_environment_names_is_used(no_proxy_env) -> None:
    async with far_end() as proxy:
        no_proxy_env.setenv("HTTP_PROXY", proxy.url)
        client = Smtp2goClient(base_url="http://api.smtp2go.invalid/v3", api_key=KEY)
        try:
            assert (await client.call("stats/email_cycle", read_only=True)).request_id == "r-1"
        finally:
            await client.aclose()
    # A forward proxy is asked for the absolute URL.
    assert proxy.request_lines == ["POST http://api.smtp2go.invalid/v3/stats/email_cycle HTTP/1.1"]


@pytest.mark.anyio
async def test_no_proxy_bypasses_it(no_proxy_env) -> None:
    async with far_end() as proxy:
        no_proxy_env.setenv("HTTP_PROXY", proxy.url)
        no_proxy_env.setenv("NO_PROXY", "api.smtp2go.invalid")
        client = Smtp2goClient(base_url="http://api.smtp2go.invalid/v3", api_key=KEY)
        try:
            with pytest.raises(errors.ConnectionFailed, match="Could not reach SMTP2GO"):
                await client.call("stats/email_cycle")
        finally:
            await client.aclose()
    assert proxy.request_lines == []
