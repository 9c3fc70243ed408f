"""Putting the server together: settings -> (sandbox) -> runtime -> transport."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import AsyncIterator

from smtp2go_mcp.config import LOOPBACK_HOSTS, Settings
from smtp2go_mcp.catalog import ToolEntry
from smtp2go_mcp.registry import REGISTRY, ToolSpec
from smtp2go_mcp.runtime import Runtime

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
    """Start the SMTP2GO simulator and an SMTP sink on loopback, and point every tool at them."""
    from smtp2go_mcp.simulator import SANDBOX_API_KEY, Simulator
    from smtp2go_mcp.smtp.profiles import SmtpProfile
    from smtp2go_mcp.smtp.sink import running_sink

    data_dir = settings.data_dir / "sandbox"
    mail_dir = data_dir / "mail"
    from smtp2go_mcp import http_server

    simulator = Simulator()
    async with http_server.serving(simulator.app, "127.0.0.1", 0, lifespan="off") as url, \
            running_sink(mail_dir) as (host, port):
        log.info("Sandbox mode: SMTP2GO tools use a simulated demo account at %s/v3 "
                 "(nothing is sent; state resets on restart)", url)
        log.info("Sandbox mode: SMTP tools deliver to a local SMTP sink at %s:%d; each message is kept as an "
                 ".eml file in %s", host, port, mail_dir)
        if settings.api_key:
            log.info("Sandbox mode ignores the configured SMTP2GO_API_KEY")
        sink = SmtpProfile(name="sandbox", host=host, port=port, security="none",
                           from_address="Sandbox <sandbox@example.com>", source="default")
        yield settings.with_(api_url=f"{url}/v3", api_key=SANDBOX_API_KEY, data_dir=data_dir,
                             smtp_default=sink, smtp_sandbox=sink)


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


async def serve(settings: Settings, tools: list[ToolEntry]) -> None:
    from smtp2go_mcp import mcp_server

    async with runtime_for(settings) as runtime:
        log.info("Offering %d tools", len(tools))
        server = mcp_server.build_server(tools, runtime)
        if settings.transport == "stdio":
            await mcp_server.serve_stdio(server)
            return
        import uvicorn

        from smtp2go_mcp import http_server

        if settings.transport == "sse":
            app, path = mcp_server.sse_app(server, settings), "/sse"
        else:
            app, path = mcp_server.streamable_http_app(server, settings), "/mcp"
        sock = http_server.bind(settings.host, settings.port)
        log.info("Serving MCP over %s at %s%s%s", settings.transport, http_server.url_of(sock), path,
                 " (bearer token required)" if settings.auth_token else "")
        if settings.host not in LOOPBACK_HOSTS:
            if not settings.auth_token:
                log.warning("Listening on %s with no token (--insecure-no-auth): anyone who can reach the port "
                            "can use this server's tools", settings.host)
            if not settings.allowed_hosts:
                log.warning("Only requests addressed to localhost pass the Host check; add the names clients use "
                            "with --allowed-hosts (e.g. mcp.example.com:*)")
        await uvicorn.Server(http_server.config(app, access_log=True)).serve(sockets=[sock])
