"""Running a tool, independent of MCP: validate, run, and always answer with the envelope.

Whatever happens (bad arguments, an API error, a bug), the caller gets a
result that validates against the tool's output schema, with `isError` set on
failure and a text that says what to do next. Nothing here imports the SDK.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from smtp2go_mcp.api.client import RetryPolicy, Smtp2goClient
from smtp2go_mcp.api.errors import Smtp2goError
from smtp2go_mcp.config import Settings
from smtp2go_mcp.envelope import ToolOutput
from smtp2go_mcp.events import WEBHOOK_SECRET_PLACEHOLDER, EventStore
from smtp2go_mcp.registry import ToolSpec, UnexpectedResponse, describe_errors
from smtp2go_mcp.sendguard import SendLog, guarded_send
from smtp2go_mcp.smtp.identities import SenderStore
from smtp2go_mcp.toolsets import DynamicToolsets

log = logging.getLogger(__name__)

Progress = Callable[[float, float | None, str | None], Awaitable[None]]


async def no_progress(progress: float, total: float | None = None, message: str | None = None) -> None:
    return None


@dataclass
class Runtime:
    """What tools share for the life of the process."""

    settings: Settings
    api: Smtp2goClient
    senders: SenderStore
    send_log: SendLog
    events: EventStore  # delivery events from SMTP2GO webhooks
    # With --dynamic-toolsets: which toolsets are on (the discovery tools switch them on).
    toolsets: DynamicToolsets | None = None

    @classmethod
    def create(cls, settings: Settings) -> "Runtime":
        return cls(settings=settings,
                   api=Smtp2goClient(base_url=settings.api_url, api_key=settings.api_key, timeout=settings.timeout,
                                     retry=RetryPolicy(retries=settings.retries, base_delay=settings.retry_base_delay,
                                                       budget=settings.retry_budget)),
                   senders=SenderStore(settings.data_dir), send_log=SendLog(settings.data_dir),
                   events=EventStore(settings.data_dir, settings.events_max))

    async def aclose(self) -> None:
        await self.api.aclose()


@dataclass
class ToolContext:
    """What one tool call may use."""

    runtime: Runtime
    report_progress: Progress = no_progress
    api_key: str | None = field(default=None, repr=False)  # the calling client's own SMTP2GO key

    @property
    def api(self) -> Smtp2goClient | KeyedClient:
        return KeyedClient(self.runtime.api, self.api_key) if self.api_key else self.runtime.api

    @property
    def settings(self) -> Settings:
        return self.runtime.settings


@dataclass(frozen=True)
class KeyedClient:
    """The shared client, calling with one HTTP client's own API key."""

    client: Smtp2goClient
    api_key: str = field(repr=False)

    @property
    def timeout(self) -> float:
        return self.client.timeout

    async def call(self, endpoint: str, body: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return await self.client.call(endpoint, body, api_key=self.api_key, **kwargs)


@dataclass(frozen=True)
class ToolResult:
    structured: dict[str, Any]
    text: str
    is_error: bool


# Fields that agents trained on other email toolkits invent, with what to use instead.
_INVENTED_FIELD_HINTS = {
    "offset": "SMTP2GO has no offset paging: pass the continue_token from the previous result instead",
    "page": "SMTP2GO pages with continue_token, not page numbers",
    "webhook_url": "the webhook's address field is `url`",
    "webhook_id": "webhooks are identified by the integer `id`",
    "template_id": "templates are identified by `id`",
    "allowed_sender_id": "allowed senders have no ids: pass the addresses in `allowed_senders`",
    "api_key": "the API key is configuration (SMTP2GO_API_KEY), never a tool argument",
}


async def execute(spec: ToolSpec, arguments: dict[str, Any] | None, ctx: ToolContext) -> ToolResult:
    try:
        args = spec.input_model.model_validate(arguments or {})
    except ValidationError as exc:
        return _finish(spec.output_model.failure("invalid_arguments", _invalid_arguments(spec, exc)), ctx)
    if spec.outgoing and not getattr(args, "dry_run", False):
        return _finish(await guarded_send(spec, args, ctx, _run), ctx)
    return _finish(await _run(spec, args, ctx), ctx)


async def _run(spec: ToolSpec, args: Any, ctx: ToolContext) -> ToolOutput:
    """The tool's own work, with every failure turned into the tool's envelope."""
    try:
        return await spec.run(args, ctx)
    except Smtp2goError as exc:
        log.info("%s failed: %r", spec.name, exc)
        return spec.output_model.failure(exc.code, exc.message, request_id=exc.request_id)
    except UnexpectedResponse as exc:
        log.warning("%s: response did not match the output schema: %s", spec.name, exc.problems)
        return spec.output_model.failure(
            "unexpected_response",
            "SMTP2GO accepted the request but its answer did not have the documented shape "
            f"({exc.problems}). If this call changed something, it most likely took effect: check "
            "with the matching view or search tool before repeating it.",
            request_id=exc.request_id)
    except Exception:
        log.exception("%s raised an unexpected error", spec.name)
        return spec.output_model.failure(
            "internal_error",
            f"{spec.name} failed inside smtp2go-mcp (a bug, logged on the server's stderr). "
            "If the call changed something, check its effect before retrying.")


def _finish(output: ToolOutput, ctx: ToolContext) -> ToolResult:
    structured = _without_secret(output.model_dump(mode="json", exclude_unset=True), ctx.settings.webhook_secret)
    if output.successful:
        text = json.dumps(structured, ensure_ascii=False, separators=(",", ":"))
    else:
        extra = [f"error_code: {output.error_code}"]
        request_id = structured.get("request_id")
        if request_id:
            extra.append(f"request_id: {request_id}")
        text = _without_secret(f"{structured['error']} ({', '.join(extra)})", ctx.settings.webhook_secret)
    return ToolResult(structured=structured, text=text, is_error=not output.successful)


def _without_secret(value: Any, secret: str | None) -> Any:
    """`value` with the webhook secret replaced wherever it appears (a webhook URL pointing at this server)."""
    if not secret:
        return value
    if isinstance(value, str):
        return value.replace(secret, WEBHOOK_SECRET_PLACEHOLDER)
    if isinstance(value, dict):
        return {_without_secret(k, secret): _without_secret(v, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_secret(v, secret) for v in value]
    return value


def _invalid_arguments(spec: ToolSpec, exc: ValidationError) -> str:
    problems = describe_errors(exc)
    hints = [f"{name}: {hint}" for name, hint in _INVENTED_FIELD_HINTS.items()
             if f"'{name}'" in problems and name not in spec.input_model.model_fields]
    valid = ", ".join(spec.input_model.model_fields) or "none"
    text = f"Invalid arguments for {spec.name}: {problems}. Nothing was sent."
    if hints:
        text += " Hint: " + "; ".join(hints) + "."
    return text + f" Valid arguments: {valid}."
