"""Putting the server together: settings -> (sandbox) -> runtime -> transport."""

from __future__ import annotations

import gc

import contextlib
import logging
import secrets
import sys
from collections.abc import AsyncIterator
from typing import Any

from smtp2go_mcp.config import LOOPBACK_HOSTS, Settings
from smtp2go_mcp.catalog import ToolEntry
from smtp2go_mcp.registry import REGISTRY, ToolSpec
from smtp2go_mcp.runtime import Runtime
from smtp2go_mcp.toolsets import DynamicToolsets

log = logging.getLogger("smtp2go_mcp")


def all_tools() -> list[ToolSpec]:
    from smtp2go_mcp import tools

    tools.load_all()
    return list(REGISTRY.values())


def setup_logging(level: str) -> None:
    """Logs go to stderr only: on stdio, stdout carries nothing but JSON-RPC."""
    logging.basicConfig(stream=sys.stderr, level=level, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx2", "httpcore2", "httpx", "httpcore", "mcp", "mail.log"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


@contextlib.asynccontextmanager
async def sandbox(settings: Settings) -> AsyncIterator[Settings]:
    """Start the SMTP2GO simulator, an SMTP sink and a webhook receiver on loopback; point every tool at them."""
    from smtp2go_mcp.events import EventStore
    from smtp2go_mcp.events.receiver import WebhookReceiver, mask, receiver_url
    from smtp2go_mcp.simulator import SANDBOX_API_KEY, Simulator
    from smtp2go_mcp.smtp.profiles import SmtpProfile
    from smtp2go_mcp.smtp.sink import running_sink

    data_dir = settings.data_dir / "sandbox"
    mail_dir = data_dir / "mail"
    from smtp2go_mcp import http_server

    simulator = Simulator()
    events = EventStore(data_dir, settings.events_max)
    # A new simulator starts from the same demo account and hands out the same email ids: old events would mix in.
    events.clear()
    secret = settings.webhook_secret or secrets.token_urlsafe(24)
    async with http_server.serving(simulator.app, "127.0.0.1", 0, lifespan="off") as url, \
            running_sink(mail_dir) as (host, port), \
            http_server.serving(WebhookReceiver(events, secret), "127.0.0.1", 0, lifespan="off") as hooks_url:
        # Every email event, as JSON, to the receiver: SMTP2GO_EVENTS_RECENT works with no setup.
        simulator.add_webhook(receiver_url(hooks_url, secret), output_format="json")
        log.info("Sandbox mode: SMTP2GO tools use a simulated demo account at %s/v3 "
                 "(nothing is sent; state resets on restart)", url)
        log.info("Sandbox mode: SMTP tools deliver to a local SMTP sink at %s:%d; each message is kept as an "
                 ".eml file in %s", host, port, mail_dir)
        log.info("Sandbox mode: the simulator posts delivery events to a webhook receiver at %s; "
                 "SMTP2GO_EVENTS_RECENT shows them", mask(receiver_url(hooks_url, secret)))
        if settings.api_key:
            log.info("Sandbox mode ignores the configured SMTP2GO_API_KEY")
        sink = SmtpProfile(name="sandbox", host=host, port=port, security="none",
                           from_address="Sandbox <sandbox@example.com>", source="default")
        yield settings.with_(api_url=f"{url}/v3", api_key=SANDBOX_API_KEY, data_dir=data_dir,
                             smtp_default=sink, smtp_sandbox=sink, webhook_secret=secret, public_url=hooks_url)


@contextlib.asynccontextmanager
async def runtime_for(settings: Settings) -> AsyncIterator[Runtime]:
    async with contextlib.AsyncExitStack() as stack:
        if settings.sandbox:
            settings = await stack.enter_async_context(sandbox(settings))
        elif not settings.api_key:
            log.warning("SMTP2GO_API_KEY is not set: tools are listed, but SMTP2GO calls will answer "
                        "missing_api_key (use --sandbox to try them without an account)")
        runtime = Runtime.create(settings)
        stack.push_async_callback(runtime.aclose)
        yield runtime


async def serve(settings: Settings, tools: list[ToolEntry] | DynamicToolsets[ToolEntry]) -> None:
    from smtp2go_mcp import mcp_server

    async with runtime_for(settings) as runtime:
        if isinstance(tools, DynamicToolsets):
            log.info("Dynamic toolsets: offering the discovery tools%s; %d more tools on request",
                     f" and the {', '.join(sorted(tools.enabled))} toolset(s)" if tools.enabled else "",
                     len(tools.available))
        else:
            log.info("Offering %d tools", len(tools))
        server = mcp_server.build_server(tools, runtime)
        # What start-up built lives as long as the process: kept out of the garbage collector's
        # full passes, which otherwise walk it all and stall calls in flight for tens of ms.
        gc.freeze()
        if settings.transport == "stdio":
            await mcp_server.serve_stdio(server)
            return
        import uvicorn

        from smtp2go_mcp import http_server

        app, path = http_app(server, settings, runtime)
        sock = http_server.bind(settings.host, settings.port)
        log.info("Serving MCP over %s at %s%s%s", settings.transport, http_server.url_of(sock), path,
                 " (bearer token required)" if settings.auth_token else "")
        if settings.webhook_secret:
            log.info("Accepting SMTP2GO webhook posts at %s/webhooks/smtp2go/*** (the secret is "
                     "SMTP2GO_MCP_WEBHOOK_SECRET)%s", http_server.url_of(sock),
                     f"; SMTP2GO reaches it at {settings.public_url}" if settings.public_url else
                     "; set SMTP2GO_MCP_PUBLIC_URL so SMTP2GO_WEBHOOK_ADD this_server: true can point webhooks here")
        if settings.host not in LOOPBACK_HOSTS:
            if not settings.auth_token:
                log.warning("Listening on %s with no token (--insecure-no-auth): anyone who can reach the port "
                            "can use this server's tools", settings.host)
            if not settings.allowed_hosts:
                log.warning("Only requests addressed to localhost pass the Host check; add the names clients use "
                            "with --allowed-hosts (e.g. mcp.example.com:*)")
        await uvicorn.Server(http_server.config(app, access_log=True)).serve(sockets=[sock])


def http_app(server: Any, settings: Settings, runtime: Runtime) -> tuple[Any, str]:
    """What the HTTP transports serve, and the MCP path: the MCP app, and beside it (with
    SMTP2GO_MCP_WEBHOOK_SECRET) the receiver of SMTP2GO's webhook posts at /webhooks/smtp2go/<secret>."""
    from smtp2go_mcp import mcp_server
    from smtp2go_mcp.events import receiver

    if settings.transport == "sse":
        app, path = mcp_server.sse_app(server, settings), "/sse"
    else:
        app, path = mcp_server.streamable_http_app(server, settings), "/mcp"
    # Access logs show every path: whatever follows /webhooks/smtp2go/ is masked, secret or guess.
    receiver.mask_access_log()
    if settings.webhook_secret:
        app = receiver.WebhookDispatcher(app, receiver.WebhookReceiver(runtime.events, settings.webhook_secret))
    return app, path
