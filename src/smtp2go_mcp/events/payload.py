"""Reading SMTP2GO webhook posts (reference §5) into uniform event records.

SMTP2GO posts one event per request, form-encoded or JSON as the webhook says
(`output_format`). The documented event names and the ones observed in real
posts differ (§5.2: `opened` for `open`, `hard-bounced` for a hard `bounce`...),
so both are read: each record has the normalized name and keeps the raw one.
A well-formed post with a name we do not know is kept as given, never refused:
SMTP2GO retries a refused post for 48 hours, and it would send the same again.

`processed` names all the recipients (`recipients`) and no `rcpt`; it becomes
one record per recipient, so that every record is about one email and one
recipient and a question about a recipient finds its `processed` too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any, Literal, get_args
from urllib.parse import parse_qs

# The documented email event names: what a webhook subscribes to, and what its posts name (§5.2).
EmailEvent = Literal["processed", "delivered", "open", "click", "bounce", "spam", "unsubscribe", "resubscribe", "reject"]
EMAIL_EVENTS: tuple[str, ...] = get_args(EmailEvent)
# Names seen in callbacks and in activity/search, with the documented name (and bounce type) they mean.
ALIASES: dict[str, tuple[str, str | None]] = {
    "opened": ("open", None), "clicked": ("click", None), "unsubscribed": ("unsubscribe", None),
    "spam_complaint": ("spam", None), "soft-bounced": ("bounce", "soft"), "hard-bounced": ("bounce", "hard"),
    "resubscribed": ("resubscribe", None), "rejected": ("reject", None),
}
MAX_FORM_FIELDS = 1000


class MalformedPost(ValueError):
    """The body is not a webhook post: not JSON or form data, or an event without a name."""


@dataclass(frozen=True)
class WebhookEvent:
    event: str  # normalized: one of EMAIL_EVENTS, an SMS event name, or an unknown name as given
    raw_event: str  # the name exactly as posted
    kind: str  # "email" or "sms"
    time: datetime  # UTC; when the post has no readable time, when it was received
    email_id: str | None
    rcpt: str | None  # the recipient (an SMS's destination number)
    bounce: str | None  # "hard" or "soft", for bounces
    payload: Mapping[str, Any] = field(repr=False)  # the posted item, whole

    @property
    def rcpt_key(self) -> str | None:
        """The recipient as looked up: the bare address, lower-cased."""
        return address_key(self.rcpt)


def address_key(value: str | None) -> str | None:
    if not value:
        return None
    return (parseaddr(value)[1] or value).strip().lower()


def parse_post(body: bytes, content_type: str | None, *, received: datetime | None = None) -> list[WebhookEvent]:
    """The events of one post (a form, a JSON object or a JSON list of objects)."""
    received = received or datetime.now(timezone.utc)
    if not body.strip():
        raise MalformedPost("the body is empty")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedPost("the body is not UTF-8 text") from None
    media = (content_type or "").split(";")[0].strip().lower()
    if media.endswith("json") or (not media.startswith("application/x-www-form-urlencoded")
                                  and text.lstrip()[:1] in ("{", "[")):
        return parse_items(_json_items(text), received)
    try:
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        raise MalformedPost(f"the form has more than {MAX_FORM_FIELDS} fields") from None
    return parse_items([form_item((k, v) for k, values in fields.items() for v in values)], received)


def form_item(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """One form post as a dict: `recipients` (repeated, or comma-separated) becomes a list."""
    item: dict[str, Any] = {}
    recipients: list[str] = []
    for key, value in pairs:
        if key in ("recipients", "recipients[]"):
            recipients.extend(part.strip() for part in value.split(",") if part.strip())
        else:
            item.setdefault(key, value)
    if recipients:
        item["recipients"] = recipients
    return item


def _json_items(text: str) -> list[Any]:
    try:
        data = json.loads(text)
    except ValueError:
        raise MalformedPost("the body is not valid JSON") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise MalformedPost("the JSON list is empty")
    return items


def parse_items(items: list[Any], received: datetime) -> list[WebhookEvent]:
    events: list[WebhookEvent] = []
    for index, item in enumerate(items):
        where = f"item {index + 1}: " if len(items) > 1 else ""
        if not isinstance(item, dict):
            raise MalformedPost(f"{where}an event must be a JSON object")
        raw = item.get("event")
        if not isinstance(raw, str) or not raw.strip():
            raise MalformedPost(f"{where}there is no 'event' field")
        events.extend(_records(item, raw, received))
    return events


def _records(item: dict[str, Any], raw: str, received: datetime) -> list[WebhookEvent]:
    name = raw.strip().lower()
    event, bounce = ALIASES.get(name, (name, None))
    sms = name.startswith("sms_") or name == "opt-out" or ("destination_number" in item and "email_id" not in item)
    if event == "bounce":
        bounce = (_text(item, "bounce") or bounce or "").lower() or None
    when = parse_time(item.get("time")) or parse_time(item.get("received_timestamp")) or received
    email_id = _text(item, "email_id")
    rcpt = _text(item, "destination_number") if sms else _text(item, "rcpt")
    recipients = item.get("recipients")
    if rcpt is None and not sms and isinstance(recipients, list) and recipients:
        return [WebhookEvent(event, raw, "email", when, email_id, str(r), bounce, item) for r in recipients if r]
    return [WebhookEvent(event, raw, "sms" if sms else "email", when, email_id, rcpt, bounce, item)]


def _text(item: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = item.get(name)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


def parse_time(value: Any) -> datetime | None:
    """A time as SMTP2GO writes them (`…Z`, `+00:00`, with or without a T, unix seconds), in UTC."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _unix(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return _unix(int(text))
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)


def _unix(seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def details(payload: Mapping[str, Any]) -> dict[str, str]:
    """What an agent wants from a payload besides the name, time, email and recipient, by our names."""
    found = {
        "subject": _text(payload, "subject", "Subject", "email_subject"),
        "sender": _text(payload, "sender", "from_address", "from", "sender_email"),
        "message": _text(payload, "message", "status_code"),
        "host": _text(payload, "host"),
        "context": _text(payload, "context"),
        "url": _text(payload, "click_url", "link", "url"),
        "user_agent": _text(payload, "user-agent", "user_agent"),
        "message_id": _text(payload, "message-id", "Message-Id", "message_id"),
    }
    return {k: v for k, v in found.items() if v is not None}
