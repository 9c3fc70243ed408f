"""The simulator as an ASGI app: `/v3/<endpoint>` like the real API, `/_sim/*` to steer it.

`/_sim/*` is the simulator's own control surface (not part of SMTP2GO):
  GET  /_sim/requests            what the API received, oldest first
  DELETE /_sim/requests          forget them
  POST /_sim/faults              inject a fault: {"endpoint": "activity/search" | "*", "status": 503,
                                 "body": "json|html|text|truncated|empty|reset", "delay": 2.5, "times": 1,
                                 "headers": {...}, "data": {...}, "error_code": "...", "error": "...",
                                 "invalid_field": ["fieldname", "message"]}
  DELETE /_sim/faults            clear them
  POST /_sim/keys                add an API key: {"key": "api-...", "endpoints": ["/email/send"]}
  POST /_sim/reset               back to the seeded demo account
  GET  /_sim/archive/<id>.eml    the original message of an archived (sent) email
  GET  /_sim/webhook_posts       the webhook posts made, oldest first: {webhook_id, url, event, email_id,
                                 rcpt, status, error} (status null: not answered; see webhook_posts.py)
  DELETE /_sim/webhook_posts     forget them
  POST /_sim/events              an event for one recipient of a sent email, recorded in the activity and
                                 posted to the webhooks: {"email_id": "...", "rcpt": "...", "event":
                                 "open" | "click" | "spam" | "unsubscribe" | "resubscribe" | "bounce" |
                                 "delivered" | "reject", "bounce": "soft" | "hard", "url": "..." (clicks)}
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from smtp2go_mcp.simulator import routes as _routes  # noqa: F401  (registers the endpoints)
from smtp2go_mcp.simulator import webhook_posts
from smtp2go_mcp.simulator.core import ROUTES, Body, SimError, invalid, new_request_id
from smtp2go_mcp.simulator.routes.email import archived_message, release_due
from smtp2go_mcp.simulator.routes.webhooks import EMAIL_EVENTS, new_webhook
from smtp2go_mcp.simulator.state import ApiKeyRecord, SimState

MAX_LOGGED_REQUESTS = 2000


@dataclass
class Fault:
    endpoint: str = "*"
    status: int = 500
    body: str = "json"
    delay: float = 0.0
    times: int | None = 1  # None: until cleared
    headers: dict[str, str] = field(default_factory=dict)
    data: Any = None
    error_code: str | None = None
    error: str | None = None
    invalid_field: tuple[str, str] | None = None  # field_validation_errors: (fieldname, message)


class Simulator:
    """State, request log and faults behind one app; safe to drive from another thread."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency  # seconds added to every API answer, like a far-away API
        self.state = SimState.seeded()
        self.requests: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.webhook_posts: list[dict[str, Any]] = []
        self._sending: set[asyncio.Task[None]] = set()  # webhook posts under way (a reference keeps them alive)
        self._lock = threading.Lock()
        self.app = Starlette(routes=[
            Route("/_sim/requests", self._requests, methods=["GET", "DELETE"]),
            Route("/_sim/faults", self._faults, methods=["POST", "DELETE"]),
            Route("/_sim/keys", self._keys, methods=["POST"]),
            Route("/_sim/reset", self._reset, methods=["POST"]),
            Route("/_sim/archive/{email_id}.eml", self._archived, methods=["GET"]),
            Route("/_sim/webhook_posts", self._webhook_posts, methods=["GET", "DELETE"]),
            Route("/_sim/events", self._trigger, methods=["POST"]),
            Route("/v3/{endpoint:path}", self._api, methods=["GET", "POST", "PATCH", "PUT", "DELETE"]),
        ])

    # -- the API -------------------------------------------------------------------------
    async def _api(self, request: Request) -> Response:
        endpoint = request.path_params["endpoint"].strip("/")
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else {}
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        with self._lock:
            self._log(request, endpoint, raw, body)
            fault = self._take_fault(endpoint)
        if self.latency:
            await asyncio.sleep(self.latency)
        if fault:
            return await self._inject(fault)
        try:
            with self._lock:
                data = self._handle(request, endpoint, body)
        except SimError as exc:
            return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)
        finally:
            self._send_webhook_posts()
        return JSONResponse({"request_id": new_request_id(), "data": data})

    def _handle(self, request: Request, endpoint: str, body: Any) -> Any:
        key = _api_key(request, body if isinstance(body, dict) else {})
        record = self.state.keys.get(key or "")
        if record is None or record.status == "blocked":
            raise SimError(401, "API_KEY_INVALID", "API key is invalid" if key else "No API key was supplied")
        handler = ROUTES.get((request.method, endpoint))
        if handler is None:
            known = any(e == endpoint for _, e in ROUTES)
            raise SimError(405 if known else 404, "NOT_FOUND",
                           f"{request.method} is not supported on /{endpoint}" if known else f"Unknown endpoint /{endpoint}")
        # api_keys/permissions "is available to all API Keys" (reference §2.5).
        if endpoint != "api_keys/permissions" and not record.may_call("/" + endpoint):
            raise SimError(400, "ENDPOINT_PERMISSION_DENIED", "You do not have permission to access this API endpoint")
        if not isinstance(body, dict):
            raise invalid("body", "The request body is not a JSON object.")
        self.state.caller = record
        self.state.base_url = str(request.base_url).rstrip("/")
        release_due(self.state)
        body = {k: v for k, v in body.items() if k != "api_key" or endpoint.startswith("ip_allow_list")}
        return handler(self.state, Body(body))

    def _log(self, request: Request, endpoint: str, raw: bytes, body: Any) -> None:
        self.requests.append({
            "method": request.method, "endpoint": endpoint, "path": request.url.path,
            "headers": {k.lower(): v for k, v in request.headers.items()},
            "body": body, "raw": raw.decode("utf-8", "replace"),
        })
        del self.requests[:-MAX_LOGGED_REQUESTS]

    def _take_fault(self, endpoint: str) -> Fault | None:
        for fault in self.faults:
            if fault.endpoint in ("*", endpoint):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                return fault
        return None

    async def _inject(self, fault: Fault) -> Response:
        if fault.delay:
            await asyncio.sleep(fault.delay)
        headers = dict(fault.headers)
        if fault.body == "reset":
            return _DroppedResponse()
        if fault.body == "html":
            return Response(f"<html><head><title>{fault.status}</title></head><body><h1>{fault.status} "
                            "Service Unavailable</h1></body></html>", fault.status, headers, "text/html")
        if fault.body == "text":
            return Response("upstream connect error or disconnect/reset before headers", fault.status, headers, "text/plain")
        if fault.body == "empty":
            return Response(b"", fault.status, headers, "application/json")
        if fault.data is not None:
            payload: dict[str, Any] = {"request_id": new_request_id(), "data": fault.data}
        elif fault.status < 400:
            payload = {"request_id": new_request_id(), "data": {}}
        else:
            payload = SimError(fault.status, fault.error_code or _default_code(fault.status),
                               fault.error or _default_error(fault.status),
                               tuple(fault.invalid_field) if fault.invalid_field else None).body()
        text = json.dumps(payload)
        if fault.body == "truncated":
            text = text[: len(text) // 2]
        return Response(text, fault.status, headers, "application/json")

    # -- control -------------------------------------------------------------------------
    async def _requests(self, request: Request) -> Response:
        with self._lock:
            if request.method == "DELETE":
                self.requests.clear()
                return JSONResponse({"cleared": True})
            return JSONResponse(list(self.requests))

    async def _faults(self, request: Request) -> Response:
        with self._lock:
            if request.method == "DELETE":
                self.faults.clear()
                return JSONResponse({"cleared": True})
            self.faults.append(Fault(**await request.json()))
            return JSONResponse({"faults": len(self.faults)})

    async def _keys(self, request: Request) -> Response:
        spec = await request.json()
        with self._lock:
            self.state.keys[spec["key"]] = ApiKeyRecord(spec["key"], list(spec.get("endpoints", ["/email/send"])),
                                                        status=spec.get("status", "allowed"))
        return JSONResponse({"key": spec["key"][:16]})

    async def _archived(self, request: Request) -> Response:
        with self._lock:
            raw = archived_message(self.state, request.path_params["email_id"])
        if raw is None:
            return Response("no such archived email", 404, media_type="text/plain")
        return Response(raw, media_type="message/rfc822")

    async def _reset(self, request: Request) -> Response:
        with self._lock:
            self.state = SimState.seeded()
            self.requests.clear()
            self.faults.clear()
            self.webhook_posts.clear()
        return JSONResponse({"reset": True})

    # -- webhooks ------------------------------------------------------------------------
    def add_webhook(self, url: str, events: tuple[str, ...] = EMAIL_EVENTS, **settings: Any) -> dict[str, Any]:
        """Add a webhook to the account directly (the sandbox points one at its receiver)."""
        with self._lock:
            return new_webhook(self.state, {**settings, "url": url, "events": list(events)})

    async def _webhook_posts(self, request: Request) -> Response:
        with self._lock:
            if request.method == "DELETE":
                self.webhook_posts.clear()
                return JSONResponse({"cleared": True})
            return JSONResponse(list(self.webhook_posts))

    async def _trigger(self, request: Request) -> Response:
        try:
            spec = json.loads(await request.body())
        except ValueError:
            spec = None
        try:
            if not isinstance(spec, dict):
                raise invalid("body", "Expected a JSON object.")
            with self._lock:
                result = webhook_posts.trigger(self.state, Body(spec))
        except SimError as exc:
            return JSONResponse(exc.body(), status_code=exc.status)
        finally:
            self._send_webhook_posts()
        return JSONResponse(result)

    def _send_webhook_posts(self) -> None:
        """Send what the last request queued, after answering it (SMTP2GO does not make the API wait)."""
        with self._lock:
            posts, self.state.webhook_outbox = self.state.webhook_outbox, []
        if posts:
            task = asyncio.get_running_loop().create_task(webhook_posts.send(posts, self._record_post))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    def _record_post(self, post: webhook_posts.Post, status: int | None, error: str | None) -> None:
        with self._lock:
            self.webhook_posts.append({"webhook_id": post.webhook_id, "url": post.url, "event": post.event,
                                       "email_id": post.email_id, "rcpt": post.rcpt, "status": status,
                                       "error": error, "content_type": post.headers.get("Content-Type"),
                                       "authorization": post.headers.get("Authorization")})
            del self.webhook_posts[:-MAX_LOGGED_REQUESTS]


class _DroppedResponse(Response):
    """The connection dies mid-answer: headers and part of the body, then the server drops it."""

    def __init__(self) -> None:
        super().__init__(b"", 200, media_type="application/json")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")]})
        await send({"type": "http.response.body", "body": b'{"request_id": "', "more_body": True})
        # uvicorn closes a connection whose app fails after the response started.
        raise ConnectionAbortedError("simulated connection reset")


def _api_key(request: Request, body: dict[str, Any]) -> str | None:
    """The three documented ways to authenticate (reference §1.2); the header wins."""
    header = request.headers.get("x-smtp2go-api-key")
    if header:
        return header
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    value = body.get("api_key")
    return value if isinstance(value, str) else None


def _default_code(status: int) -> str:
    return {400: "NON_VALIDATING_IN_PAYLOAD", 401: "API_KEY_INVALID", 402: "API_EXCEPTION",
            403: "ENDPOINT_PERMISSION_DENIED", 404: "NOT_FOUND", 429: "REQ_LIMIT_EXCEEDED"}.get(status, "API_EXCEPTION")


def _default_error(status: int) -> str:
    return {429: "This endpoint is rate limited to 60 requests per minute",
            402: "The parameters were valid but the request failed",
            404: "The requested resource doesn't exist"}.get(status, "An internal error occurred")
