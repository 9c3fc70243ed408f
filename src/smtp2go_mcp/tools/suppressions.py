"""Suppressions: addresses and domains SMTP2GO will not send to."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from smtp2go_mcp.envelope import ApiData, ToolInput
from smtp2go_mcp.fields import AddressOrDomain, DateTimeText, SingleLine, continue_token_field, subaccount_id_field
from smtp2go_mcp.registry import api_tool

Reason = Literal["manual", "spam", "unsubscribe", "bounce", "compliance"]


class SuppressionAddInput(ToolInput):
    email_address: AddressOrDomain = Field(description="The address, or a whole domain, to stop sending to.")
    block_description: SingleLine | None = Field(None, max_length=255, description="Why it is suppressed, for the record.")
    subaccount_id: str | None = subaccount_id_field()


class SuppressionAdded(ApiData):
    added: bool | None = None
    email_address: str | None = None
    block_description: str | None = None


api_tool(
    "suppression/add", toolset="suppressions", kind="create", title="Suppress an address",
    description="Stop all sending to an address or a whole domain (a manual suppression); sends to it are rejected until it is removed.",
    input=SuppressionAddInput, data=SuppressionAdded,
)


class SuppressionRemoveInput(ToolInput):
    email_address: AddressOrDomain = Field(description="The suppressed address or domain.")
    reasons: list[Reason] = Field(
        ["manual", "spam"], min_length=1,
        description="Which suppressions to lift; each is reported as removed or not. Lifting 'spam' or "
        "'unsubscribe' overrides the recipient's own choice: only do it on their request.")
    subaccount_id: str | None = subaccount_id_field()


class SuppressionRemoved(ApiData):
    email_address: str | None = None
    reason: str | None = None
    removed: bool | None = None


class SuppressionRemoveData(ApiData):
    suppressions: list[SuppressionRemoved] = Field(default_factory=list)


api_tool(
    "suppression/remove", toolset="suppressions", kind="remove", title="Lift a suppression",
    description="Allow sending to a suppressed address or domain again, for the reasons given "
    "(default manual and spam); the result says which were actually removed.",
    input=SuppressionRemoveInput, data=SuppressionRemoveData,
)


class SuppressionViewInput(ToolInput):
    email_address: AddressOrDomain | None = Field(None, description="Check this one address or domain.")
    wildcard: SingleLine | None = Field(None, max_length=320, description="Only entries whose address or domain contains this text.")
    suppression_types: list[Reason] | None = Field(None, min_length=1, description="Only suppressions of these kinds.")
    start_date: DateTimeText | None = Field(None, description="Only entries added at or after this time (UTC).")
    end_date: DateTimeText | None = Field(None, description="Only entries added before this time (UTC).")
    sort: Literal["asc", "desc"] | None = Field(None, description="Order by date added.")
    continue_token: str | None = continue_token_field()
    subaccount_id: str | None = subaccount_id_field()


class Suppression(ApiData):
    email_address: str | None = None
    reason: str | None = None
    block_description: str | None = None
    complaint: str | None = None
    subject: str | None = None
    timestamp: str | None = None


class SuppressionViewData(ApiData):
    results: list[Suppression] = Field(default_factory=list)
    total_results: int | None = None
    continue_token: str | None = None


api_tool(
    "suppression/view", toolset="suppressions", kind="read", title="View suppressions",
    description="List suppressed addresses and domains (bounces, spam complaints, unsubscribes, "
    "manual, compliance), or check whether one address is suppressed and why.",
    input=SuppressionViewInput, data=SuppressionViewData,
)
