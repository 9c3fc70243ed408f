"""Sending through any SMTP server: one message, a batch over one connection, a connection test.

The server comes from `sender` (a stored identity), `profile` (the config file) or the default
(SMTP_* variables), in that order, and every result says which was used. Nothing is retried
after the message's data went out: a lost connection then is an unknown outcome.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, ClassVar

from pydantic import AnyHttpUrl, BaseModel, Field, field_validator, model_validator

from smtp2go_mcp.api.errors import InvalidArguments
from smtp2go_mcp.attachments import decode_base64, guess_mimetype, read_local_file
from smtp2go_mcp.envelope import DUPLICATE_DESCRIPTION, ToolInput, ToolOutput
from smtp2go_mcp.fields import EmailAddress, Mailbox, SingleLine, idempotency_key_field
from smtp2go_mcp.registry import tool
from smtp2go_mcp.sendguard import Outgoing
from smtp2go_mcp.smtp.compose import RESERVED_HEADERS, Composed, Draft, Part, compose
from smtp2go_mcp.smtp.fetch import fetch_url
from smtp2go_mcp.smtp.profiles import SmtpProfile
from smtp2go_mcp.smtp.transport import SmtpFailure, SmtpSession

_MESSAGE_ID = re.compile(r"^<?[^<>\s@]+@[^<>\s@]+>?$")


def _message_id(value: str) -> str:
    if not _MESSAGE_ID.match(value):
        raise ValueError(f"{value!r} is not a Message-ID (expected <local@domain>)")
    return value if value.startswith("<") else f"<{value.strip('<>')}>"


class SmtpAttachment(ToolInput):
    path: str | None = Field(None, min_length=1, max_length=4096,
                             description="Local file in SMTP2GO_MCP_ATTACHMENT_DIRS.")
    url: AnyHttpUrl | None = Field(None, description="Public http(s) URL to fetch.")
    content_base64: str | None = Field(None, min_length=1, max_length=28_000_000, description="Base64 content; needs filename.")
    filename: SingleLine | None = Field(None, min_length=1, max_length=255,
                                        description="Shown name; default from path or url.")
    mimetype: str | None = Field(None, max_length=255, pattern=r"^[\w.+-]+/[\w.+-]+$",
                                 description="Default: guessed from filename.")
    content_id: str | None = Field(None, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$",
                                   description="Inline image id, for <img src=\"cid:ID\"> in html_body.")

    @model_validator(mode="after")
    def _one_source(self) -> "SmtpAttachment":
        if sum(x is not None for x in (self.path, self.url, self.content_base64)) != 1:
            raise ValueError("give exactly one of path, url or content_base64")
        if self.content_base64 is not None and not self.filename:
            raise ValueError("filename is required with content_base64")
        return self


class CustomHeader(ToolInput):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[!-9;-~]+$", description="e.g. X-Campaign.")
    value: SingleLine = Field(max_length=998, description="Header value.")

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, name: str) -> str:
        if name.lower() in RESERVED_HEADERS:
            raise ValueError(f"{name} is set from the message's own fields; use those (e.g. reply_to, in_reply_to)")
        return name


_RECIPIENTS = "'Name <addr>' or bare addresses."


class SmtpMessage(ToolInput):
    from_: Mailbox | None = Field(None, alias="from", description="e.g. 'Acme <bill@acme.example>'; default "
                                  "the sender's or profile's.")
    to: list[Mailbox] | None = Field(None, max_length=100, description=_RECIPIENTS)
    cc: list[Mailbox] | None = Field(None, max_length=100, description=_RECIPIENTS)
    bcc: list[Mailbox] | None = Field(None, max_length=100, description=_RECIPIENTS + " Never in a header.")
    reply_to: list[Mailbox] | None = Field(None, max_length=10, description="Reply-To addresses.")
    subject: SingleLine = Field(min_length=1, max_length=998, description="Subject line.")
    text_body: str | None = Field(None, max_length=10_000_000, description="Plain-text body.")
    html_body: str | None = Field(None, max_length=10_000_000, description="HTML body (a text part is derived if no text_body).")
    attachments: list[SmtpAttachment] | None = Field(None, max_length=50, description="Files and inline images.")
    custom_headers: list[CustomHeader] | None = Field(None, max_length=50, description="Extra headers.")
    in_reply_to: str | None = Field(None, max_length=998, description="Message-ID replied to, for threading.")
    references: list[str] | None = Field(None, max_length=100, description="Message-IDs of the thread, oldest first.")

    @field_validator("in_reply_to")
    @classmethod
    def _in_reply_to(cls, value: str | None) -> str | None:
        return _message_id(value) if value else value

    @field_validator("references")
    @classmethod
    def _references(cls, values: list[str] | None) -> list[str] | None:
        return [_message_id(v) for v in values] if values else values

    @model_validator(mode="after")
    def _complete(self) -> "SmtpMessage":
        if not (self.to or self.cc or self.bcc):
            raise ValueError("give at least one recipient in to, cc or bcc")
        if self.text_body is None and self.html_body is None:
            raise ValueError("give text_body and/or html_body")
        return self


_SENDER = "A stored sender identity's address (SMTP_SENDER_LIST)."
_PROFILE = "A named SMTP profile from the config file."


class SmtpSendInput(SmtpMessage):
    sender: EmailAddress | None = Field(None, description=_SENDER)
    profile: SingleLine | None = Field(None, max_length=100, description=_PROFILE)
    dry_run: bool = Field(False, description="Return the composed message without sending.")
    idempotency_key: str | None = idempotency_key_field()

    @model_validator(mode="after")
    def _one_route(self) -> "SmtpSendInput":
        if self.sender and self.profile:
            raise ValueError("give sender or profile, not both")
        return self


class RefusedRecipient(BaseModel):
    recipient: str
    code: int
    message: str


class ConfigUsed(BaseModel):
    source: str = Field(description="sender, profile or default.")
    name: str
    host: str
    port: int
    security: str
    auth: str = Field(description="password or ip_relay.")
    username: str | None
    sandbox: str | None = None  # set in sandbox mode, where nothing leaves the machine


class SmtpSendOutput(ToolOutput):
    message_id: str | None
    accepted: list[str]
    refused: list[RefusedRecipient]
    server_reply: str | None
    used: ConfigUsed | None
    dry_run: dict[str, Any] | None = Field(description="On dry_run: the composed message.")
    duplicate: bool = Field(False, description=DUPLICATE_DESCRIPTION)

    failure_defaults: ClassVar[dict[str, Any]] = {"message_id": None, "accepted": [], "refused": [],
                                                  "server_reply": None, "used": None, "dry_run": None}


def pick_profile(args: Any, ctx: Any) -> SmtpProfile:
    settings = ctx.settings
    if args.sender:
        identity = ctx.runtime.senders.get(args.sender)
        if identity is None:
            raise InvalidArguments(f"No sender identity {args.sender}; SMTP_SENDER_LIST shows them, "
                                   "SMTP_SENDER_CREATE adds one.")
        profile = identity.profile()
        if not profile.ip_relay and not profile.password:
            raise InvalidArguments(f"The sender {args.sender} takes its password from ${identity.password_env}, "
                                   "which is not set in this server's environment.")
        return profile
    if args.profile:
        profile = settings.smtp_profiles.get(args.profile)
        if profile is None:
            names = ", ".join(settings.smtp_profiles) or "none are configured (SMTP2GO_MCP_CONFIG)"
            raise InvalidArguments(f"No SMTP profile named {args.profile!r}; profiles: {names}.")
        return profile
    if settings.smtp_default is None:
        raise InvalidArguments("No SMTP server is configured: set SMTP_HOST (and SMTP_USERNAME/SMTP_PASSWORD) in "
                               "this server's environment, or pass `sender` or `profile`.")
    return settings.smtp_default


async def _part(item: SmtpAttachment, where: str, settings: Any) -> Part:
    if item.path is not None:
        loaded = read_local_file(item.path, settings.attachment_dirs, f"{where}.path")
        name, content, guessed = loaded.filename, loaded.content, loaded.mimetype
    elif item.url is not None:
        loaded = await fetch_url(str(item.url), f"{where}.url", allow_private=settings.allow_private_urls,
                                 allowed_hosts=settings.allowed_url_hosts)
        name, content, guessed = loaded.filename, loaded.content, loaded.mimetype
    else:
        content = decode_base64(item.content_base64 or "", f"{where}.content_base64")
        name, guessed = item.filename or "attachment", guess_mimetype(item.filename or "")
    filename = item.filename or name
    return Part(filename=filename, content=content, mimetype=item.mimetype or guessed or guess_mimetype(filename),
                content_id=item.content_id)


def from_address(message: SmtpMessage, profile: SmtpProfile, prefix: str = "") -> str:
    sender = message.from_ or profile.from_address
    if not sender:
        raise InvalidArguments(f"'{prefix}from' is required: the {profile.source} configuration "
                               f"{profile.name!r} has no default From address.")
    return sender


async def compose_message(message: SmtpMessage, profile: SmtpProfile, ctx: Any, prefix: str = "") -> Composed:
    sender = from_address(message, profile, prefix)
    parts = [await _part(a, f"{prefix}attachments.{i}", ctx.settings) for i, a in enumerate(message.attachments or [])]
    return compose(Draft(
        sender=sender, to=message.to or [], cc=message.cc or [], bcc=message.bcc or [],
        reply_to=message.reply_to or [], subject=message.subject, text=message.text_body, html=message.html_body,
        parts=parts, headers=[(h.name, h.value) for h in message.custom_headers or []],
        in_reply_to=message.in_reply_to, references=message.references or []))


def session_for(profile: SmtpProfile, ctx: Any) -> SmtpSession:
    settings = ctx.settings
    ca_file = settings.smtp_ca_file
    return SmtpSession(settings.smtp_sandbox or profile, timeout=settings.smtp_timeout,
                       ca_file=str(ca_file) if ca_file else None)


def describe_route(profile: SmtpProfile, ctx: Any) -> dict[str, Any]:
    used = profile.describe()
    sink = ctx.settings.smtp_sandbox
    if sink:
        used["sandbox"] = (f"sandbox mode: kept by the local SMTP sink at {sink.host}:{sink.port}, "
                           f"not sent to {profile.host}:{profile.port}")
    return used


def delivered(composed: Composed, delivery: Any, used: dict[str, Any]) -> SmtpSendOutput:
    refused = [RefusedRecipient(recipient=r.recipient, code=r.code, message=r.message) for r in delivery.refused]
    error = None
    if refused:
        error = (f"Sent to {len(delivery.accepted)} of {len(composed.recipients)} recipients; the server refused "
                 + "; ".join(f"{r.recipient} ({r.code} {r.message})" for r in refused)
                 + ". Do not resend to the accepted ones; fix or drop the refused addresses.")
    return SmtpSendOutput(successful=not refused, error=error,
                          error_code="recipients_partially_refused" if refused else None,
                          message_id=composed.message_id, accepted=delivery.accepted, refused=refused,
                          server_reply=delivery.reply, used=used, dry_run=None)


def failed(failure: SmtpFailure, used: dict[str, Any] | None, message_id: str | None = None) -> SmtpSendOutput:
    reply = f"{failure.smtp_code} {failure.smtp_message}" if failure.smtp_code else None
    return SmtpSendOutput.failure(failure.code, failure.message, used=used, server_reply=reply,
                                  message_id=None if failure.nothing_sent else message_id)


async def _send(args: SmtpSendInput, ctx: Any) -> SmtpSendOutput:
    profile = pick_profile(args, ctx)
    used = describe_route(profile, ctx)
    composed = await compose_message(args, profile, ctx)
    if args.dry_run:
        return SmtpSendOutput(successful=True, error=None, error_code=None, message_id=composed.message_id,
                              accepted=[], refused=[], server_reply=None, used=used, dry_run=composed.describe())
    try:
        async with session_for(profile, ctx) as session:
            return delivered(composed, await session.send(composed), used)
    except SmtpFailure as failure:
        return failed(failure, used, composed.message_id)


def _outgoing_message(message: SmtpMessage, profile: SmtpProfile, prefix: str = "") -> Outgoing:
    sender = from_address(message, profile, prefix)
    content = message.model_dump(mode="json", by_alias=True, exclude_none=True,
                                 include=set(SmtpMessage.model_fields) - {"from_", "to", "cc", "bcc"})
    return Outgoing(sender=sender, recipients=[*(message.to or []), *(message.cc or []), *(message.bcc or [])],
                    content={"route": [profile.source, profile.name], **content})


async def _outgoing_send(args: SmtpSendInput, ctx: Any) -> list[Outgoing]:
    return [_outgoing_message(args, pick_profile(args, ctx))]


async def _outgoing_batch(args: SmtpBatchInput, ctx: Any) -> list[Outgoing]:
    profile = pick_profile(args, ctx)
    return [_outgoing_message(m, profile, f"messages.{i}.") for i, m in enumerate(args.messages)]


tool(
    "SMTP_SEND_EMAIL", toolset="smtp", kind="send", title="Send an email over SMTP",
    description="Send an email through any SMTP server (Gmail, Outlook, SES, a relay) as a sender identity, a "
    "profile or the default server. dry_run previews it. Confirm recipients before sending.",
    input=SmtpSendInput, output=SmtpSendOutput, run=_send, outgoing=_outgoing_send,
)


class SmtpBatchInput(ToolInput):
    messages: list[SmtpMessage] = Field(min_length=1, max_length=100,
                                        description="Sent in order.")
    sender: EmailAddress | None = Field(None, description=_SENDER)
    profile: SingleLine | None = Field(None, max_length=100, description=_PROFILE)
    idempotency_key: str | None = idempotency_key_field()

    @model_validator(mode="after")
    def _one_route(self) -> "SmtpBatchInput":
        if self.sender and self.profile:
            raise ValueError("give sender or profile, not both")
        return self


class BatchItem(BaseModel):
    index: int
    successful: bool
    error_code: str | None
    error: str | None
    message_id: str | None
    accepted: list[str]
    refused: list[RefusedRecipient]
    server_reply: str | None


class SmtpBatchOutput(ToolOutput):
    results: list[BatchItem]
    sent: int
    failed: int
    used: ConfigUsed | None
    duplicate: bool = Field(False, description=DUPLICATE_DESCRIPTION)

    failure_defaults: ClassVar[dict[str, Any]] = {"results": [], "sent": 0, "failed": 0, "used": None}


def _item(index: int, output: SmtpSendOutput) -> BatchItem:
    return BatchItem(index=index, successful=output.successful, error_code=output.error_code, error=output.error,
                     message_id=output.message_id, accepted=output.accepted, refused=output.refused,
                     server_reply=output.server_reply)


async def _send_batch(args: SmtpBatchInput, ctx: Any) -> SmtpBatchOutput:
    profile = pick_profile(args, ctx)
    used = describe_route(profile, ctx)
    total = len(args.messages)
    results: list[BatchItem] = []
    session = session_for(profile, ctx)
    reconnects_left = 1  # a server that drops the connection gets one reconnect, not a loop

    async def composed_or_error(index: int) -> Composed | InvalidArguments:
        try:
            return await compose_message(args.messages[index], profile, ctx, prefix=f"messages.{index}.")
        except InvalidArguments as exc:
            return exc

    # The next message is composed while the server answers for the current one.
    upcoming = asyncio.create_task(composed_or_error(0))
    try:
        for index in range(total):
            await ctx.report_progress(index, total, f"sending message {index + 1} of {total}")
            composed = await upcoming
            if index + 1 < total:
                upcoming = asyncio.create_task(composed_or_error(index + 1))
            if isinstance(composed, InvalidArguments):
                results.append(_item(index, SmtpSendOutput.failure("invalid_arguments", composed.message)))
                continue
            while True:
                if not session.connected:
                    try:
                        await session.open()
                    except SmtpFailure as failure:
                        # No connection to be had: this message and the rest are not sent.
                        results += [_item(i, failed(failure, used)) for i in range(index, total)]
                        return _batch_result(results, used)
                try:
                    output = delivered(composed, await session.send(composed), used)
                except SmtpFailure as failure:
                    dropped = failure.nothing_sent and not session.connected
                    if dropped and reconnects_left:
                        reconnects_left -= 1
                        continue
                    output = failed(failure, used, composed.message_id)
                break
            results.append(_item(index, output))
        await ctx.report_progress(total, total, "done")
    finally:
        upcoming.cancel()
        await session.close()
    return _batch_result(results, used)


def _batch_result(results: list[BatchItem], used: dict[str, Any]) -> SmtpBatchOutput:
    bad = [r for r in results if not r.successful]
    error = None
    if bad:
        detail = "; ".join(f"messages.{r.index}: {r.error_code}" for r in bad[:10])
        if len(bad) == len(results):
            error = f"None of the {len(results)} messages was sent ({detail}). The first problem: {bad[0].error}"
        else:
            error = (f"{len(bad)} of {len(results)} messages were not (fully) sent ({detail}). The others were "
                     "sent: resend only the failed ones, after fixing them (see results).")
    codes = {r.error_code for r in bad}
    # One shared code only when nothing went out; once some were sent, say so in the code too.
    code = None if not bad else codes.pop() if len(codes) == 1 and len(bad) == len(results) else "partially_failed"
    return SmtpBatchOutput(successful=not bad, error=error, error_code=code,
                           results=results, sent=len(results) - len(bad), failed=len(bad), used=used)


tool(
    "SMTP_SEND_BATCH", toolset="smtp", kind="send", title="Send a batch of emails over SMTP",
    description="Send up to 100 different emails (e.g. one per customer) over one SMTP connection, with a result "
    "per message. Confirm the list with the user first.",
    input=SmtpBatchInput, output=SmtpBatchOutput, run=_send_batch, outgoing=_outgoing_batch,
)


class TestConnectionInput(ToolInput):
    sender: EmailAddress | None = Field(None, description="A sender identity's address.")
    profile: SingleLine | None = Field(None, max_length=100, description="A profile name; default the default server.")

    @model_validator(mode="after")
    def _one_route(self) -> "TestConnectionInput":
        if self.sender and self.profile:
            raise ValueError("give sender or profile, not both")
        return self


class TestConnectionOutput(ToolOutput):
    verdict: str
    used: ConfigUsed | None
    banner: str | None
    tls_version: str | None
    tls_cipher: str | None
    extensions: list[str]
    auth_mechanisms: list[str]
    authenticated_as: str | None
    steps: list[dict[str, Any]]

    failure_defaults: ClassVar[dict[str, Any]] = {
        "verdict": "not tested", "used": None, "banner": None, "tls_version": None, "tls_cipher": None,
        "extensions": [], "auth_mechanisms": [], "authenticated_as": None, "steps": []}


async def _test(args: TestConnectionInput, ctx: Any) -> TestConnectionOutput:
    profile = pick_profile(args, ctx)
    session = session_for(profile, ctx)
    used = describe_route(profile, ctx)
    where = f"{session.profile.host}:{session.profile.port}"
    try:
        info = await session.open()
    except SmtpFailure as failure:
        info = session.info
        return TestConnectionOutput.failure(
            failure.code, failure.message, verdict=f"FAILED at {info.stage}: {failure.message}", used=used,
            banner=info.banner or None, tls_version=info.tls_version, tls_cipher=info.tls_cipher,
            extensions=info.extensions, auth_mechanisms=info.auth_mechanisms, authenticated_as=None,
            steps=info.steps + [{"step": info.stage, "ok": False, "detail": failure.message}])
    finally:
        await session.close()
    security = f"{info.tls_version}" if info.tls_version else "no TLS"
    login = f"authenticated as {info.authenticated_as}" if info.authenticated_as else "no AUTH (IP relay)"
    return TestConnectionOutput(
        successful=True, error=None, error_code=None,
        verdict=f"OK: {where} answered, {security}, {login}; ready to send (nothing was sent).", used=used,
        banner=info.banner, tls_version=info.tls_version, tls_cipher=info.tls_cipher, extensions=info.extensions,
        auth_mechanisms=info.auth_mechanisms, authenticated_as=info.authenticated_as, steps=info.steps)


tool(
    "SMTP_TEST_CONNECTION", toolset="smtp", kind="read", title="Test an SMTP connection",
    description="Check that a sender identity, a profile or the default SMTP server works (connect, TLS, login) "
    "and report what it offers; sends no email.",
    input=TestConnectionInput, output=TestConnectionOutput, run=_test,
)
