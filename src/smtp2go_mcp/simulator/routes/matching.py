"""Filters shared by the search endpoints."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from smtp2go_mcp.simulator.core import Body, invalid


def parse_time(field: str, value: str) -> datetime:
    """Accept the layouts activity/search documents (ISO forms and RFC 822/1123)."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            raise invalid(field, f"The field '{field}' was expecting a date but found '{value}'.") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def time_range(body: Body, default_start: datetime, default_end: datetime) -> tuple[datetime, datetime]:
    start_text, end_text = body.str("start_date"), body.str("end_date")
    start = parse_time("start_date", start_text) if start_text else default_start
    end = parse_time("end_date", end_text) if end_text else default_end
    return start, end


def event_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def contains(haystack: object, needle: str) -> bool:
    return needle.lower() in str(haystack or "").lower()


def today_start(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def days_ago(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)
