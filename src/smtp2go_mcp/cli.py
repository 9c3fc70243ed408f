"""The `smtp2go-mcp` command.

    smtp2go-mcp [--transport stdio|sse|streamable-http] [--host H] [--port P] [--sandbox]
    smtp2go-mcp manifests [--check] [--root DIR]
    smtp2go-mcp simulator [--host H] [--port P]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from smtp2go_mcp import __version__
from smtp2go_mcp.config import TRANSPORTS, ConfigError, Settings


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smtp2go-mcp",
        description="MCP server for SMTP2GO. Serves over stdio unless --transport says otherwise. "
        "Other commands: 'smtp2go-mcp manifests [--check]', 'smtp2go-mcp simulator'.",
        epilog="The API key comes from the SMTP2GO_API_KEY environment variable, never from a flag.")
    parser.add_argument("--version", action="version", version=f"smtp2go-mcp {__version__}")
    parser.add_argument("--transport", choices=TRANSPORTS, default=None,
                        help="stdio (default), sse (GET /sse + POST /messages/) or streamable-http (/mcp)")
    parser.add_argument("--host", default=None, help="address to bind for HTTP transports (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port for HTTP transports (default 8000)")
    parser.add_argument("--sandbox", action="store_true", default=None,
                        help="answer every SMTP2GO tool from an embedded simulator: no account needed, nothing sent")
    parser.add_argument("--auth-token", default=None,
                        help="require 'Authorization: Bearer <token>' on HTTP (prefer SMTP2GO_MCP_AUTH_TOKEN: "
                        "flags show in the process list)")
    parser.add_argument("--insecure-no-auth", action="store_true", default=None,
                        help="allow binding a non-loopback address without a token (only behind a proxy that "
                        "authenticates)")
    parser.add_argument("--allowed-hosts", default=None,
                        help="extra Host header values to accept, comma-separated (reverse proxies)")
    parser.add_argument("--allowed-origins", default=None, help="extra Origin values to accept, comma-separated")
    parser.add_argument("--toolsets", default=None,
                        help="offer only these toolsets, comma-separated (see the README's toolset table)")
    parser.add_argument("--read-only", action="store_true", default=None,
                        help="offer only tools that read: nothing is sent or changed")
    parser.add_argument("--tools", default=None, help="offer only these tools, comma-separated")
    parser.add_argument("--exclude-tools", default=None, help="never offer these tools, comma-separated")
    parser.add_argument("--dynamic-toolsets", action="store_true", default=None,
                        help="start with the toolset discovery tools (plus any --toolsets) and add toolsets on "
                        "the agent's request")
    parser.add_argument("--log-level", default=None, choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    return parser


def _split(value: str | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(p.strip() for p in value.split(",") if p.strip())


def _serve(argv: list[str]) -> int:
    args = _serve_parser().parse_args(argv)
    try:
        settings = Settings.load(transport=args.transport, host=args.host, port=args.port, sandbox=args.sandbox,
                                 allowed_hosts=_split(args.allowed_hosts),
                                 allowed_origins=_split(args.allowed_origins), log_level=args.log_level,
                                 auth_token=args.auth_token, insecure_no_auth=args.insecure_no_auth,
                                 toolsets=_split(args.toolsets), read_only=args.read_only,
                                 tools=_split(args.tools), exclude_tools=_split(args.exclude_tools),
                                 dynamic_toolsets=args.dynamic_toolsets)
        from smtp2go_mcp import catalog
        from smtp2go_mcp.toolsets import DynamicToolsets, select_tools

        tools = (DynamicToolsets.select(catalog.load(), settings) if settings.dynamic_toolsets
                 else select_tools(catalog.load(), settings))
    except ConfigError as exc:
        print(f"smtp2go-mcp: {exc}", file=sys.stderr)
        return 2
    import anyio

    from smtp2go_mcp.app import serve, setup_logging

    setup_logging(settings.log_level)
    try:
        anyio.run(serve, settings, tools, backend_options=_event_loop_options(settings))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"smtp2go-mcp: {exc}", file=sys.stderr)
        return 1
    return 0


def _event_loop_options(settings: Settings) -> dict[str, bool]:
    """uvloop for the HTTP transports where it is installed (not on Windows): with many calls in
    flight, the event loop's own work is a good part of each call's cost. stdio serves one client."""
    if settings.transport == "stdio" or importlib.util.find_spec("uvloop") is None:
        return {}
    return {"use_uvloop": True}


def _manifests(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="smtp2go-mcp manifests",
                                     description="Regenerate tool_manifests/, server.json and the README tables.")
    parser.add_argument("--check", action="store_true", help="only report stale files; exit 1 if any")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository root (default: .)")
    args = parser.parse_args(argv)
    from smtp2go_mcp import manifests
    from smtp2go_mcp.app import all_tools

    if not (args.root / "README.md").exists():
        print(f"smtp2go-mcp manifests: {args.root} has no README.md; run it from the repository root or pass --root",
              file=sys.stderr)
        return 2
    tools = all_tools()
    if args.check:
        problems = manifests.check(args.root, tools)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("Run `smtp2go-mcp manifests` to regenerate them.", file=sys.stderr)
            return 1
        print(f"{len(tools)} tool manifests, server.json and README tables are up to date.")
        return 0
    changed = manifests.write(args.root, tools)
    print(f"Updated {len(changed)} file(s)." if changed else "Nothing to update.")
    return 0


def _simulator(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="smtp2go-mcp simulator",
                                     description="Run the SMTP2GO API simulator on its own (base URL .../v3).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to add to every API answer")
    args = parser.parse_args(argv)
    import uvicorn

    from smtp2go_mcp import http_server
    from smtp2go_mcp.app import setup_logging
    from smtp2go_mcp.simulator import SANDBOX_API_KEY, Simulator

    setup_logging("INFO")
    sock = http_server.bind(args.host, args.port)
    print(f"SMTP2GO simulator at {http_server.url_of(sock)}/v3 (API key {SANDBOX_API_KEY})", file=sys.stderr)
    uvicorn.Server(http_server.config(Simulator(latency=args.latency).app, lifespan="off")).run(sockets=[sock])
    return 0


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    commands = {"manifests": _manifests, "simulator": _simulator}
    if argv and argv[0] in commands:
        sys.exit(commands[argv[0]](argv[1:]))
    sys.exit(_serve(argv))
