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
from mcp.server import NotificationOptions, Server, ServerRequestContext
from mcp.server.sse import SseServerTransport
from mcp.server.stdio import stdio_server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.subscriptions import InMemorySubscriptionBus, ListenHandler, ToolsListChanged
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    CallToolRequestParams,
    CallToolResult,
    GetPromptRequestParams,
    GetPromptResult,
    ListPromptsResult,
    ListResourcesResult,
    ListResourceTemplatesResult,
    ListToolsResult,
    PaginatedRequestParams,
    Prompt,
    PromptArgument,
    PromptMessage,
    ReadResourceRequestParams,
    ReadResourceResult,
    Resource,
    ResourceTemplate,
    TextContent,
    TextResourceContents,
    Tool,
)
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from smtp2go_mcp import __version__, resources
from smtp2go_mcp.api.client import API_KEY_HEADER
from smtp2go_mcp.catalog import ToolEntry
from smtp2go_mcp.config import LOOPBACK_HOSTS, Settings
from smtp2go_mcp.http_auth import BearerTokenMiddleware, header
from smtp2go_mcp.prompts import PROMPTS, PromptError, tools_named
from smtp2go_mcp.registry import ToolSpec
from smtp2go_mcp.resources import RESOURCES
from smtp2go_mcp.runtime import Progress, Runtime, ToolContext, execute, no_progress
from smtp2go_mcp.toolsets import DynamicToolsets

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


def build_server(tools: Iterable[ToolEntry | ToolSpec] | DynamicToolsets[Any], runtime: Runtime) -> Server[Any]:
    """Serve `tools` (catalog entries, whose module is imported on the first call, or full specs), or with
    --dynamic-toolsets the ones switched on so far; and the prompts and resources those tools support."""
    dynamic = tools if isinstance(tools, DynamicToolsets) else None
    every = {t.name: t for t in (dynamic.discovery + dynamic.available if dynamic else tools)}
    runtime.toolsets = dynamic  # the discovery tools switch toolsets on through it
    # Prompts and resources are offered when the tools they use can be (with dynamic toolsets: once on).
    possible = frozenset(every)
    bus = InMemorySubscriptionBus()  # 2026-07-28 clients hear of list changes on subscriptions/listen streams
    listings: dict[int, ListToolsResult] = {}

    def offered() -> list[ToolEntry | ToolSpec]:
        return dynamic.offered() if dynamic else list(every.values())

    async def list_tools(ctx: ServerRequestContext[Any], params: PaginatedRequestParams | None) -> ListToolsResult:
        version = dynamic.version if dynamic else 0
        if version not in listings:
            listings.clear()
            listings[version] = ListToolsResult(tools=[Tool.model_validate(t.wire) for t in offered()])
        return listings[version]

    async def tools_changed(ctx: ServerRequestContext[Any]) -> None:
        await ctx.session.send_tool_list_changed()  # handshake-era clients; dropped by the SDK at 2026-07-28
        await bus.publish(ToolsListChanged())

    async def switch_on_toolsets_of(names: Iterable[str], ctx: ServerRequestContext[Any]) -> None:
        if dynamic and dynamic.enable({s for s in map(dynamic.toolset_of, names) if s}):
            await tools_changed(ctx)

    async def call_tool(ctx: ServerRequestContext[Any], params: CallToolRequestParams) -> CallToolResult:
        entry = every.get(params.name)
        if entry is None:
            raise MCPError(INVALID_PARAMS, f"Unknown tool: {params.name}. Call tools/list for the available tools.")
        if dynamic and not dynamic.offers(params.name):
            raise MCPError(INVALID_PARAMS, f"{params.name} is in the {dynamic.toolset_of(params.name)} toolset, "
                           "which is not on: call TOOLSETS_ENABLE with it first.")
        version = dynamic.version if dynamic else 0

        async def progress(done: float, total: float | None = None, message: str | None = None) -> None:
            await ctx.session.report_progress(done, total, message)

        result = await execute(entry.spec(), params.arguments, tool_context(ctx, runtime, progress))
        if dynamic and dynamic.version != version:
            await tools_changed(ctx)
        return CallToolResult(content=[TextContent(type="text", text=result.text)],
                              structured_content=result.structured, is_error=result.is_error)

    async def list_prompts(ctx: ServerRequestContext[Any], params: PaginatedRequestParams | None) -> ListPromptsResult:
        return ListPromptsResult(prompts=[
            Prompt(name=p.name, title=p.title, description=p.description,
                   arguments=[PromptArgument(name=a.name, description=a.description, required=a.required)
                              for a in p.arguments])
            for p in PROMPTS.values() if p.available(possible)])

    async def get_prompt(ctx: ServerRequestContext[Any], params: GetPromptRequestParams) -> GetPromptResult:
        spec = PROMPTS.get(params.name)
        if spec is None or not spec.available(possible):
            raise MCPError(INVALID_PARAMS, f"Unknown prompt: {params.name}. Call prompts/list for the prompts.")
        try:
            text = spec.text(params.arguments, possible)
        except PromptError as exc:
            raise MCPError(INVALID_PARAMS, f"Invalid arguments for prompt {spec.name}: {exc}.") from None
        # The flow is about to use these tools: with dynamic toolsets, switch their toolsets on now.
        await switch_on_toolsets_of(tools_named(text), ctx)
        return GetPromptResult(description=spec.description, messages=[
            PromptMessage(role="user", content=TextContent(type="text", text=text))])

    async def list_resources(ctx: ServerRequestContext[Any],
                             params: PaginatedRequestParams | None) -> ListResourcesResult:
        return ListResourcesResult(resources=[
            Resource(uri=r.uri, name=r.name, title=r.title, description=r.description, mime_type=r.mime_type)
            for r in RESOURCES if not r.templated and r.available(possible)])

    async def list_resource_templates(ctx: ServerRequestContext[Any],
                                      params: PaginatedRequestParams | None) -> ListResourceTemplatesResult:
        return ListResourceTemplatesResult(resource_templates=[
            ResourceTemplate(uri_template=r.uri, name=r.name, title=r.title, description=r.description,
                             mime_type=r.mime_type)
            for r in RESOURCES if r.templated and r.available(possible)])

    async def read_resource(ctx: ServerRequestContext[Any], params: ReadResourceRequestParams) -> ReadResourceResult:
        context = tool_context(ctx, runtime)

        async def call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
            return (await execute(every[name].spec(), arguments, context)).structured

        try:
            spec, text = await resources.read(params.uri, possible, call)
        except resources.NoSuchResource:
            raise MCPError(INVALID_PARAMS, f"Unknown resource: {params.uri}. Call resources/list and "
                           "resources/templates/list for this server's resources.", {"uri": params.uri}) from None
        except resources.ResourceFailed as exc:
            code = INVALID_PARAMS if exc.error_code in _NOT_FOUND_CODES else INTERNAL_ERROR
            raise MCPError(code, str(exc), {"uri": params.uri, "error_code": exc.error_code}) from None
        return ReadResourceResult(contents=[TextResourceContents(uri=params.uri, mime_type=spec.mime_type,
                                                                 text=text)])

    return _Server(SERVER_NAME, version=__version__, title="SMTP2GO", instructions=INSTRUCTIONS,
                   tools_change=dynamic is not None, on_list_tools=list_tools, on_call_tool=call_tool,
                   on_list_prompts=list_prompts, on_get_prompt=get_prompt, on_list_resources=list_resources,
                   on_list_resource_templates=list_resource_templates, on_read_resource=read_resource,
                   on_subscriptions_listen=ListenHandler(bus) if dynamic else None)


# A resource behind which the API says "no such thing" (or refuses the id) is not found: -32602, as the spec says.
_NOT_FOUND_CODES = {"not_found", "invalid_arguments", "E_ApiResponseCodes.API_EXCEPTION",
                    "E_ApiResponseCodes.NON_VALIDATING_IN_PAYLOAD"}


def tool_context(ctx: ServerRequestContext[Any], runtime: Runtime, progress: Progress = no_progress) -> ToolContext:
    # Over HTTP a client may bring its own SMTP2GO key, used for its requests only.
    headers = getattr(ctx.request, "headers", None)
    client_key = headers.get(CLIENT_KEY_HEADER) if headers is not None else None
    return ToolContext(runtime=runtime, report_progress=progress, api_key=client_key or None)


class _Server(Server[Any]):
    """The SDK's server, telling handshake-era clients whether its tool list can change."""

    def __init__(self, *args: Any, tools_change: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tools_change = tools_change

    def create_initialization_options(self, notification_options: NotificationOptions | None = None,
                                      *args: Any, **kwargs: Any) -> Any:
        options = notification_options or NotificationOptions(tools_changed=self._tools_change)
        return super().create_initialization_options(options, *args, **kwargs)


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
    security = transport_security(settings)
    streaming = server.streamable_http_app(streamable_http_path="/mcp", host=settings.host, transport_security=security,
                                           max_request_body_size=settings.max_request_bytes)
    json_only = StreamableHTTPSessionManager(app=server, json_response=True, security_settings=security,
                                             max_request_body_size=settings.max_request_bytes)
    return protect(_JsonUnlessProgress(streaming, json_only, settings.max_request_bytes), settings)


# MCP-Protocol-Version values that do not mean a 2026-07-28 (stateless) request: none, or a handshake era.
_NOT_MODERN = frozenset({b"", *(v.encode() for v in HANDSHAKE_PROTOCOL_VERSIONS)})


class _JsonUnlessProgress:
    """/mcp for 2026-07-28 clients: a plain JSON answer unless the request asked for progress.

    The SDK answers such a POST either as JSON or, when it may send notifications first, through a
    stream it keeps ready for them (a task group, a channel and a timer per request). That readiness
    costs about as much CPU as the rest of the call, which caps how many calls one process can serve
    at once. Only a request with a progressToken can get notifications from these tools (progress
    of SMTP_SEND_BATCH), so every other one goes to a JSON-only session manager. Handshake-era
    clients (sessions), GETs and the lifespan go to the SDK's app unchanged.
    """

    def __init__(self, streaming: Any, json_only: StreamableHTTPSessionManager, max_body: int) -> None:
        self.streaming = streaming
        self.json_only = json_only
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            async with self.json_only.run():  # runs beside the SDK app's own manager
                await self.streaming(scope, receive, send)
            return
        if not (scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/mcp"
                and header(scope, b"mcp-protocol-version") not in _NOT_MODERN):
            await self.streaming(scope, receive, send)
            return
        body, receive = await _read_body(receive, self.max_body)
        # Mentioned anywhere, even inside the arguments, it goes the streaming way: that way is always right.
        app = self.streaming if b'"progressToken"' in body else self.json_only.handle_request
        await app(scope, receive, send)


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, Receive]:
    """The request body (up to just over `limit`: the SDK refuses what is larger), and a `receive` that
    hands it on as if unread."""
    chunks: list[bytes] = []
    size, more = 0, True
    while more and size <= limit:
        message = await receive()
        if message["type"] != "http.request":  # the client went away: let the app see that
            return b"".join(chunks), _replay([message], receive)
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        more = message.get("more_body", False)
    body = b"".join(chunks)
    return body, _replay([{"type": "http.request", "body": body, "more_body": more}], receive)


def _replay(messages: list[dict[str, Any]], receive: Receive) -> Receive:
    async def replaying() -> Any:
        return messages.pop(0) if messages else await receive()
    return replaying


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

