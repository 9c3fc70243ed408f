"""stats/*: aggregates computed from the state's event log, so they agree with activity/search."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from smtp2go_mcp.simulator.core import Body, route
from smtp2go_mcp.simulator.routes.matching import days_ago, event_time, time_range
from smtp2go_mcp.simulator.state import SimState, utcnow


def _events(state: SimState, body: Body | None = None, since_days: int = 30) -> list[dict[str, Any]]:
    username = body.str("username") if body else None
    since = days_ago(utcnow(), since_days)
    return [e for e in state.events
            if event_time(e["date"]) >= since and (not username or e.get("username") == username)]


def _count(events: list[dict[str, Any]], kind: str) -> int:
    return sum(1 for e in events if e["event"] == kind)


def _sent(events: list[dict[str, Any]]) -> int:
    return sum(len(e.get("recipients", [1])) for e in events if e["event"] == "processed")


def _percent(part: int, whole: int) -> str:
    return f"{(part * 100 / whole) if whole else 0:.2f}"


@route("stats/email_bounces")
def email_bounces(state: SimState, body: Body) -> dict[str, Any]:
    events = _events(state, body)
    sent, soft, hard = _sent(events), _count(events, "soft-bounced"), _count(events, "hard-bounced")
    return {"emails": sent, "rejects": _count(events, "rejected"), "softbounces": soft, "hardbounces": hard,
            "bounce_percent": _percent(soft + hard, sent)}


@route("stats/email_spam")
def email_spam(state: SimState, body: Body) -> dict[str, Any]:
    events = _events(state, body)
    sent, spams = _sent(events), _count(events, "spam")
    return {"emails": sent, "rejects": _count(events, "rejected"), "spams": spams, "spam_percent": _percent(spams, sent)}


@route("stats/email_unsubs")
def email_unsubs(state: SimState, body: Body) -> dict[str, Any]:
    events = _events(state, body)
    sent, unsubs = _sent(events), _count(events, "unsubscribed")
    return {"emails": sent, "rejects": _count(events, "rejected"), "unsubscribes": unsubs,
            "unsubscribe_percent": _percent(unsubs, sent)}


def cycle(state: SimState) -> dict[str, Any]:
    start = state.cycle_start
    end = (start + timedelta(days=32)).replace(day=1)
    used = _sent([e for e in state.events if event_time(e["date"]) >= start])
    fmt = "%Y-%m-%d %H:%M:%S+00:00"
    return {"cycle_start": start.strftime(fmt), "cycle_end": end.strftime(fmt), "cycle_used": used,
            "cycle_remaining": max(0, state.cycle_max - used), "cycle_max": state.cycle_max}


@route("stats/email_cycle")
def email_cycle(state: SimState, body: Body) -> dict[str, Any]:
    return cycle(state)


_GROUPS = ("email_address", "username", "domain", "subaccount")


@route("stats/email_history")
def email_history(state: SimState, body: Body) -> dict[str, Any]:
    group_by = body.str("group_by", default="email_address", choices=_GROUPS)
    now = utcnow()
    start, end = time_range(body, days_ago(now, 30), now + timedelta(seconds=1))
    body.strs("subaccounts")
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for event in state.events:
        if not start <= event_time(event["date"]) < end:
            continue
        key = {"email_address": event["sender"], "username": event.get("username", ""),
               "domain": event["sender"].split("@")[-1], "subaccount": event.get("subaccount_name", "")}[group_by]
        row = rows[key]
        kind = event["event"]
        if kind == "processed":
            row["used"] += len(event.get("recipients", [1]))
            row["bytecount"] += event.get("byte_size", 0)
        counters = {"soft-bounced": "bounces", "hard-bounced": "bounces", "spam": "spam", "opened": "opens",
                    "clicked": "clicks", "unsubscribed": "unsubscribes", "rejected": "rejects"}
        if kind in counters:
            row[counters[kind]] += 1
    history = []
    totals: dict[str, int] = defaultdict(int)
    for key, row in sorted(rows.items()):
        used = row["used"]
        item: dict[str, Any] = {group_by: key, "used": used, "bytecount": row["bytecount"],
                                "avgsize": row["bytecount"] // used if used else 0, "lastip": "203.0.113.10"}
        for name in ("bounces", "clicks", "opens", "rejects", "spam", "unsubscribes"):
            item[name] = row[name]
            totals[name] += row[name]
            item[f"{name.rstrip('s') if name != 'spam' else 'spam'}_percent"] = round(row[name] * 100 / used, 2) if used else 0
        if group_by == "domain":
            item["domain_verified"] = key in state.domains and state.domains[key]["domain"]["dkim_verified"]
        history.append(item)
        totals["used"] += used
    sent = totals["used"]
    return {"count": len(history), "history": history,
            **{f"{name}_percent_total": round(totals[counter] * 100 / sent, 2) if sent else 0
               for name, counter in (("bounce", "bounces"), ("open", "opens"), ("reject", "rejects"),
                                     ("spam", "spam"), ("unsubscribe", "unsubscribes"))}}


@route("stats/email_summary")
def email_summary(state: SimState, body: Body) -> dict[str, Any]:
    # The combination of the four reports the API describes, computed by the same routes so the numbers agree.
    bounces, spam, unsubs = email_bounces(state, body), email_spam(state, body), email_unsubs(state, body)
    events = _events(state, body)
    return {**cycle(state), "email_count": bounces["emails"], "rejects": bounces["rejects"],
            "bounce_rejects": bounces["rejects"], "softbounces": bounces["softbounces"],
            "hardbounces": bounces["hardbounces"], "bounce_percent": bounces["bounce_percent"],
            "spam_emails": spam["spams"], "spam_rejects": spam["rejects"], "spam_percent": spam["spam_percent"],
            "unsubscribes": unsubs["unsubscribes"], "unsubscribe_percent": unsubs["unsubscribe_percent"],
            "opens": _count(events, "opened"), "clicks": _count(events, "clicked")}
