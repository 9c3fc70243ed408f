"""Sending: email/send, email/mime, email/batch and the scheduled-email queue.

Sends are never retried: a timeout after the request went out is reported as
an unknown outcome with how to check it, because SMTP2GO has no idempotency
key and a blind retry can deliver the same email twice.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta, timezone
from email import message_from_string
from email.utils import getaddresses, parsedate_to_datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AnyHttpUrl, Field, field_serializer, field_validator, model_validator

from smtp2go_mcp.api import errors
from smtp2go_mcp.api.client import ApiResponse
from smtp2go_mcp.attachments import decode_base64, guess_mimetype, read_local_file
from smtp2go_mcp.config import Settings
from smtp2go_mcp.envelope import ApiData, ApiOutput, ToolInput
from smtp2go_mcp.fields import Mailbox, SingleLine, idempotency_key_field
from smtp2go_mcp.registry import api_success, api_tool, request_body
from smtp2go_mcp.sendguard import Outgoing

# SMTP2GO builds these itself from the body and attachments (reference §3.1).
FORBIDDEN_HEADERS = {"content-type", "content-transfer-encoding", "mime-version"}
MAX_SCHEDULE_AHEAD = timedelta(days=3)


def _schedule(value: str) -> str:
    """A moment in the next 3 days, sent as 'YYYY-MM-DD HH:MM:SS +0000' (the reference's layout)."""
    text = value.strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            raise ValueError("use ISO 8601 with a time zone, e.g. 2026-11-22T09:00:00+13:00 or 2026-11-21T20:00:00Z") from None
    if when.tzinfo is None:
        raise ValueError("give a time zone (e.g. ...Z or +13:00), so the email goes out when meant")
    now = datetime.now(timezone.utc)
    if when <= now:
        raise ValueError("must be in the future; to send now, leave schedule out")
    if when > now + MAX_SCHEDULE_AHEAD:
        raise ValueError("SMTP2GO schedules at most 3 days ahead")
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S +0000")


Schedule = Annotated[str, AfterValidator(_schedule), Field(max_length=64)]


class CustomHeader(ToolInput):
    header: str = Field(min_length=1, max_length=100, pattern=r"^[!-9;-~]+$", description="e.g. Reply-To or X-Order-Id.")
    value: SingleLine = Field(max_length=998, description="Header value.")

    @field_validator("header")
    @classmethod
    def _allowed(cls, header: str) -> str:
        if header.lower() in FORBIDDEN_HEADERS:
            raise ValueError(f"{header} is set by SMTP2GO from the bodies and attachments; leave it out")
        return header


class Attachment(ToolInput):
    filename: SingleLine | None = Field(
        None, min_length=1, max_length=255,
        description="Shown name (for inlines, the cid); default from path or url.")
    fileblob: str | None = Field(None, min_length=1, max_length=30_000_000, description="Base64 content; needs filename.")
    url: AnyHttpUrl | None = Field(None, description="An http(s) URL SMTP2GO fetches (cached 24 h).")
    path: str | None = Field(
        None, min_length=1, max_length=4096,
        description="Local file in SMTP2GO_MCP_ATTACHMENT_DIRS.")
    mimetype: str | None = Field(
        None, max_length=255, pattern=r"^[\w.+-]+/[\w.+-]+$", description="Default: guessed from filename.")

    @model_validator(mode="after")
    def _one_source(self) -> "Attachment":
        sources = [name for name in ("fileblob", "url", "path") if getattr(self, name) is not None]
        if len(sources) != 1:
            raise ValueError("give exactly one of fileblob, url or path")
        if self.url is not None and not self.filename and not _url_name(str(self.url)):
            raise ValueError("the url has no file name; give filename")
        if self.fileblob is not None and not self.filename:
            raise ValueError("filename is required with fileblob")
        return self

    @field_serializer("url")
    def _plain(self, url: AnyHttpUrl | None) -> str | None:
        return str(url) if url else None


def _url_name(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]


_RECIPIENTS = "'Name <addr>' or bare addresses."


class EmailMessageInput(ToolInput):
    sender: Mailbox = Field(
        description="'Name <addr>' or an address on a verified domain or single sender.")
    to: list[Mailbox] = Field(min_length=1, max_length=100, description=_RECIPIENTS)
    cc: list[Mailbox] | None = Field(None, max_length=100, description=_RECIPIENTS)
    bcc: list[Mailbox] | None = Field(None, max_length=100, description=_RECIPIENTS)
    subject: SingleLine | None = Field(None, min_length=1, max_length=998, description="Required unless template_id.")
    html_body: str | None = Field(None, min_length=1, max_length=10_000_000, description="HTML body.")
    text_body: str | None = Field(None, min_length=1, max_length=10_000_000, description="Plain-text body.")
    custom_headers: list[CustomHeader] | None = Field(
        None, max_length=50, description="Extra headers.")
    attachments: list[Attachment] | None = Field(None, max_length=50, description="Files to attach.")
    inlines: list[Attachment] | None = Field(
        None, max_length=50, description="Images for html_body, as <img src=\"cid:FILENAME\">.")
    template_id: SingleLine | None = Field(
        None, min_length=5, max_length=24,
        description="Template giving subject and bodies (SMTP2GO_TEMPLATE_SEARCH).")
    template_data: dict[str, Any] | None = Field(
        None, description="Values for its {{ variables }}, e.g. {\"name\": \"Jo\"}.")
    schedule: Schedule | None = Field(
        None, description="Send later: ISO 8601 with zone, within 3 days; returns a schedule_id.")
    fastaccept: bool | None = Field(
        None, description="Don't wait for per-recipient results.")
    version: Literal[1, 2] | None = Field(None, description="SMTP2GO's MIME layout; rarely needed.")

    @model_validator(mode="after")
    def _content(self) -> "EmailMessageInput":
        if self.template_id:
            given = [n for n in ("subject", "html_body", "text_body") if getattr(self, n)]
            if given:
                raise ValueError(f"template_id supplies the subject and bodies; leave out {', '.join(given)} "
                                 "(put variable values in template_data)")
        else:
            if not self.subject:
                raise ValueError("subject is required (or send a template with template_id)")
            if not (self.html_body or self.text_body):
                raise ValueError("give html_body and/or text_body (or send a template with template_id)")
            if self.template_data:
                raise ValueError("template_data needs template_id")
        return self


class EmailSendInput(EmailMessageInput):
    idempotency_key: str | None = idempotency_key_field()


class SendData(ApiData):
    email_id: str | None = None
    succeeded: int | None = None
    failed: int | None = None
    failures: list[str] | None = None
    schedule_id: str | None = None


async def send_body(args: EmailMessageInput, settings: Settings, prefix: str = "") -> dict[str, Any]:
    """The email/send body: arguments under their API names, local files read into fileblobs."""
    body = request_body(args)
    for kind in ("attachments", "inlines"):
        items = getattr(args, kind) or []
        body_items = body.get(kind, [])
        for index, (item, out) in enumerate(zip(items, body_items, strict=True)):
            where = f"{prefix}{kind}.{index}"
            if item.path is not None:
                loaded = read_local_file(item.path, settings.attachment_dirs, f"{where}.path")
                out.pop("path")
                out["fileblob"] = base64.b64encode(loaded.content).decode()
                out.setdefault("filename", loaded.filename)
            elif item.fileblob is not None:
                decode_base64(item.fileblob, f"{where}.fileblob")
            else:
                out.setdefault("filename", _url_name(str(item.url)))
            out.setdefault("mimetype", guess_mimetype(out["filename"]))
    return body


async def post_send(ctx: Any, endpoint: str, body: dict[str, Any], what: str,
                    check: str = "SMTP2GO_ACTIVITY_SEARCH (search_recipient, search_subject)") -> ApiResponse:
    """POST a send, once. A timeout after the request went out is an unknown outcome, not a failure."""
    try:
        return await ctx.api.call(endpoint, body)
    except errors.OutcomeUnknown:
        raise errors.OutcomeUnknown(
            f"SMTP2GO's answer was lost after the request was sent (no reply within {ctx.api.timeout:g} s, or the "
            f"connection dropped), so {what} may or may not have been accepted. Do not send again yet: check "
            f"{check} for it first.") from None


def send_outcome(output: type[ApiOutput], response: ApiResponse) -> ApiOutput:
    data = response.data
    if isinstance(data, dict) and isinstance(data.get("failed"), int) and data["failed"] > 0:
        failures = "; ".join(str(f) for f in data.get("failures") or []) or "no reason given"
        hint = (" Send from an address on a verified sender domain (SMTP2GO_DOMAIN_VIEW) or a verified single "
                "sender (SMTP2GO_SINGLE_SENDER_EMAILS_VIEW)." if "verify sender" in failures.lower() else "")
        result = api_success(output, data, response.request_id)
        return result.model_copy(update={"successful": False, "error_code": "send_failed",
                                         "error": f"SMTP2GO did not send the email: {failures}.{hint}"})
    return api_success(output, data, response.request_id)


async def _send(args: EmailSendInput, ctx: Any, output: type[ApiOutput]) -> ApiOutput:
    body = await send_body(args, ctx.settings)
    return send_outcome(output, await post_send(ctx, "email/send", body, f"the email to {args.to[0]}"))


def outgoing_email(args: EmailMessageInput) -> Outgoing:
    return Outgoing(sender=args.sender, recipients=[*args.to, *(args.cc or []), *(args.bcc or [])],
                    content=args.model_dump(mode="json", exclude_none=True, exclude={"sender", "to", "cc", "bcc"}))


async def _outgoing_send(args: EmailSendInput, ctx: Any) -> list[Outgoing]:
    return [outgoing_email(args)]


api_tool(
    "email/send", toolset="email", kind="send", title="Send an email",
    description="Send an email (or a template with variables) through SMTP2GO, now or up to 3 days ahead. Each "
    "call sends: check with the user first, and never resend to fix a mistake without asking.",
    input=EmailSendInput, data=SendData, handler=_send, outgoing=_outgoing_send,
)


def _parse_mime(text: str) -> tuple[str, Any]:
    """The message as given, or decoded if it was already base64; with its parsed headers."""
    message = message_from_string(text)
    if message["From"]:
        return text, message
    try:
        decoded = base64.b64decode(re.sub(r"\s+", "", text), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return text, message
    return decoded, message_from_string(decoded)


class EmailMimeInput(ToolInput):
    mime_email: str = Field(
        min_length=1, max_length=35_000_000,
        description="The whole RFC 5322 message as text (this tool base64-encodes it); needs From and To/Cc/Bcc.")
    schedule: Schedule | None = Field(None, description="Send later: ISO 8601 with zone, within 3 days.")
    fastaccept: bool | None = Field(None, description="Don't wait for per-recipient results.")
    idempotency_key: str | None = idempotency_key_field()

    @field_validator("mime_email")
    @classmethod
    def _has_envelope(cls, value: str) -> str:
        text, message = _parse_mime(value)
        if not message["From"]:
            raise ValueError("the message has no From header (is the header block missing?)")
        if not getaddresses(message.get_all("To", []) + message.get_all("Cc", []) + message.get_all("Bcc", [])):
            raise ValueError("the message has no To, Cc or Bcc recipients")
        return text


async def _send_mime(args: EmailMimeInput, ctx: Any, output: type[ApiOutput]) -> ApiOutput:
    body = request_body(args)
    body["mime_email"] = base64.b64encode(args.mime_email.encode("utf-8", "surrogateescape")).decode()
    return send_outcome(output, await post_send(ctx, "email/mime", body, "the MIME email"))


async def _outgoing_mime(args: EmailMimeInput, ctx: Any) -> list[Outgoing]:
    message = _parse_mime(args.mime_email)[1]
    recipients = [a for _, a in getaddresses(message.get_all("To", []) + message.get_all("Cc", []) +
                                              message.get_all("Bcc", [])) if a]
    return [Outgoing(sender=str(message["From"]), recipients=recipients,
                     content={"mime": args.mime_email, "schedule": args.schedule})]


api_tool(
    "email/mime", toolset="email", kind="send", title="Send a MIME email",
    description="Send a ready-made MIME message through SMTP2GO, optionally scheduled. Prefer "
    "SMTP2GO_EMAIL_SEND when you are composing the email.",
    input=EmailMimeInput, data=SendData, handler=_send_mime, outgoing=_outgoing_mime,
)


class EmailBatchInput(ToolInput):
    emails: list[EmailMessageInput] = Field(
        min_length=1, max_length=100, description="The emails, in order.")
    idempotency_key: str | None = idempotency_key_field()


async def _send_batch(args: EmailBatchInput, ctx: Any, output: type[ApiOutput]) -> ApiOutput:
    bodies = [await send_body(email, ctx.settings, f"emails.{i}.") for i, email in enumerate(args.emails)]
    response = await post_send(ctx, "email/batch", {"emails": bodies}, f"the batch of {len(bodies)} emails")
    result = api_success(output, response.data, response.request_id)
    failed = [(i, item) for i, item in enumerate(response.data or [])
              if isinstance(item, dict) and isinstance(item.get("failed"), int) and item["failed"] > 0]
    if not failed:
        return result
    reasons = "; ".join(f"emails.{i}: {', '.join(map(str, item.get('failures') or [])) or 'no reason given'}"
                        for i, item in failed)
    others = ("None was sent." if len(failed) == len(args.emails)
              else "The others were: resend only the failed ones, after fixing them.")
    return result.model_copy(update={
        "successful": False, "error_code": "send_failed",
        "error": f"{len(failed)} of {len(args.emails)} emails were not sent ({reasons}). {others}"})


async def _outgoing_batch(args: EmailBatchInput, ctx: Any) -> list[Outgoing]:
    return [outgoing_email(email) for email in args.emails]


api_tool(
    "email/batch", toolset="email", kind="send", title="Send a batch of emails",
    description="Send (or schedule) up to 100 different emails in one call, e.g. one per customer, with a result "
    "per email. Confirm the list with the user first.",
    input=EmailBatchInput, data=list[SendData], handler=_send_batch, outgoing=_outgoing_batch,
)


class ScheduledSearchInput(ToolInput):
    schedule_id: SingleLine | None = Field(None, max_length=64, description="Only this scheduled email.")
    search_subject: SingleLine | None = Field(None, max_length=998, description="Subject contains this.")
    search_recipient: SingleLine | None = Field(None, max_length=320, description="To this recipient.")
    search_sender: SingleLine | None = Field(None, max_length=320, description="From this sender.")
    limit: int = Field(1000, ge=1, le=1000, description="Per page.")
    page: int | None = Field(None, ge=1, description="Page number, from 1.")


class ScheduledEmail(ApiData):
    schedule_id: str | None = None
    schedule: str | None = None
    sender: str | None = None
    subject: str | None = None
    recipients: str | list[str] | None = None


api_tool(
    "email/scheduled/search", toolset="email", kind="read", title="Search scheduled emails",
    description="List emails queued for later sending, e.g. to find the schedule_id to cancel.",
    input=ScheduledSearchInput, data=list[ScheduledEmail],
)


class ScheduledRemoveInput(ToolInput):
    schedule_id: SingleLine = Field(min_length=1, max_length=64, description="From the send or SMTP2GO_EMAIL_SCHEDULED_SEARCH.")


api_tool(
    "email/scheduled/remove", toolset="email", kind="remove", title="Cancel a scheduled email",
    description="Cancel an email that is scheduled but not yet sent; it will not go out.",
    input=ScheduledRemoveInput, data=dict[str, Any] | str,
)
