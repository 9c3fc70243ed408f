"""Webhooks: where SMTP2GO posts delivery events."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AnyHttpUrl, Field, field_serializer, model_validator

from smtp2go_mcp.api.errors import InvalidArguments
from smtp2go_mcp.envelope import ApiData, ToolInput
from smtp2go_mcp.events.payload import EmailEvent
from smtp2go_mcp.events.receiver import receiver_url
from smtp2go_mcp.fields import Redacted, SingleLine, subaccount_id_field
from smtp2go_mcp.registry import api_tool, request_body

_ID = "The webhook id (SMTP2GO_WEBHOOK_VIEW)."
SmsEvent = Literal["delivered", "failed", "rejected", "sending", "submitted", "opt-out"]


class WebhookSettings(ToolInput):
    events: list[EmailEvent] | None = Field(None, description="Email events to post.")
    sms_events: list[SmsEvent] | None = Field(None, description="SMS events to post.")
    headers: list[SingleLine] | None = Field(
        None, max_length=50, description="Extra email headers to post (Subject and Message-Id always are).")
    usernames: list[SingleLine] | None = Field(
        None, max_length=100, description="Only mail of these SMTP users or API keys; default all.")
    output_format: Literal["form", "json"] | None = Field(None, description="Body format; API default form.")
    auth_header_type: Literal["bearer", "basic"] | None = Field(
        None, description="Add an Authorization header of this kind.")
    auth_header_value: SingleLine | None = Field(
        None, min_length=1, max_length=1000,
        description="Bearer token, or base64 user:password for basic; never echoed back.")
    disabled: bool | None = Field(None, description="Keep it but stop posting.")
    subaccount_id: str | None = subaccount_id_field()


class ThisServer(ToolInput):
    # exclude=True: this server's own option, never sent to SMTP2GO (the URL it stands for is).
    this_server: bool | None = Field(None, exclude=True, description="true: point the webhook at this server's "
                                     "receiver so SMTP2GO_EVENTS_RECENT sees the events (leave url out).")

    @field_serializer("url", check_fields=False)
    def _plain(self, url: AnyHttpUrl | None) -> str | None:
        return str(url) if url else None

    @model_validator(mode="after")
    def _url_or_this_server(self) -> "ThisServer":
        if self.this_server and getattr(self, "url", None):
            raise ValueError("give url or this_server: true, not both")
        return self


class _AddUrl(ToolInput):
    url: AnyHttpUrl | None = Field(None, description="The http(s) URL to post events to.")


class WebhookAddInput(ThisServer, WebhookSettings, _AddUrl):
    @model_validator(mode="after")
    def _destination(self) -> "WebhookAddInput":
        if not self.url and not self.this_server:
            raise ValueError("'url' is required (or this_server: true)")
        return self


class WebhookEditInput(ThisServer, WebhookSettings):
    id: int = Field(ge=1, description=_ID)
    url: AnyHttpUrl | None = Field(None, description="A new URL.")


class WebhookIdInput(ToolInput):
    id: int = Field(ge=1, description=_ID)
    subaccount_id: str | None = subaccount_id_field()


class WebhookViewInput(ToolInput):
    subaccount_id: str | None = subaccount_id_field()


# `headers` and `usernames` (a list in some answers, a string in others) pass through untyped.
class Webhook(ApiData):
    id: int | None = None
    url: str | None = None
    events: list[str] | None = None
    sms_events: list[str] | None = None
    output_format: str | None = None
    auth_header_value: Redacted | None = Field(None, description="'[redacted]' when set.")


def _body(args: ThisServer, ctx: Any) -> dict[str, Any]:
    """The arguments, with `url` set to this server's receiver when this_server is true."""
    body = request_body(args)
    if args.this_server:
        body["url"] = this_server_url(ctx.settings)
    return body


def this_server_url(settings: Any) -> str:
    missing = [name for name, value in (("SMTP2GO_MCP_PUBLIC_URL", settings.public_url),
                                        ("SMTP2GO_MCP_WEBHOOK_SECRET", settings.webhook_secret)) if not value]
    if missing:
        raise InvalidArguments(
            f"this_server: true needs {' and '.join(missing)} set in this server's environment (the address "
            "SMTP2GO can reach it at, and the secret of its webhook route), with the server running over HTTP. "
            "Nothing was sent; give a url instead, or ask the user to set them.")
    return receiver_url(settings.public_url, settings.webhook_secret)


_HOW = " Free plans allow 1 webhook, paid plans 10."

api_tool(
    "webhook/add", toolset="webhooks", kind="create", title="Add a webhook",
    description="Have SMTP2GO post delivery events (delivered, bounce, open, click, spam...) to your URL." + _HOW
    + " this_server: true points it at this server, for SMTP2GO_EVENTS_RECENT.",
    input=WebhookAddInput, data=Webhook, body=_body,
)
api_tool(
    "webhook/edit", toolset="webhooks", kind="update", title="Change a webhook",
    description="Change a webhook's URL, events, headers, user filter, format or authorization.",
    input=WebhookEditInput, data=Webhook, body=_body,
)
api_tool(
    "webhook/remove", toolset="webhooks", kind="remove", title="Remove a webhook",
    description="Delete a webhook; SMTP2GO stops posting events to its URL.",
    input=WebhookIdInput, data=Webhook,
)
api_tool(
    "webhook/view", toolset="webhooks", kind="read", title="View webhooks",
    description="List the account's webhooks with their ids, URLs, events and formats.",
    input=WebhookViewInput, data=list[Webhook] | Webhook,
)

