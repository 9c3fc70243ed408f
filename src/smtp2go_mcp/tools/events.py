"""SMTP2GO_EVENTS_RECENT: what SMTP2GO's webhooks told this server about sent mail (local, no API call).

The receiver (events/receiver.py) stores what SMTP2GO posts; this reads it back
by email and recipient, so an agent learns "delivered", "bounced: 550 no such
user" or "clicked" within seconds, without polling activity/search.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any, ClassVar, Literal

import anyio.to_thread
from pydantic import BaseModel, Field

from smtp2go_mcp.envelope import ToolInput, ToolOutput
from smtp2go_mcp.events.payload import EmailEvent, details, parse_time
from smtp2go_mcp.events.store import ReceiverCounts, StoredEvent
from smtp2go_mcp.fields import DateTimeText, SingleLine
from smtp2go_mcp.registry import tool


# The status a recipient is in after each event, and the order of events that share a second.
STATUS = {"processed": "processed", "delivered": "delivered", "bounce": "bounced", "reject": "rejected",
          "open": "opened", "click": "clicked", "spam": "spam", "unsubscribe": "unsubscribed",
          "resubscribe": "resubscribed"}
_STAGE = {"processed": 0, "delivered": 1, "bounce": 1, "reject": 1, "open": 2, "click": 3}


class EventsRecentInput(ToolInput):
    email_id: SingleLine | None = Field(None, min_length=1, max_length=200, description="Only this email "
                                        "(the email_id a send returned).")
    rcpt: SingleLine | None = Field(None, min_length=1, max_length=320, description="Only this recipient address.")
    events: list[EmailEvent] | None = Field(None, min_length=1, description="Only these events.")
    since: DateTimeText | None = Field(None, description="Only events from then on (UTC), e.g. 2026-11-01T09:30:00Z.")
    limit: int = Field(50, ge=1, le=500, description="Most events returned, newest first.")


class EventView(BaseModel):
    event: str
    raw_event: str | None = Field(None, description="The name SMTP2GO posted, when it differs.")
    time: str
    email_id: str | None = None
    rcpt: str | None = None
    subject: str | None = None
    sender: str | None = None
    bounce: str | None = Field(None, description="hard or soft.")
    message: str | None = Field(None, description="The receiving server's reply or the error.")
    host: str | None = None
    context: str | None = None
    url: str | None = Field(None, description="The link clicked.")
    user_agent: str | None = None
    kind: Literal["sms"] | None = Field(None, description="Set for SMS events.")


class RecipientStatus(BaseModel):
    rcpt: str
    status: str = Field(description="Latest: processed, delivered, bounced, rejected, opened, clicked, spam, "
                        "unsubscribed, ...")
    email_id: str | None = None
    time: str
    bounce: str | None = None
    reason: str | None = Field(None, description="Why it bounced or was rejected.")
    seen: list[str] = Field(description="Its events, oldest first.")


class ReceiverStatus(BaseModel):
    listening: bool = Field(description="This server accepts SMTP2GO webhook posts.")
    accepted_posts: int
    accepted_events: int
    rejected_unauthorized: int
    rejected_malformed: int
    rejected_oversized: int
    last_post_at: str | None


class EventsRecentOutput(ToolOutput):
    events: list[EventView]
    recipients: list[RecipientStatus] = Field(description="Latest status per email and recipient, of these events.")
    receiver: ReceiverStatus | None
    hint: str | None = Field(None, description="How to start receiving events, while none has arrived.")

    failure_defaults: ClassVar[dict[str, Any]] = {"events": [], "recipients": [], "receiver": None}


async def _recent(args: EventsRecentInput, ctx: Any) -> EventsRecentOutput:
    store = ctx.runtime.events
    since = parse_time(args.since) if args.since else None
    found = await anyio.to_thread.run_sync(lambda: store.query(
        email_id=args.email_id, rcpt=args.rcpt, events=args.events, since=since, limit=args.limit))
    counts: ReceiverCounts = await anyio.to_thread.run_sync(store.counts)
    settings = ctx.settings
    listening = bool(settings.webhook_secret) and (settings.transport != "stdio" or settings.sandbox)
    # The hint only while nothing ever arrived (left out, not null, otherwise: the schema says string).
    hint = {} if counts.accepted_posts else {"hint": _setup_hint(settings, listening)}
    return EventsRecentOutput(
        successful=True, error=None, error_code=None, events=[_view(e) for e in found],
        recipients=summarize(found), receiver=ReceiverStatus(
            listening=listening, accepted_posts=counts.accepted_posts, accepted_events=counts.accepted_events,
            rejected_unauthorized=counts.rejected_unauthorized, rejected_malformed=counts.rejected_malformed,
            rejected_oversized=counts.rejected_oversized, last_post_at=_iso(counts.last_post_at)), **hint)


def _view(event: StoredEvent) -> EventView:
    fields: dict[str, Any] = {"event": event.event, "time": _iso(event.time), **details(event.payload)}
    fields.pop("message_id", None)
    if event.raw_event != event.event:
        fields["raw_event"] = event.raw_event
    for name in ("email_id", "rcpt", "bounce"):
        if getattr(event, name):
            fields[name] = getattr(event, name)
    if event.kind == "sms":
        fields["kind"] = "sms"
    return EventView(**fields)  # only what is known is set, so the result leaves the rest out


def summarize(events: Sequence[StoredEvent]) -> list[RecipientStatus]:
    """The latest status of each recipient of each email in `events`, most recent first.

    Per email as well as per recipient: a recipient's clicks in last week's newsletter say nothing
    about today's invoice. Events of the same second are ordered by how mail progresses
    (processed, delivered, opened, clicked), since SMTP2GO's times have no fractions.
    """
    ordered = sorted(events, key=lambda e: (e.time, _STAGE.get(e.event, 4), e.id))
    latest: dict[tuple[str | None, str], tuple[StoredEvent, list[str]]] = {}
    for event in ordered:
        if not event.rcpt:
            continue
        key = (event.email_id, event.rcpt.lower())
        seen = latest[key][1] if key in latest else []
        if event.event not in seen:
            seen.append(event.event)
        latest[key] = (event, seen)
    summary = []
    for event, seen in sorted(latest.values(), key=lambda item: (item[0].time, item[0].id), reverse=True):
        entry: dict[str, Any] = {"rcpt": event.rcpt, "status": STATUS.get(event.event, event.event),
                                 "time": _iso(event.time), "seen": seen}
        if event.email_id:
            entry["email_id"] = event.email_id
        if event.event == "bounce" and event.bounce:
            entry["bounce"] = event.bounce
        reason = details(event.payload).get("message")
        if event.event in ("bounce", "reject") and reason:
            entry["reason"] = reason
        summary.append(RecipientStatus(**entry))
    return summary


def _setup_hint(settings: Any, listening: bool) -> str:
    if listening:
        return ("No webhook post has arrived yet. Point a webhook here with SMTP2GO_WEBHOOK_ADD this_server: true"
                + ("" if settings.public_url else " (set SMTP2GO_MCP_PUBLIC_URL first)")
                + "; SMTP2GO must be able to reach this server.")
    return ("No webhook post has arrived yet, and this server does not receive them: serve over HTTP with "
            "SMTP2GO_MCP_WEBHOOK_SECRET and SMTP2GO_MCP_PUBLIC_URL set, then SMTP2GO_WEBHOOK_ADD this_server: true. "
            "Until then, SMTP2GO_ACTIVITY_SEARCH shows what happened.")


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    text = when.astimezone(timezone.utc).isoformat(timespec="microseconds" if when.microsecond else "seconds")
    return text.replace("+00:00", "Z")


tool(
    "SMTP2GO_EVENTS_RECENT", toolset="activity", kind="read", title="Recent delivery events", open_world=False,
    description="What SMTP2GO's webhooks reported to this server about sent mail: delivered, bounced (with the "
    "reason), opened, clicked, spam, unsubscribed, per email_id or recipient, within seconds. Needs a webhook "
    "pointing here (SMTP2GO_WEBHOOK_ADD this_server: true); otherwise use SMTP2GO_ACTIVITY_SEARCH.",
    input=EventsRecentInput, output=EventsRecentOutput, run=_recent,
)
