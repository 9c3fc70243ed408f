"""sms/send|view-sent|view-received|summary."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from smtp2go_mcp.simulator.core import Body, invalid, route
from smtp2go_mcp.simulator.routes.matching import days_ago, parse_time, time_range, today_start
from smtp2go_mcp.simulator.state import SimState, record_sms, utcnow

_NUMBER = re.compile(r"^\+?[1-9]\d{6,14}$")
# What one unit costs in the simulator (the price varies by destination country on the real service).
UNIT_PRICE = 0.0525


@route("sms/view-received")
def sms_view_received(state: SimState, body: Body) -> dict[str, Any]:
    now = utcnow()
    start, end = time_range(body, days_ago(now, 7), now + timedelta(seconds=1))
    username = body.str("username")
    body.str("subaccount_id")
    messages = [
        dict(m) for m in state.sms_received
        if start <= parse_time("timestamp", m["timestamp"]) <= end and (not username or m["username"] == username)
    ]
    return {"messages": messages}


def _number(field: str, value: str) -> str:
    if not _NUMBER.match(value):
        raise invalid(field, f"The field '{field}' was expecting a phone number with its country code "
                             f"(digits, optionally starting with +) but found '{value}'.")
    return value


@route("sms/send")
def sms_send(state: SimState, body: Body) -> dict[str, Any]:
    destinations = [_number("destination", d) for d in body.strs("destination", required=True, max_items=100)]
    if not destinations:
        raise invalid("destination", "The field 'destination' needs at least one number.")
    content = body.str("content", required=True)
    if not content:
        raise invalid("content", "The field 'content' must not be empty.")
    sender = body.str("sender") or None
    if sender:
        _number("sender", sender)
    now = utcnow()
    messages = [record_sms(state, d, content, sender or "shared", now, "Message queued", state.caller_username)
                for d in destinations]
    return {"statuses": {"queued": len(messages)}, "total_sent": len(messages),
            "messages": [{"destination": d, "message_id": m["id"], "status": "queued"}
                         for d, m in zip(destinations, messages, strict=True)]}


def _in_range(state: SimState, body: Body, default_start: datetime) -> list[dict[str, Any]]:
    now = utcnow()
    start, end = time_range(body, default_start, now + timedelta(seconds=1))
    body.str("subaccount_id")
    return [m for m in state.sms_sent if start <= parse_time("timestamp", m["timestamp"]) < end]


@route("sms/view-sent")
def sms_view_sent(state: SimState, body: Body) -> dict[str, Any]:
    username = body.str("username")
    messages = _in_range(state, body, today_start(days_ago(utcnow(), 7)))
    return {"messages": sorted((dict(m) for m in messages if not username or m["username"] == username),
                               key=lambda m: m["timestamp"], reverse=True)}


@route("sms/summary")
def sms_summary(state: SimState, body: Body) -> dict[str, Any]:
    messages = _in_range(state, body, today_start(utcnow()))
    units = sum(m["units"] for m in messages)
    return {"total_messages": len(messages), "total_units": units, "total_cost": round(units * UNIT_PRICE, 4)}
