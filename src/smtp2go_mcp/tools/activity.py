"""Activity: what happened to sent mail (activity/search, and the deprecated email/search)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from smtp2go_mcp.envelope import ApiData, ToolInput
from smtp2go_mcp.fields import DateTimeText, SingleLine, continue_token_field
from smtp2go_mcp.registry import api_tool

EventType = Literal[
    "processed", "soft-bounced", "hard-bounced", "rejected", "spam", "delivered",
    "unsubscribed", "resubscribed", "opened", "clicked",
]

_START = "UTC, inclusive, e.g. 2026-11-01 or 2026-11-01T09:30:00Z; default today 00:00."
_END = "UTC, exclusive; default now."
_USERNAME = "Only mail of this SMTP user or API key username."


class ActivitySearchInput(ToolInput):
    start_date: DateTimeText | None = Field(None, description=_START)
    end_date: DateTimeText | None = Field(None, description=_END)
    search: SingleLine | None = Field(
        None, max_length=1000, description="Matches sender, recipient, subject or id; alternatives split by ' | '.")
    search_email_id: SingleLine | None = Field(None, max_length=200, description="Only this email.")
    search_subject: SingleLine | None = Field(None, max_length=1000, description="Subject contains this.")
    search_sender: SingleLine | None = Field(None, max_length=320, description="Sender contains this.")
    search_recipient: SingleLine | None = Field(None, max_length=320, description="Recipient contains this.")
    search_usernames: list[SingleLine] | None = Field(
        None, max_length=100, description="SMTP users or API key usernames (a key's first 16 characters).")
    subaccounts: list[SingleLine] | None = Field(None, max_length=100, description="Subaccount ids to search instead of the master account.")
    event_types: list[EventType] | None = Field(None, min_length=1, description="Only these events.")
    limit: int = Field(100, ge=1, le=1000, description="Events per page.")
    continue_token: str | None = continue_token_field()
    only_latest: bool | None = Field(None, description="Only the latest event of each email and recipient.")
    only_latest_by_sent: bool | None = Field(None, description="Like only_latest, but by send time; overrides it.")
    include_headers: bool | None = Field(None, description="Include email headers.")
    custom_headers: list[SingleLine] | None = Field(
        None, max_length=50, description="Header names to return in custom_headers, e.g. X-Order-Id.")
    region: Literal["us", "eu", "au"] | None = Field(
        None, description="Region of the subaccounts to search; default the account's.")


# Output models type the fields agents act on; the rest of what SMTP2GO sends (to, cc, headers,
# delivery_attempts, ...) passes through unchanged. Every listed field costs context on each call.
class ActivityEvent(ApiData):
    event: str | None = None
    date: str | None = None
    email_id: str | None = None
    sender: str | None = None
    recipient: str | None = None
    subject: str | None = None
    smtp_response: str | None = None
    reason: str | None = None


class ActivitySearchData(ApiData):
    events: list[ActivityEvent] = Field(default_factory=list)
    total_events: int | None = None
    continue_token: str | None = None


api_tool(
    "activity/search",
    toolset="activity",
    kind="read",
    title="Search email activity",
    description=(
        "Find what happened to sent email (delivered, bounced, opened, clicked, spam...) by date, sender, "
        "recipient, subject, email_id or event. 60 calls/minute."
    ),
    input=ActivitySearchInput,
    data=ActivitySearchData,
)


class EmailSearchInput(ToolInput):
    start_date: DateTimeText | None = Field(None, description="UTC, inclusive; default today 00:00.")
    end_date: DateTimeText | None = Field(None, description="UTC, inclusive; default now.")
    limit: int = Field(5000, ge=1, le=5000, description="Emails per page.")
    filter_query: SingleLine | None = Field(
        None, max_length=2000,
        description="Whoosh query on sender, recipient, subject, status, email_id, smtpcode, host, headers; "
        "AND/OR/NOT, e.g. status:hardbounce AND recipient:jo@example.com.")
    email_id: list[SingleLine] | None = Field(None, max_length=500, description="Only these email ids.")
    username: SingleLine | None = Field(None, max_length=100, description=_USERNAME)
    headers: list[SingleLine] | None = Field(None, max_length=50, description="Header names to return.")
    status_counts: bool | None = Field(None, description="Also count per status.")
    opened_only: bool | None = Field(None, description="Only opened emails.")
    clicked_only: bool | None = Field(None, description="Only clicked emails.")
    ignore_case: bool | None = Field(None, description="Case-insensitive filter_query.")
    continue_token: str | None = continue_token_field()


class FoundEmail(ApiData):
    email_id: str | None = None
    sender: str | None = None
    recipient: str | None = None
    status: str | None = None
    smtpcode: int | str | None = None
    response: str | None = None
    email_ts: str | None = None
    total_opens: int | None = None


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
        "Deprecated (20 calls/minute): prefer SMTP2GO_ACTIVITY_SEARCH. Use only for its Whoosh "
        "filter_query or per-status counts."
    ),
    input=EmailSearchInput,
    data=EmailSearchData,
)


class ArchiveSearchInput(ToolInput):
    start_date: DateTimeText | None = Field(None, description="UTC, inclusive.")
    end_date: DateTimeText | None = Field(None, description="UTC, exclusive.")
    sender: SingleLine | None = Field(None, max_length=320, description="From contains this.")
    envelope_from: SingleLine | None = Field(None, max_length=320, description="Envelope sender contains this.")
    recipient: SingleLine | None = Field(None, max_length=320, description="A recipient contains this.")
    subject: SingleLine | None = Field(None, max_length=998, description="Subject contains this.")
    headers: SingleLine | None = Field(None, max_length=1000, description="Headers contain this.")
    username: SingleLine | None = Field(None, max_length=100, description=_USERNAME)
    limit: int = Field(5000, ge=1, le=5000, description="Emails per page.")
    continue_token: str | None = continue_token_field()


class ArchivedEmail(ApiData):
    email_id: str | None = None
    sent: str | None = None
    sender: str | None = None
    recipient: str | None = None
    subject: str | None = None
    attachment_count: int | None = None
    url: str | None = Field(None, description="Link to the original message.")


class ArchiveSearchData(ApiData):
    emails: list[ArchivedEmail] = Field(default_factory=list)
    email_count: int | None = None
    continue_token: str | None = None


api_tool(
    "archive/search", toolset="activity", kind="read", title="Search the email archive",
    description="Find archived copies of sent emails (if archiving is on) by date, sender, recipient, subject "
    "or header text, with links to the originals.",
    input=ArchiveSearchInput, data=ArchiveSearchData,
)


class ArchiveEmailInput(ToolInput):
    email_id: SingleLine = Field(min_length=1, max_length=200, description="From a send result, activity or archive search.")


api_tool(
    "archive/email", toolset="activity", kind="read", title="Get an archived email",
    description="Show one archived email and the link to its original message.",
    input=ArchiveEmailInput, data=ArchivedEmail,
)
