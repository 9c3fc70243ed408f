"""sms/view-received."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from smtp2go_mcp.simulator.core import Body, route
from smtp2go_mcp.simulator.routes.matching import days_ago, parse_time, time_range
from smtp2go_mcp.simulator.state import SimState, utcnow


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
