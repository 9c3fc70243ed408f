"""Suppressions: addresses and domains SMTP2GO will not send to."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from smtp2go_mcp.envelope import ApiData, ToolInput
from smtp2go_mcp.fields import AddressOrDomain, DateTimeText, SingleLine, continue_token_field, subaccount_id_field
from smtp2go_mcp.registry import api_tool

Reason = Literal["manual", "spam", "unsubscribe", "bounce", "compliance"]


class SuppressionAddInput(ToolInput):
    email_address: AddressOrDomain = Field(description="An address or whole domain.")
    block_description: SingleLine | None = Field(None, max_length=255, description="Why, for the record.")
    subaccount_id: str | None = subaccount_id_field()


class SuppressionAdded(ApiData):
    added: bool | None = None
    email_address: str | None = None
    block_description: str | None = None


api_tool(
    "suppression/add", toolset="suppressions", kind="create", title="Suppress an address",
    description="Stop all sending to an address or a whole domain until the suppression is lifted.",
    input=SuppressionAddInput, data=SuppressionAdded,
)


class SuppressionRemoveInput(ToolInput):
    email_address: AddressOrDomain = Field(description="The suppressed address or domain.")
    reasons: list[Reason] = Field(
        ["manual", "spam"], min_length=1,
        description="Which to lift. Lifting spam or unsubscribe overrides the recipient's choice: only on their "
        "request.")
    subaccount_id: str | None = subaccount_id_field()


class SuppressionRemoved(ApiData):
    email_address: str | None = None
    reason: str | None = None
    removed: bool | None = None


class SuppressionRemoveData(ApiData):
    suppressions: list[SuppressionRemoved] = Field(default_factory=list)


api_tool(
    "suppression/remove", toolset="suppressions", kind="remove", title="Lift a suppression",
    description="Allow sending to a suppressed address or domain again; the result says which suppressions "
    "were lifted.",
    input=SuppressionRemoveInput, data=SuppressionRemoveData,
)


class SuppressionViewInput(ToolInput):
    email_address: AddressOrDomain | None = Field(None, description="Only this address or domain.")
    wildcard: SingleLine | None = Field(None, max_length=320, description="Address or domain contains this.")
    suppression_types: list[Reason] | None = Field(None, min_length=1, description="Only these kinds.")
    start_date: DateTimeText | None = Field(None, description="Added at or after (UTC).")
    end_date: DateTimeText | None = Field(None, description="Added before (UTC).")
    sort: Literal["asc", "desc"] | None = Field(None, description="Order by date added.")
    continue_token: str | None = continue_token_field()
    subaccount_id: str | None = subaccount_id_field()


class Suppression(ApiData):
    email_address: str | None = None
    reason: str | None = None
    block_description: str | None = None
    timestamp: str | None = None


class SuppressionViewData(ApiData):
    results: list[Suppression] = Field(default_factory=list)
    total_results: int | None = None
    continue_token: str | None = None


api_tool(
    "suppression/view", toolset="suppressions", kind="read", title="View suppressions",
    description="List suppressed addresses and domains (bounce, spam, unsubscribe, manual, compliance), or "
    "check whether one is suppressed and why.",
    input=SuppressionViewInput, data=SuppressionViewData,
)
