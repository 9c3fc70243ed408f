"""Statistics: aggregate numbers for the billing cycle and the last 30 days."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from typing_extensions import TypeAliasType

from smtp2go_mcp.envelope import ApiData, NoArguments, ToolInput
from smtp2go_mcp.fields import DateTimeText, SingleLine
from smtp2go_mcp.registry import api_tool

# Percentages come as strings ("0.00") from most stats endpoints and as numbers
# from email_history (reference §6.18); both are accepted and passed through.
Percent = TypeAliasType("Percent", str | float)  # a shared definition where used twice


class UsernameFilter(ToolInput):
    username: SingleLine | None = Field(
        None, max_length=100, description="SMTP user or API key username (a key's first 16 characters).")


class BouncesData(ApiData):
    emails: int | None = None
    rejects: int | None = None
    softbounces: int | None = None
    hardbounces: int | None = None
    bounce_percent: Percent | None = None


class CycleData(ApiData):
    cycle_start: str | None = None
    cycle_end: str | None = None
    cycle_used: int | None = None
    cycle_remaining: int | None = None
    cycle_max: int | None = None


class SpamData(ApiData):
    emails: int | None = None
    rejects: int | None = None
    spams: int | None = None
    spam_percent: Percent | None = None


class UnsubsData(ApiData):
    emails: int | None = None
    rejects: int | None = None
    unsubscribes: int | None = None
    unsubscribe_percent: Percent | None = None


class HistoryInput(ToolInput):
    group_by: Literal["email_address", "username", "domain", "subaccount"] = Field(
        "email_address", description="One row per sender address, user or key, domain or subaccount.")
    start_date: DateTimeText | None = Field(None, description="UTC, e.g. 2026-10-01; default 30 days ago.")
    end_date: DateTimeText | None = Field(None, description="UTC; default now.")
    subaccounts: list[SingleLine] | None = Field(None, max_length=100, description="Only these subaccounts (ids).")


class HistoryRow(ApiData):
    email_address: str | None = None
    username: str | None = None
    domain: str | None = None
    subaccount: str | None = None
    used: int | None = None
    bounces: int | None = None
    spam: int | None = None
    unsubscribes: int | None = None
    opens: int | None = None
    clicks: int | None = None
    bounce_percent: Percent | None = None
    spam_percent: Percent | None = None


class HistoryData(ApiData):
    count: int | None = None
    history: list[HistoryRow] = Field(default_factory=list)
    bounce_percent_total: Percent | None = None
    spam_percent_total: Percent | None = None


_LAST_30 = ", last 30 days."

api_tool(
    "stats/email_bounces", toolset="stats", kind="read", title="Bounce statistics",
    description="Emails sent, rejects, soft and hard bounces and the bounce percentage" + _LAST_30,
    input=UsernameFilter, data=BouncesData,
)
api_tool(
    "stats/email_cycle", toolset="stats", kind="read", title="Billing cycle usage",
    description="Emails used and left in the current billing cycle, with its dates.",
    input=NoArguments, data=CycleData,
)
api_tool(
    "stats/email_history", toolset="stats", kind="read", title="Sending history",
    description="Sent, bounce, spam, open and click totals per sender, user, domain or subaccount over a period "
    "(default 30 days).",
    input=HistoryInput, data=HistoryData,
)
api_tool(
    "stats/email_spam", toolset="stats", kind="read", title="Spam complaint statistics",
    description="Emails sent, rejects, spam complaints and the spam percentage" + _LAST_30,
    input=UsernameFilter, data=SpamData,
)
api_tool(
    "stats/email_unsubs", toolset="stats", kind="read", title="Unsubscribe statistics",
    description="Emails sent, rejects, unsubscribes and the unsubscribe percentage" + _LAST_30,
    input=UsernameFilter, data=UnsubsData,
)


class SummaryData(CycleData):
    email_count: int | None = None
    rejects: int | None = None
    softbounces: int | None = None
    hardbounces: int | None = None
    bounce_percent: Percent | None = None
    spam_emails: int | None = None
    spam_percent: Percent | None = None
    unsubscribes: int | None = None
    unsubscribe_percent: Percent | None = None
    opens: int | None = None
    clicks: int | None = None


api_tool(
    "stats/email_summary", toolset="stats", kind="read", title="Statistics summary",
    description="Billing-cycle usage plus the last 30 days' sent, bounce, spam, unsubscribe, open and click "
    "totals; slower than the single stats tools.",
    input=UsernameFilter, data=SummaryData,
)
