"""SMS: sending text messages, and the messages sent and received on the account's numbers."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from smtp2go_mcp.envelope import ApiData, ApiOutput, ToolInput
from smtp2go_mcp.fields import DateTimeText, SingleLine, subaccount_id_field
from smtp2go_mcp.registry import api_success, api_tool, request_body
from smtp2go_mcp.tools.email import post_send


class SmsViewReceivedInput(ToolInput):
    start_date: DateTimeText | None = Field(None, description="UTC, e.g. 2026-11-01; default 7 days ago.")
    end_date: DateTimeText | None = Field(None, description="UTC; default now.")
    username: SingleLine | None = Field(None, max_length=100, description="Only this SMTP user or API key username.")
    subaccount_id: str | None = subaccount_id_field()


class ReceivedSms(ApiData):
    message_id: str | int | None = None
    timestamp: str | None = None
    # The reference's example carries phone numbers as JSON numbers.
    source_address: str | int | None = None
    destination_address: str | int | None = None
    content: str | None = None


class SmsReceivedData(ApiData):
    messages: list[ReceivedSms] = Field(default_factory=list)


api_tool(
    "sms/view-received", toolset="sms", kind="read", title="View received SMS",
    description="List SMS messages received on the account's numbers in a date range.",
    input=SmsViewReceivedInput, data=SmsReceivedData,
)


# Spacing people write into numbers ("+64 21-555 (0134)") is dropped; what is left must be an
# international number: an optional +, a country code (never 0) and 7 to 15 digits in all (E.164).
_SPACING = re.compile(r"[\s\-.()]")
_INTERNATIONAL = re.compile(r"^\+?[1-9]\d{6,14}$")


def _phone(value: str) -> str:
    compact = _SPACING.sub("", value)
    if not _INTERNATIONAL.match(compact):
        hint = " (a leading 0 is a national prefix: drop it and put the country code first)" \
            if compact.lstrip("+").startswith("0") else ""
        raise ValueError(f"{value!r} is not an international phone number: use the country code and "
                         f"digits only, e.g. +64215550134 or 64215550134{hint}")
    return compact


PhoneNumber = Annotated[str, AfterValidator(_phone), Field(max_length=32)]


class SmsSendInput(ToolInput):
    destination: list[PhoneNumber] = Field(
        min_length=1, max_length=100,
        description="Numbers with country code; the + is optional.")
    content: str = Field(
        min_length=1, max_length=2000, description="The text; billed per 160 characters per recipient.")
    sender: PhoneNumber | None = Field(
        None, description="E.164 number to send from, e.g. +12025550959; default the account's.")


class SmsStatus(ApiData):
    destination: str | None = None
    message_id: str | None = None
    status: str | None = None


class SmsSendData(ApiData):
    statuses: dict[str, int] | None = None
    total_sent: int | None = None
    messages: list[SmsStatus] | None = None


# Per-message statuses (reference §2.10) that mean the message will not be delivered.
_UNDELIVERABLE = ("failed", "rejected", "cancelled", "expired")


async def _send(args: SmsSendInput, ctx: Any, output: type[ApiOutput]) -> ApiOutput:
    # Sent once: a timeout after the request went out may still have sent (and billed) the SMS.
    response = await post_send(ctx, "sms/send", request_body(args), "the SMS", check="SMTP2GO_SMS_VIEW_SENT")
    result = api_success(output, response.data, response.request_id)
    data = result.data
    refused = [m.destination or "?" for m in (data.messages or []) if m.status in _UNDELIVERABLE] if data else []
    counted = sum(n for status, n in ((data.statuses or {}) if data else {}).items() if status in _UNDELIVERABLE)
    if refused or counted:
        which = f" to {', '.join(refused)}" if refused else ""
        return result.model_copy(update={
            "successful": False, "error_code": "send_failed",
            "error": f"SMTP2GO did not send {max(len(refused), counted)} of the {len(args.destination)} SMS{which} "
                     "(each status is in data.messages). The others were queued: if the user wants a retry, "
                     "send again only to the refused numbers, after checking them with the user."})
    return result


api_tool(
    "sms/send", toolset="sms", kind="send", title="Send an SMS",
    description="Send one text message to up to 100 phone numbers. SMS costs money: confirm the numbers and "
    "the exact text with the user first.",
    input=SmsSendInput, data=SmsSendData, handler=_send,
)


_END = "UTC, exclusive; default now."


class SmsViewSentInput(ToolInput):
    start_date: DateTimeText | None = Field(
        None, description="UTC, inclusive, e.g. 2026-11-01; default 7 days ago.")
    end_date: DateTimeText | None = Field(None, description=_END)
    username: SingleLine | None = Field(None, max_length=100, description="Only this SMTP user or API key username.")
    subaccount_id: str | None = subaccount_id_field()


class SentSms(ApiData):
    id: str | None = None
    timestamp: str | None = None
    destination_address: str | int | None = None
    status: str | None = None
    content: str | None = None
    units: int | None = None


class SmsSentData(ApiData):
    messages: list[SentSms] = Field(default_factory=list)


api_tool(
    "sms/view-sent", toolset="sms", kind="read", title="View sent SMS",
    description="List SMS messages sent in a date range, with each one's status and billed units.",
    input=SmsViewSentInput, data=SmsSentData,
)


class SmsSummaryInput(ToolInput):
    start_date: DateTimeText | None = Field(
        None, description="UTC, inclusive, e.g. 2026-11-01; default today.")
    end_date: DateTimeText | None = Field(None, description=_END)
    subaccount_id: str | None = subaccount_id_field()


class SmsSummaryData(ApiData):
    total_messages: int | None = None
    total_units: int | None = None
    total_cost: float | None = None


api_tool(
    "sms/summary", toolset="sms", kind="read", title="SMS totals",
    description="Count the SMS messages and units sent in a period and what they cost.",
    input=SmsSummaryInput, data=SmsSummaryData,
)
