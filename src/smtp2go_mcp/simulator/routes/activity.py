"""activity/search and the deprecated email/search, over the state's event log."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from smtp2go_mcp.simulator.core import Body, invalid, route
from smtp2go_mcp.simulator.routes.matching import contains, event_time, time_range, today_start
from smtp2go_mcp.simulator.routes.paging import page
from smtp2go_mcp.simulator.state import SimState, utcnow

EVENT_TYPES = ("processed", "soft-bounced", "hard-bounced", "rejected", "spam", "delivered",
               "unsubscribed", "resubscribed", "opened", "clicked")


@route("activity/search")
def activity_search(state: SimState, body: Body) -> dict[str, Any]:
    now = utcnow()
    start, end = time_range(body, today_start(now), now + timedelta(seconds=1))
    limit = body.int("limit", default=100, lo=1, hi=1000)
    types = body.strs("event_types", choices=EVENT_TYPES)
    usernames = body.strs("search_usernames")
    search = body.str("search")
    body.strs("subaccounts")
    body.str("region", choices=("us", "eu", "au"))
    filters = {name: body.str(f"search_{name}") for name in ("email_id", "subject", "sender", "recipient")}

    events = []
    for event in state.events:
        if not start <= event_time(event["date"]) < end:
            continue
        if types and event["event"] not in types:
            continue
        if usernames and event.get("username") not in usernames:
            continue
        if any(value and not contains(event.get(name), value) for name, value in filters.items()):
            continue
        if search and not any(
            contains(event.get(f), alt.strip())
            for alt in search.split("|") for f in ("sender", "recipient", "subject", "email_id")
        ):
            continue
        events.append(event)
    if body.bool("only_latest_by_sent") or body.bool("only_latest"):
        seen: set[tuple[str, str]] = set()
        latest = []
        for event in events:  # newest first, so the first of each pair is the latest
            key = (event["email_id"], event.get("recipient", ""))
            if key not in seen:
                seen.add(key)
                latest.append(event)
        events = latest
    include_headers = body.bool("include_headers", default=False)
    wanted_headers = body.strs("custom_headers") or []
    chunk, token = page(events, limit, body.str("continue_token"))
    out = []
    for event in chunk:
        item = {k: v for k, v in event.items() if k != "headers"}
        if include_headers:
            item["headers"] = f"From: {event['sender']}\nTo: {event.get('recipient', '')}\nSubject: {event['subject']}"
        if wanted_headers:
            item["custom_headers"] = {name: event.get("headers", {}).get(name) for name in wanted_headers}
        out.append(item)
    return {"events": out, "total_events": len(events), "continue_token": token}


_STATUS = {"delivered": "delivered", "opened": "opened", "clicked": "opened", "hard-bounced": "bounce",
           "soft-bounced": "deferred", "spam": "spam", "unsubscribed": "unsubscribed", "rejected": "refused",
           "processed": "processed"}


@route("email/search")
def email_search(state: SimState, body: Body) -> dict[str, Any]:
    now = utcnow()
    start, end = time_range(body, today_start(now), now + timedelta(seconds=1))
    limit = body.int("limit", default=5000, lo=1, hi=5000)
    ids = body.strs("email_id")
    username = body.str("username")
    query = body.str("filter_query")
    ignore_case = body.bool("ignore_case", default=False)
    opened_only, clicked_only = body.bool("opened_only"), body.bool("clicked_only")
    terms = _parse_query(query) if query else []

    emails: dict[tuple[str, str], dict[str, Any]] = {}
    for event in reversed(state.events):  # oldest first, so later events update the status
        if event["event"] == "processed" or not start <= event_time(event["date"]) <= end:
            continue
        key = (event["email_id"], event["recipient"])
        email = emails.setdefault(key, {
            "email_id": event["email_id"], "sender": event["sender"], "recipient": event["recipient"],
            "subject": event["subject"], "username": event.get("username"), "email_ts": event["date"],
            "process_status": "completed", "opens": [], "total_opens": 0, "clicked": False,
        })
        email["status"] = _STATUS.get(event["event"], event["event"])
        if event["event"] == "delivered":
            email.update(delivered_at=event["date"], smtpcode=250, response=event.get("smtp_response"),
                         host=event.get("host"))
        if event["event"].endswith("bounced"):
            email.update(smtpcode=int(event["smtp_response"][:3]), response=event["smtp_response"])
        if event["event"] == "opened":
            email["total_opens"] += 1
            email["opens"].append({"opened_at": event["date"], "recipient": event["recipient"],
                                   "user_agent": "Mozilla/5.0", "read_secs": 15, "ip_address": "198.51.100.7"})
        if event["event"] == "clicked":
            email["clicked"] = True
    found = []
    for email in sorted(emails.values(), key=lambda e: e["email_ts"], reverse=True):
        if ids and email["email_id"] not in ids:
            continue
        if username and email.get("username") != username:
            continue
        if opened_only and not email["total_opens"]:
            continue
        if clicked_only and not email["clicked"]:
            continue
        if terms and not all(_term_matches(email, field, value, ignore_case) for field, value in terms):
            continue
        found.append({k: v for k, v in email.items() if k not in ("clicked", "username")})
    chunk, token = page(found, limit, body.str("continue_token"))
    data: dict[str, Any] = {"count": len(found), "emails": chunk, "continue_token": token}
    if body.bool("status_counts"):
        counts: dict[str, int] = {}
        for email in found:
            counts[email["status"]] = counts.get(email["status"], 0) + 1
        data["status_counts"] = counts
    return data


_TERM = re.compile(r'(\w+):("[^"]*"|\S+)')


def _parse_query(query: str) -> list[tuple[str, str]]:
    """A subset of the Whoosh syntax: `field:value` terms joined by AND (phrases in quotes)."""
    terms = [(f, v.strip('"')) for f, v in _TERM.findall(query)]
    if not terms:
        raise invalid("filter_query", "The field 'filter_query' could not be parsed; use field:value terms.")
    return terms


_QUERY_FIELDS = {"status": {"hardbounce": "bounce", "softbounce": "deferred", "sent": "delivered",
                            "rejected": "refused", "spam": "spam", "unsubscribed": "unsubscribed"}}


def _term_matches(email: dict[str, Any], field: str, value: str, ignore_case: bool) -> bool:
    if field == "status":
        return email["status"] == _QUERY_FIELDS["status"].get(value.lower(), value.lower())
    actual = str(email.get(field, ""))
    return value.lower() in actual.lower() if ignore_case else value in actual
