"""SMS: messages received on the account's numbers."""

from __future__ import annotations

from pydantic import Field

from smtp2go_mcp.envelope import ApiData, ToolInput
from smtp2go_mcp.fields import DateTimeText, SingleLine, subaccount_id_field
from smtp2go_mcp.registry import api_tool


class SmsViewReceivedInput(ToolInput):
    start_date: DateTimeText | None = Field(None, description="Earliest receive time (UTC), e.g. 2026-11-01; default 7 days ago.")
    end_date: DateTimeText | None = Field(None, description="Latest receive time (UTC); default now.")
    username: SingleLine | None = Field(None, max_length=100, description="Only messages for this SMTP user or API key username.")
    subaccount_id: str | None = subaccount_id_field()


class ReceivedSms(ApiData):
    message_id: str | int | None = None
    timestamp: str | None = None
    # The reference's example carries phone numbers as JSON numbers.
    source_address: str | int | None = None
    destination_address: str | int | None = None
    content: str | None = None
    username: str | None = None


class SmsReceivedData(ApiData):
    messages: list[ReceivedSms] = Field(default_factory=list)


api_tool(
    "sms/view-received", toolset="sms", kind="read", title="View received SMS",
    description="List SMS messages received on the account's numbers in a date range (default the last 7 days).",
    input=SmsViewReceivedInput, data=SmsReceivedData,
)
