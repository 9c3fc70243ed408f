"""Bearer-token protection for the HTTP transports (plain ASGI; no MCP here).

A server reachable from other machines must not hand an SMTP2GO account to
anyone who finds the port: when a token is configured, every HTTP request must
carry `Authorization: Bearer <token>`, compared in constant time.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

MIN_TOKEN_LENGTH = 16


class BearerTokenMiddleware:
    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self._token = token.encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self._authorized(scope):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error": "unauthorized", "error_description":
                           "Send the server's token as 'Authorization: Bearer <token>'."}).encode()
        await send({"type": "http.response.start", "status": 401, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", b'Bearer realm="smtp2go-mcp"')]})
        await send({"type": "http.response.body", "body": body})

    def _authorized(self, scope: dict[str, Any]) -> bool:
        return bearer_token_matches(scope, self._token)


def bearer_token_matches(scope: dict[str, Any], token: bytes) -> bool:
    """Whether the request carries `Authorization: Bearer <token>`."""
    scheme, _, value = header(scope, b"authorization").partition(b" ")
    # compare_digest runs in time independent of where the strings differ.
    return scheme.lower() == b"bearer" and hmac.compare_digest(value.strip(), token)


def header(scope: dict[str, Any], name: bytes) -> bytes:
    """The first value of a raw ASGI request's header `name` (lowercase), or b""."""
    return next((v for k, v in scope.get("headers", []) if k.lower() == name), b"")
