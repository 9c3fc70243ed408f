"""The webhook receiver: SMTP2GO posts delivery events to /webhooks/smtp2go/<secret> (plain ASGI).

SMTP2GO signs nothing and cannot send this server's bearer token, so the route
is authenticated by a secret in its path (reference §5.1), compared in constant
time. A wrong or missing secret gets the same 404 as any unknown path, so a
scanner learns nothing; SMTP2GO may also send the secret as a bearer token
(the webhook's auth_header_type/value) to the bare /webhooks/smtp2go. Every
rejection is counted in the store, where SMTP2GO_EVENTS_RECENT reports it.
The secret is never logged: paths under the route are logged masked.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from datetime import datetime, timezone
from typing import Any

import anyio.to_thread

from smtp2go_mcp.events.payload import MalformedPost, WebhookEvent, form_item, parse_items, parse_post
from smtp2go_mcp.events.store import EventStore
from smtp2go_mcp.http_auth import bearer_token_matches, header

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/smtp2go"
MAX_BODY_BYTES = 1024 * 1024  # one event is a few hundred bytes; SMTP2GO posts one per request
_SECRET_IN_PATH = re.compile(re.escape(WEBHOOK_PATH) + r"/[^\s?\"']*")

Scope = dict[str, Any]


def receiver_url(base_url: str, secret: str) -> str:
    """The address to give SMTP2GO for a server reachable at `base_url`."""
    return f"{base_url.rstrip('/')}{WEBHOOK_PATH}/{secret}"


def mask(text: str) -> str:
    """`text` with any secret after /webhooks/smtp2go/ replaced, for logs."""
    return _SECRET_IN_PATH.sub(f"{WEBHOOK_PATH}/***", text)


def is_webhook_path(path: str) -> bool:
    return path == WEBHOOK_PATH or path.startswith(WEBHOOK_PATH + "/")


class WebhookReceiver:
    """POST /webhooks/smtp2go/<secret>: store the events, answer 200 {"accepted": n}."""

    def __init__(self, store: EventStore, secret: str, max_body: int = MAX_BODY_BYTES) -> None:
        self.store = store
        self._secret = secret.encode()
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not is_webhook_path(scope["path"]):
            await _answer(send, 404, None)
            return
        if not self._authorized(scope):
            log.warning("Refused a webhook %s to %s from %s: wrong or missing secret", scope["method"],
                        mask(scope["path"]), _client(scope))
            await self._count("unauthorized")
            await _answer(send, 404, None)
            return
        if scope["method"] in ("GET", "HEAD"):
            # Lets a person check the address they are about to give SMTP2GO (it takes the secret to see this).
            await _answer(send, 200, {"receiver": "smtp2go-mcp", "ready": True})
            return
        if scope["method"] != "POST":
            await _answer(send, 405, {"error": "method_not_allowed", "detail": "POST webhook events here."},
                          [(b"allow", b"POST")])
            return
        body = await self._body(scope, receive)
        if body is None:
            log.warning("Refused a webhook post from %s: larger than %d bytes", _client(scope), self.max_body)
            await self._count("oversized")
            await _answer(send, 413, {"error": "too_large", "detail": f"At most {self.max_body} bytes."})
            return
        try:
            events = await _parse(scope, body)
        except MalformedPost as exc:
            log.warning("Refused a malformed webhook post from %s: %s", _client(scope), exc)
            await self._count("malformed")
            await _answer(send, 400, {"error": "malformed", "detail": str(exc)})
            return
        try:
            recorded = await anyio.to_thread.run_sync(self.store.record, events)
        except Exception:
            # 5xx: SMTP2GO retries later, so nothing is lost to a locked or full disk.
            log.exception("Could not store a webhook post")
            await _answer(send, 500, {"error": "not_stored", "detail": "Try again later."})
            return
        log.debug("Webhook post: %s (%d new)", ", ".join(sorted({e.raw_event for e in events})), recorded.stored)
        await _answer(send, 200, {"accepted": len(events)})

    def _authorized(self, scope: Scope) -> bool:
        given = scope["path"][len(WEBHOOK_PATH):].lstrip("/").encode()
        if given:
            return hmac.compare_digest(given, self._secret)
        return bearer_token_matches(scope, self._secret)

    async def _body(self, scope: Scope, receive: Any) -> bytes | None:
        """The request body, or None when it is larger than allowed (not read any further)."""
        declared = header(scope, b"content-length")
        if declared.isdigit() and int(declared) > self.max_body:
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _count(self, reason: str) -> None:
        try:
            await anyio.to_thread.run_sync(self.store.count_rejection, reason)
        except Exception:
            log.exception("Could not count a refused webhook post")


async def _parse(scope: Scope, body: bytes) -> list[WebhookEvent]:
    content_type = header(scope, b"content-type").decode("latin-1")
    received = datetime.now(timezone.utc)
    if content_type.lower().startswith("multipart/form-data"):
        return parse_items([await _multipart_item(scope, body)], received)
    return parse_post(body, content_type, received=received)


async def _multipart_item(scope: Scope, body: bytes) -> dict[str, Any]:
    # Not what SMTP2GO documents, but a "form" post may come this way; starlette parses it.
    from starlette.datastructures import Headers
    from starlette.formparsers import MultiPartException, MultiPartParser

    async def stream() -> Any:
        yield body
        yield b""

    try:
        form = await MultiPartParser(Headers(scope=scope), stream(), max_files=0, max_fields=1000).parse()
    except MultiPartException as exc:
        raise MalformedPost(f"the multipart form cannot be read ({exc.message})") from None
    return form_item((k, v) for k, v in form.multi_items() if isinstance(v, str))


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "an unknown address"


async def _answer(send: Any, status: int, payload: dict[str, Any] | None,
                  headers: list[tuple[bytes, bytes]] | None = None) -> None:
    if payload is None:
        body, media = b"Not Found", b"text/plain; charset=utf-8"
    else:
        body, media = json.dumps(payload).encode(), b"application/json"
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", media), (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class WebhookDispatcher:
    """Sends /webhooks/smtp2go/... to the receiver and everything else (lifespan too) to the MCP app.

    The MCP app keeps its own protection (bearer token, Host/Origin checks); the receiver's is its secret.
    """

    def __init__(self, app: Any, receiver: WebhookReceiver) -> None:
        self.app = app
        self.receiver = receiver

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and is_webhook_path(scope["path"]):
            await self.receiver(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class MaskWebhookPaths(logging.Filter):
    """Masks the secret in access-log lines (uvicorn logs every request's path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, str) and WEBHOOK_PATH in a for a in record.args):
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str) and WEBHOOK_PATH in record.msg:
            record.msg = mask(record.msg)
        return True


def mask_access_log() -> None:
    """Install MaskWebhookPaths on uvicorn's access and error loggers (once)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskWebhookPaths) for f in logger.filters):
            logger.addFilter(MaskWebhookPaths())
