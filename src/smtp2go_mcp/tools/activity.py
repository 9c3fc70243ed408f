"""Activity: what happened to sent mail (activity/search, and the deprecated email/search)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from smtp2go_mcp.envelope import ApiData, ToolInput
from smtp2go_mcp.fields import DateTimeText, SingleLine, continue_token_field
from smtp2go_mcp.registry import api_tool

EventType = Literal[
    "processed", "soft-bounced", "hard-bounced", "rejected", "spam", "delivered",
    "unsubscribed", "resubscribed", "opened", "clicked",
]

_START = "Earliest event time, inclusive (UTC), e.g. 2026-11-01 or 2026-11-01T09:30:00Z; default today 00:00 UTC."
_END = "Latest event time, exclusive (UTC), same formats; default now."


class ActivitySearchInput(ToolInput):
    start_date: DateTimeText | None = Field(None, description=_START)
    end_date: DateTimeText | None = Field(None, description=_END)
    search: SingleLine | None = Field(
        None, max_length=1000, description="Text matched across sender, recipient, subject and id; separate alternatives with ' | '.")
    search_email_id: SingleLine | None = Field(None, max_length=200, description="Only events of this email_id.")
    search_subject: SingleLine | None = Field(None, max_length=1000, description="Only emails whose subject contains this text.")
    search_sender: SingleLine | None = Field(None, max_length=320, description="Only emails whose sender contains this text.")
    search_recipient: SingleLine | None = Field(None, max_length=320, description="Only emails whose recipient contains this text.")
    search_usernames: list[SingleLine] | None = Field(
        None, max_length=100, description="Only mail sent by these SMTP users or API keys (an API key's username is its first 16 characters).")
    subaccounts: list[SingleLine] | None = Field(None, max_length=100, description="Search these subaccounts (ids) instead of the master account.")
    event_types: list[EventType] | None = Field(None, min_length=1, description="Only these kinds of event.")
    limit: int = Field(100, ge=1, le=1000, description="Events per page (1-1000).")
    continue_token: str | None = continue_token_field()
    only_latest: bool | None = Field(None, description="Only the latest event of each email and recipient.")
    only_latest_by_sent: bool | None = Field(None, description="Like only_latest, but ordered by send time; overrides only_latest.")
    include_headers: bool | None = Field(None, description="Include each email's headers in the events.")
    custom_headers: list[SingleLine] | None = Field(
        None, max_length=50, description="Header names to parse out of each email into custom_headers, e.g. X-Order-Id.")
    region: Literal["us", "eu", "au"] | None = Field(
        None, description="Search another region, for subaccounts that live there; default the account's own region.")


class DeliveryAttempt(ApiData):
    smtptime: str | None = None
    host: str | None = None
    smtpresponse: str | None = None


class ActivityEvent(ApiData):
    event: str | None = None
    date: str | None = None
    email_id: str | None = None
    sender: str | None = None
    sender_full: str | None = None
    recipient: str | None = None
    recipients: list[str] | None = None
    subject: str | None = None
    username: str | None = None
    subaccount_name: str | None = None
    to: str | list[str] | None = None
    cc: str | list[str] | None = None
    bcc: str | list[str] | None = None
    reply_to: str | None = None
    smtp_response: str | None = None
    reason: str | None = None
    host: str | None = None
    error: str | None = None
    byte_size: int | None = None
    headers: str | dict[str, Any] | None = None
    custom_headers: dict[str, Any] | None = None
    delivery_attempts: list[DeliveryAttempt] | None = None


class ActivitySearchData(ApiData):
    events: list[ActivityEvent] = Field(default_factory=list)
    total_events: int | None = None
    continue_token: str | None = Field(None, description="Pass to the next call for more; absent when there are no more pages.")


api_tool(
    "activity/search",
    toolset="activity",
    kind="read",
    title="Search email activity",
    description=(
        "Find what happened to sent email: processed, delivered, bounced, opened, clicked, spam, "
        "unsubscribed. Filter by dates, sender, recipient, subject, email_id or event type; pages of "
        "up to 1000 events with continue_token. SMTP2GO allows 60 calls per minute."
    ),
    input=ActivitySearchInput,
    data=ActivitySearchData,
)


class EmailSearchInput(ToolInput):
    start_date: DateTimeText | None = Field(None, description="Earliest send time, inclusive (UTC); default today 00:00.")
    end_date: DateTimeText | None = Field(None, description="Latest send time, inclusive (UTC); default now.")
    limit: int = Field(5000, ge=1, le=5000, description="Emails per page (1-5000).")
    filter_query: SingleLine | None = Field(
        None, max_length=2000,
        description="Whoosh query over sender, recipient, subject, status, email_id, smtpcode, host, headers; "
        "AND/OR/NOT, phrases in double quotes, e.g. status:hardbounce AND recipient:jo@example.com.")
    email_id: list[SingleLine] | None = Field(None, max_length=500, description="Only these email ids.")
    username: SingleLine | None = Field(None, max_length=100, description="Only mail sent by this SMTP user or API key username.")
    headers: list[SingleLine] | None = Field(None, max_length=50, description="Header names to return with each email.")
    status_counts: bool | None = Field(None, description="Also return counts per status.")
    opened_only: bool | None = Field(None, description="Only emails that were opened.")
    clicked_only: bool | None = Field(None, description="Only emails with a clicked link.")
    ignore_case: bool | None = Field(None, description="Match filter_query case-insensitively.")
    continue_token: str | None = continue_token_field()


class EmailOpen(ApiData):
    user_agent: str | None = None
    opened_at: str | None = None
    read_secs: int | float | None = None
    recipient: str | None = None
    ip_address: str | None = None


class FoundEmail(ApiData):
    email_id: str | None = None
    sender: str | None = None
    recipient: str | None = None
    status: str | None = None
    process_status: str | None = None
    smtpcode: int | str | None = None
    response: str | None = None
    host: str | None = None
    email_ts: str | None = None
    delivered_at: str | None = None
    total_opens: int | None = None
    opens: list[EmailOpen] | None = None


class EmailSearchData(ApiData):
    count: int | None = None
    emails: list[FoundEmail] = Field(default_factory=list)
    continue_token: str | None = None


api_tool(
    "email/search",
    toolset="activity",
    kind="read",
    title="Search sent emails (deprecated)",
    description=(
        "Deprecated by SMTP2GO and limited to 20 calls per minute: prefer SMTP2GO_ACTIVITY_SEARCH. "
        "Use only for its Whoosh filter_query or per-status counts over up to 5000 sent emails."
    ),
    input=EmailSearchInput,
    data=EmailSearchData,
)


class ArchiveSearchInput(ToolInput):
    start_date: DateTimeText | None = Field(None, description="Earliest send time, inclusive (UTC).")
    end_date: DateTimeText | None = Field(None, description="Latest send time, exclusive (UTC).")
    sender: SingleLine | None = Field(None, max_length=320, description="Only emails whose From contains this.")
    envelope_from: SingleLine | None = Field(None, max_length=320, description="Only emails whose envelope sender contains this.")
    recipient: SingleLine | None = Field(None, max_length=320, description="Only emails to a recipient containing this.")
    subject: SingleLine | None = Field(None, max_length=998, description="Only emails whose subject contains this.")
    headers: SingleLine | None = Field(None, max_length=1000, description="Only emails whose headers contain this text.")
    username: SingleLine | None = Field(None, max_length=100, description="Only mail sent by this SMTP user or API key username.")
    limit: int = Field(5000, ge=1, le=5000, description="Emails per page (1-5000).")
    continue_token: str | None = continue_token_field()


class ArchivedEmail(ApiData):
    email_id: str | None = None
    sent: str | None = None
    sender: str | None = None
    envelope_from: str | None = None
    recipient: str | None = None
    to: str | list[str] | None = None
    subject: str | None = None
    username: str | None = None
    byte_count: int | None = None
    attachment_count: int | None = None
    attachments: list[str | dict[str, Any]] | None = None
    url: str | None = Field(None, description="Where the original message can be downloaded.")


class ArchiveSearchData(ApiData):
    emails: list[ArchivedEmail] = Field(default_factory=list)
    email_count: int | None = None
    continue_token: str | None = None


api_tool(
    "archive/search", toolset="activity", kind="read", title="Search the email archive",
    description="Find stored copies of sent emails (accounts with archiving on) by date, sender, recipient, "
    "subject or header text; each result links to the original message.",
    input=ArchiveSearchInput, data=ArchiveSearchData,
)


class ArchiveEmailInput(ToolInput):
    email_id: SingleLine = Field(min_length=1, max_length=200, description="The email_id, from a send result, activity or archive search.")


api_tool(
    "archive/email", toolset="activity", kind="read", title="Get an archived email",
    description="Show one archived email's details and the link to its original message.",
    input=ArchiveEmailInput, data=ArchivedEmail,
)
