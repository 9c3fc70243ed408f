"""The one HTTP client for SMTP2GO: pooled connections, timeouts, envelope parsing.

The API key goes in the `X-Smtp2go-Api-Key` header of each request and
nowhere else: never in a body, a URL, a log line or an exception.

It runs on aiohttp: with many calls in flight (an HTTP server shared by several agents) its
connection pool costs a fraction of the CPU per request that httpx2's does, whose pool probes
every idle connection's socket each time a request starts or ends.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import anyio
import httpx2

from smtp2go_mcp import __version__
from smtp2go_mcp.api import errors

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger(__name__)

API_KEY_HEADER = "X-Smtp2go-Api-Key"
DEFAULT_API_URL = "https://api.smtp2go.com/v3"

# Documented per-endpoint limits (reference §1.4), quoted when a 429 gives no wait time.
_KNOWN_LIMITS = {
    "activity/search": "60 requests per minute",
    "email/search": "20 requests per minute",
    "api_keys/add": "5 requests per minute",
    "subaccount/add": "50 requests per hour",
}


@dataclass(frozen=True)
class ApiResponse:
    status: int
    request_id: str | None
    data: Any


@dataclass(frozen=True)
class RetryPolicy:
    """How reads are retried on 429, 5xx and connection errors (changes and sends never are)."""

    retries: int = 2  # attempts after the first
    base_delay: float = 0.5  # seconds; doubles each time, with jitter
    max_delay: float = 8.0
    budget: float = 15.0  # total seconds a call may spend waiting between attempts

    def delay(self, attempt: int, error: errors.Smtp2goError) -> float:
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            return retry_after
        backoff = min(self.max_delay, self.base_delay * 2 ** attempt)
        return backoff / 2 + random.uniform(0, backoff / 2)  # jitter: concurrent callers spread out


_RETRYABLE = (errors.RateLimited, errors.ServerError, errors.ConnectionFailed)


@dataclass(frozen=True)
class HttpResponse:
    """An answer read in full: what the parsing below looks at."""

    status: int
    headers: Mapping[str, str]  # case-insensitive
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class Smtp2goClient:
    """Async client for the SMTP2GO v3 API. One instance is shared by every tool call."""

    def __init__(self, *, base_url: str = DEFAULT_API_URL, api_key: str | None = None,
                 timeout: float = 30.0, max_connections: int = 256, retry: RetryPolicy | None = None) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self._api_key = api_key or None
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        # HTTP/1.1 takes a connection per call in flight; keep-alive connections are reused.
        self.max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    def _http(self) -> aiohttp.ClientSession:
        """The pooled session, made on first use: it belongs to the event loop that makes it."""
        import aiohttp  # noqa: PLC0415 - on the first API call: the import would add ~80 ms to start-up

        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            # For https, the trust store httpx2 uses elsewhere in this server: the system's (through
            # truststore), or SSL_CERT_FILE. Loading it takes a while, so plain http (the sandbox) skips it.
            tls = httpx2.create_ssl_context() if self.base_url.startswith("https:") else True
            connector = aiohttp.TCPConnector(limit=self.max_connections, limit_per_host=0, ssl=tls)
            self._session = aiohttp.ClientSession(
                connector=connector,
                # connect covers waiting for a free pooled connection too; sock_read is the wait for the answer.
                timeout=aiohttp.ClientTimeout(total=None, connect=self.timeout,
                                              sock_connect=min(10.0, self.timeout), sock_read=self.timeout),
                headers={"User-Agent": f"smtp2go-mcp/{__version__}", "Accept": "application/json"},
                # HTTP(S)_PROXY and NO_PROXY are read here, once: aiohttp's trust_env would look them up,
                # and read ~/.netrc in a thread, on every request.
                proxy=_env_proxy(self.base_url), raise_for_status=False)
            self._session_loop = loop
        return self._session

    def __repr__(self) -> str:  # never show the key
        return f"Smtp2goClient(base_url={self.base_url!r}, api_key={'set' if self._api_key else 'unset'})"

    @property
    def has_api_key(self) -> bool:
        return self._api_key is not None

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def call(self, endpoint: str, body: dict[str, Any] | None = None, *, method: str = "POST",
                   api_key: str | None = None, read_only: bool = False) -> ApiResponse:
        """Call `endpoint` (e.g. "activity/search") and return its `data`, or raise a Smtp2goError.

        A read (`read_only`) is retried per the RetryPolicy. Anything else is sent exactly once: if
        the answer is lost after the request went out, OutcomeUnknown says so instead of guessing.
        """
        key = api_key or self._api_key
        if not key:
            raise errors.MissingApiKey()
        waited = 0.0
        for attempt in range(self.retry.retries + 1 if read_only else 1):
            try:
                return await self._once(method, endpoint, body, key, read_only)
            except _RETRYABLE as error:
                delay = self.retry.delay(attempt, error)
                if not read_only or attempt == self.retry.retries or waited + delay > self.retry.budget:
                    raise
                log.info("retrying %s in %.1f s after %s (attempt %d of %d)", endpoint, delay, error.code,
                         attempt + 2, self.retry.retries + 1)
                waited += delay
                await anyio.sleep(delay)
        raise AssertionError("unreachable")

    async def _once(self, method: str, endpoint: str, body: dict[str, Any] | None, key: str,
                    read_only: bool) -> ApiResponse:
        import aiohttp  # noqa: PLC0415 - imported by _http() on the first call; its exceptions are caught here

        started = time.monotonic()
        try:
            async with self._http().request(
                method, self.base_url + endpoint, allow_redirects=False,
                data=json.dumps(body or {}, separators=(",", ":"), ensure_ascii=False).encode(),
                headers={API_KEY_HEADER: key, "Content-Type": "application/json"},
            ) as answer:
                response = HttpResponse(answer.status, answer.headers, await answer.read())
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            # The request never left (no connection, or none free in time): nothing happened on SMTP2GO's side.
            raise errors.ConnectionFailed(
                f"Could not reach SMTP2GO at {self.base_url} ({type(exc).__name__}: {_short(str(exc)) or 'no detail'}). "
                "Check the network and the SMTP2GO_API_URL setting, then try again."
            ) from None
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            timed_out = isinstance(exc, asyncio.TimeoutError)
            what = f"did not answer {endpoint} within {self.timeout:g} s" if timed_out else \
                f"dropped the connection during {endpoint} ({type(exc).__name__})"
            if read_only:
                kind = errors.Timeout if timed_out else errors.ConnectionFailed
                raise kind(f"SMTP2GO {what}. Nothing was changed; try again shortly.") from None
            raise errors.OutcomeUnknown(
                f"SMTP2GO {what} after the request was sent, so the change may or may not have been made. "
                "Do not repeat it yet: check the current state with the matching view or search tool first."
            ) from None
        log.info("%s %s -> %s in %.0f ms", method, endpoint, response.status, (time.monotonic() - started) * 1000)
        return _parse(endpoint, response)


def _env_proxy(url: str) -> str | None:
    """The proxy the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) names for `url`, if any."""
    parts = urlsplit(url)
    if urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return urllib.request.getproxies().get(parts.scheme)


def _parse(endpoint: str, response: HttpResponse) -> ApiResponse:
    status = response.status
    try:
        payload = json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        payload = None
    envelope = payload if isinstance(payload, dict) else None
    data = envelope.get("data") if envelope else None
    request_id = envelope.get("request_id") if envelope else None
    if not isinstance(request_id, str):
        request_id = None
    api_error = data if isinstance(data, dict) and ("error_code" in data or "error" in data) else None

    if 200 <= status < 300 and envelope is not None and "data" in envelope and api_error is None:
        return ApiResponse(status, request_id, data)
    if 200 <= status < 300 and api_error is None:
        raise errors.BadResponse(
            f"SMTP2GO answered {endpoint} with HTTP {status} but {_what_body(response, payload)}, not the "
            "JSON envelope {request_id, data}. This usually means a proxy or an outage page; try again "
            "shortly, and check SMTP2GO_API_URL if it persists.",
            request_id=request_id, status=status,
        )
    raise _error_for(endpoint, response, api_error or {}, request_id, payload)


def _error_for(endpoint: str, response: HttpResponse, api_error: dict[str, Any],
               request_id: str | None, payload: Any) -> errors.Smtp2goError:
    status = response.status
    code = api_error.get("error_code") if isinstance(api_error.get("error_code"), str) else None
    text = _short(str(api_error.get("error") or ""), 300)
    kw: dict[str, Any] = {"request_id": request_id, "status": status}
    rid = f" (request_id {request_id})" if request_id else ""
    said = f' SMTP2GO said: "{text}"' if text else ""

    if status == 401 or (code or "").endswith("API_KEY_INVALID"):
        return errors.InvalidApiKey(
            "SMTP2GO refused the API key (HTTP 401): it is wrong, disabled or deleted. Check the "
            "SMTP2GO_API_KEY this server runs with (keys look like 'api-' followed by 32 characters) "
            "and the key's status in the SMTP2GO app under Sending > API Keys." + said,
            code=code, **kw)
    if (code or "").endswith("ENDPOINT_PERMISSION_DENIED") or status == 403:
        return errors.PermissionDenied(
            f"This API key is not permitted to call /{endpoint}.{said} In the SMTP2GO app (Sending > "
            f"API Keys > the key > Permissions) allow the /{endpoint} endpoint for this key, or "
            "configure a key that has it.", code=code, **kw)
    if status == 429:
        retry_after = _retry_after(response)
        if retry_after is not None:
            when = f"Retry after {retry_after:g} seconds."
        else:
            limit = _KNOWN_LIMITS.get(endpoint)
            when = (f"/{endpoint} allows {limit}; wait a minute, then retry with exponential backoff."
                    if limit else "Wait about a minute, then retry with exponential backoff.")
        return errors.RateLimited(
            f"SMTP2GO is rate-limiting /{endpoint} (HTTP 429). {when}{said}",
            retry_after=retry_after, code=code, **kw)
    if status >= 500:
        body = said or f" The body was {_what_body(response, payload)}."
        return errors.ServerError(
            f"SMTP2GO failed with HTTP {status} on /{endpoint}{rid}; the problem is on SMTP2GO's side.{body} "
            "Try again in a little while; if it persists, contact SMTP2GO support quoting the request_id.",
            code=code, **kw)
    fve = api_error.get("field_validation_errors")
    if isinstance(fve, list):  # documented as one object; tolerate a list of them
        fve = next((f for f in fve if isinstance(f, dict)), None)
    if isinstance(fve, dict):
        field = fve.get("fieldname") if isinstance(fve.get("fieldname"), str) else None
        message = _short(str(fve.get("message") or ""), 300)
        return errors.FieldRejected(
            f"SMTP2GO rejected the field '{field or '?'}': {message or text or 'invalid value'} "
            f"Correct `{field or 'the field'}` and call the tool again.",
            field=field, code=code, **kw)
    if status == 404:
        return errors.NotFound(
            f"SMTP2GO answered HTTP 404 for /{endpoint}: the thing asked for does not exist.{said}",
            code=code, **kw)
    if not code and not text:
        return errors.BadResponse(
            f"SMTP2GO answered /{endpoint} with HTTP {status} and {_what_body(response, payload)}; "
            "no error detail was given.", status=status, request_id=request_id)
    return errors.ApiErrorResponse(
        f"SMTP2GO refused the request (HTTP {status}{', ' + code if code else ''}).{said}",
        code=code or f"http_{status}", **kw)


def _retry_after(response: HttpResponse) -> float | None:
    value = response.headers.get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
            except (TypeError, ValueError):
                pass
    reset = response.headers.get("X-RateLimit-Reset")  # seconds until the window resets (2017 docs)
    if reset:
        try:
            seconds = float(reset)
        except ValueError:
            return None
        # Some APIs send an epoch time here instead of a delta.
        return max(0.0, seconds - time.time()) if seconds > 1e9 else max(0.0, seconds)
    return None


def _what_body(response: HttpResponse, payload: Any) -> str:
    if not response.content:
        return "an empty body"
    if payload is not None:
        return "JSON of an unexpected shape"
    kind = response.headers.get("content-type", "unknown type").split(";")[0]
    return f"a non-JSON body ({kind}: {_short(response.text, 80)!r})"


_SPACE = re.compile(r"\s+")


def _short(text: str, limit: int = 160) -> str:
    text = _SPACE.sub(" ", "".join(ch for ch in text if ch.isprintable() or ch.isspace())).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
