"""suppression/add|remove|view."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from smtp2go_mcp.simulator.core import Body, invalid, route
from smtp2go_mcp.simulator.routes.matching import contains, parse_time, time_range
from smtp2go_mcp.simulator.routes.paging import page
from smtp2go_mcp.simulator.state import SimState, utcnow

REASONS = ("manual", "spam", "unsubscribe", "bounce", "compliance")


def _address(body: Body) -> str:
    value = body.str("email_address", required=True).strip().lower()
    if "." not in value.split("@")[-1]:
        raise invalid("email_address", f"The field 'email_address' was expecting an email address or a domain but found '{value}'.")
    return value


@route("suppression/add")
def suppression_add(state: SimState, body: Body) -> dict[str, Any]:
    address = _address(body)
    description = body.str("block_description", default="")
    body.str("subaccount_id")
    if not any(s["email_address"] == address and s["reason"] == "manual" for s in state.suppressions):
        state.suppressions.append({"email_address": address, "reason": "manual", "block_description": description,
                                   "complaint": "", "subject": None,
                                   "timestamp": utcnow().strftime("%Y-%m-%d %H:%M:%S")})
    return {"added": True, "block_description": description, "email_address": address}


@route("suppression/remove")
def suppression_remove(state: SimState, body: Body) -> dict[str, Any]:
    address = _address(body)
    reasons = body.strs("reasons", required=True, choices=REASONS)
    rows = []
    for reason in reasons:
        match = [s for s in state.suppressions if s["email_address"] == address and s["reason"] == reason]
        for entry in match:
            state.suppressions.remove(entry)
        rows.append({"email_address": address, "reason": reason, "removed": bool(match)})
    return {"suppressions": rows}


@route("suppression/view")
def suppression_view(state: SimState, body: Body) -> dict[str, Any]:
    address = body.str("email_address")
    wildcard = body.str("wildcard")
    types = body.strs("suppression_types", choices=REASONS) or ([body.str("suppression_type", choices=REASONS)]
                                                                if body.has("suppression_type") else None)
    now = utcnow()
    start, end = time_range(body, now - timedelta(days=3650), now + timedelta(seconds=1))
    order = body.str("sort", default="desc", choices=("asc", "desc"))
    body.str("subaccount_id")
    rows = [
        dict(s) for s in state.suppressions
        if (not address or s["email_address"] == address.lower())
        and (not wildcard or contains(s["email_address"], wildcard))
        and (not types or s["reason"] in types)
        and start <= parse_time("timestamp", s["timestamp"]) < end
    ]
    rows.sort(key=lambda s: s["timestamp"], reverse=order == "desc")
    chunk, token = page(rows, 100, body.str("continue_token"))
    return {"results": chunk, "continue_token": token, "total_results": len(rows)}
