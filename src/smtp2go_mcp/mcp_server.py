"""The only module that touches the MCP SDK: it adapts the registry to an MCP server.

It uses the SDK's low-level `Server` so the published schemas are exactly the
registry's (no re-derivation from function signatures) and every call, valid
or not, is answered with the tool's own envelope instead of the SDK's text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from mcp import MCPError
from mcp.server import Server, ServerRequestContext
from mcp.server.sse import SseServerTransport
from mcp.server.stdio import stdio_server
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import (
    INVALID_PARAMS,
    CallToolRequestParams,
    CallToolResult,
    ListToolsResult,
    PaginatedRequestParams,
    TextContent,
    Tool,
)
from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from smtp2go_mcp import __version__
from smtp2go_mcp.api.client import API_KEY_HEADER
from smtp2go_mcp.config import LOOPBACK_HOSTS, Settings
from smtp2go_mcp.http_auth import BearerTokenMiddleware
from smtp2go_mcp.catalog import ToolEntry
from smtp2go_mcp.registry import ToolSpec
from smtp2go_mcp.runtime import Runtime, ToolContext, execute

log = logging.getLogger(__name__)

SERVER_NAME = "smtp2go-mcp"
CLIENT_KEY_HEADER = API_KEY_HEADER.lower()
INSTRUCTIONS = (
    "Tools for an SMTP2GO account (SMTP2GO_*, the v3 API with its real field names) and for sending through "
    "any SMTP server (SMTP_*). Every result has `successful`, `error` (what went wrong and what to do next; null "
    "on success) and `error_code` (e.g. invalid_arguments, missing_api_key, rate_limited, timeout, "
    "outcome_unknown, policy_violation, or SMTP2GO's E_ApiResponseCodes.*; null on success); SMTP2GO_* results "
    "add `request_id` (quote it to SMTP2GO support) and `data`. Lists page with continue_token, never offsets. "
    "Sends are never retried automatically: on outcome_unknown, check before sending again."
)


def build_server(tools: Iterable[ToolEntry | ToolSpec], runtime: Runtime) -> Server[Any]:
    """Serve `tools`: catalog entries (their module is imported on the first call) or full specs."""
    entries = {tool.name: tool for tool in tools}
    listing = ListToolsResult(tools=[Tool.model_validate(tool.wire) for tool in entries.values()])

    async def list_tools(ctx: ServerRequestContext[Any], params: PaginatedRequestParams | None) -> ListToolsResult:
        return listing

    async def call_tool(ctx: ServerRequestContext[Any], params: CallToolRequestParams) -> CallToolResult:
        entry = entries.get(params.name)
        if entry is None:
            raise MCPError(INVALID_PARAMS, f"Unknown tool: {params.name}. Call tools/list for the available tools.")
        spec = entry.spec()

        async def progress(done: float, total: float | None = None, message: str | None = None) -> None:
            await ctx.session.report_progress(done, total, message)

        # Over HTTP a client may bring its own SMTP2GO key, used for its requests only.
        headers = getattr(ctx.request, "headers", None)
        client_key = headers.get(CLIENT_KEY_HEADER) if headers is not None else None
        result = await execute(spec, params.arguments, ToolContext(runtime=runtime, report_progress=progress,
                                                                   api_key=client_key or None))
        return CallToolResult(content=[TextContent(type="text", text=result.text)],
                              structured_content=result.structured, is_error=result.is_error)

    return Server(SERVER_NAME, version=__version__, title="SMTP2GO", instructions=INSTRUCTIONS,
                  on_list_tools=list_tools, on_call_tool=call_tool)


def transport_security(settings: Settings) -> TransportSecuritySettings:
    """Host/Origin checks (DNS-rebinding protection) on, whatever address is bound."""
    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
    origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    if settings.host not in LOOPBACK_HOSTS and settings.host not in ("0.0.0.0", "::"):
        hosts.append(f"{settings.host}:*")
    hosts.extend(settings.allowed_hosts)
    origins.extend(settings.allowed_origins)
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts,
                                     allowed_origins=origins)


async def serve_stdio(server: Server[Any]) -> None:
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


def protect(app: Any, settings: Settings) -> Any:
    return BearerTokenMiddleware(app, settings.auth_token) if settings.auth_token else app


def streamable_http_app(server: Server[Any], settings: Settings) -> Any:
    return protect(server.streamable_http_app(streamable_http_path="/mcp", host=settings.host,
                                              transport_security=transport_security(settings),
                                              max_request_body_size=settings.max_request_bytes), settings)


def sse_app(server: Server[Any], settings: Settings) -> Any:
    """The legacy HTTP+SSE transport: GET /sse opens the stream, POST /messages/ sends."""
    sse = SseServerTransport("/messages/", security_settings=transport_security(settings),
                             max_request_body_size=settings.max_request_bytes)

    async def stream(scope: Scope, receive: Receive, send: Send) -> None:
        # A raw ASGI app: the transport writes the response itself (the event stream, or a 4xx).
        opened = False
        try:
            async with sse.connect_sse(scope, receive, send) as (read, write):
                opened = True
                await server.run(read, write, server.create_initialization_options())
        except ValueError:
            if opened:
                raise
            # Refused before the stream opened (bad Host/Origin): the 4xx was already sent.

    return protect(Starlette(routes=[Route("/sse", endpoint=_AsgiEndpoint(stream), methods=["GET"]),
                                     Mount("/messages/", app=sse.handle_post_message)]), settings)


class _AsgiEndpoint:
    """Wraps an ASGI callable so Starlette's Route passes it scope/receive/send untouched."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

