"""Webhooks: where SMTP2GO posts delivery events."""

from __future__ import annotations

from typing import Literal

from pydantic import AnyHttpUrl, Field, field_serializer

from smtp2go_mcp.envelope import ApiData, ToolInput
from smtp2go_mcp.fields import Redacted, SingleLine, subaccount_id_field
from smtp2go_mcp.registry import api_tool

EmailEvent = Literal["processed", "delivered", "open", "click", "bounce", "spam", "unsubscribe", "resubscribe", "reject"]
SmsEvent = Literal["delivered", "failed", "rejected", "sending", "submitted", "opt-out"]


class WebhookSettings(ToolInput):
    events: list[EmailEvent] | None = Field(None, description="Email events to post.")
    sms_events: list[SmsEvent] | None = Field(None, description="SMS events to post.")
    headers: list[SingleLine] | None = Field(
        None, max_length=50, description="Extra email headers to include in each post (Subject and Message-Id are always sent).")
    usernames: list[SingleLine] | None = Field(
        None, max_length=100, description="Only events of mail sent by these SMTP users or API keys; default all.")
    output_format: Literal["form", "json"] | None = Field(None, description="Post bodies form-encoded (SMTP2GO's default) or as JSON.")
    auth_header_type: Literal["bearer", "basic"] | None = Field(
        None, description="Send an Authorization header of this kind with each post.")
    auth_header_value: SingleLine | None = Field(
        None, min_length=1, max_length=1000,
        description="The bearer token, or base64 of user:password for basic. Never echoed back in results.")
    disabled: bool | None = Field(None, description="Keep the webhook but stop posting to it.")
    subaccount_id: str | None = subaccount_id_field()


class WebhookUrl(ToolInput):
    url: AnyHttpUrl = Field(description="The http(s) address SMTP2GO posts events to.")

    @field_serializer("url")
    def _plain(self, url: AnyHttpUrl) -> str:
        return str(url)


class WebhookAddInput(WebhookSettings, WebhookUrl):
    pass


class WebhookEditInput(WebhookSettings):
    id: int = Field(ge=1, description="The webhook's id, from SMTP2GO_WEBHOOK_VIEW.")
    url: AnyHttpUrl | None = Field(None, description="A new address to post to.")

    @field_serializer("url")
    def _plain(self, url: AnyHttpUrl | None) -> str | None:
        return str(url) if url else None


class WebhookIdInput(ToolInput):
    id: int = Field(ge=1, description="The webhook's id, from SMTP2GO_WEBHOOK_VIEW.")
    subaccount_id: str | None = subaccount_id_field()


class WebhookViewInput(ToolInput):
    subaccount_id: str | None = subaccount_id_field()


# `headers` and `usernames` come back as a list in some answers and a string in others.
StrOrList = str | list[str]


class Webhook(ApiData):
    id: int | None = None
    url: str | None = None
    events: list[str] | None = None
    sms_events: list[str] | None = None
    headers: StrOrList | None = None
    usernames: StrOrList | None = None
    output_format: str | None = None
    auth_header_type: str | None = None
    auth_header_value: Redacted | None = Field(None, description="Never shown: '[redacted]' when set.")


_HOW = (" Events are posted to `url` as they happen, form-encoded unless output_format is json; "
        "free plans allow 1 webhook, paid plans 10.")

api_tool(
    "webhook/add", toolset="webhooks", kind="create", title="Add a webhook",
    description="Have SMTP2GO post delivery events (delivered, bounce, open, click, spam, ...) to a URL of yours." + _HOW,
    input=WebhookAddInput, data=Webhook, data_description="The webhook created, with its integer id.",
)
api_tool(
    "webhook/edit", toolset="webhooks", kind="update", title="Change a webhook",
    description="Change a webhook's URL, events, headers, user filter, format or authorization; "
    "pass the id from SMTP2GO_WEBHOOK_VIEW.",
    input=WebhookEditInput, data=Webhook, data_description="The webhook after the change.",
)
api_tool(
    "webhook/remove", toolset="webhooks", kind="remove", title="Remove a webhook",
    description="Delete a webhook; SMTP2GO stops posting events to its URL.",
    input=WebhookIdInput, data=Webhook, data_description="The webhook removed.",
)
api_tool(
    "webhook/view", toolset="webhooks", kind="read", title="View webhooks",
    description="List the account's webhooks with their ids, URLs, events and formats.",
    input=WebhookViewInput, data=list[Webhook] | Webhook,
    data_description="The webhooks: a list, or a single object when the API answers with one.",
)

