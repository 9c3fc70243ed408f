"""subaccounts/search (plural, like the real path) and subaccount/add|edit|close|reopen|reinvite."""

from __future__ import annotations

import string
from typing import Any

from smtp2go_mcp.simulator.core import Body, api_exception, invalid, route
from smtp2go_mcp.simulator.routes.matching import contains
from smtp2go_mcp.simulator.routes.paging import page
from smtp2go_mcp.simulator.state import SimState

ROW_FIELDS = ("name", "email", "id", "plan_size", "plan_used", "plan_remaining", "state", "dedicated_ip")


@route("subaccounts/search")
def subaccounts_search(state: SimState, body: Body) -> dict[str, Any]:
    terms = body.strs("search_terms") or []
    fuzzy = body.bool("fuzzy_search", default=True)
    wanted = body.str("states", default="all", choices=("all", "active", "closed", "suspended"))
    direction = body.str("sort_direction", default="asc", choices=("asc", "desc"))
    size = body.int("page_size", default=100, lo=1, hi=1000)

    def matches(sub: dict[str, Any]) -> bool:
        if wanted != "all" and sub["state"].lower() != wanted:
            return False
        if not terms:
            return True
        fields = (sub["name"], sub["email"], sub["id"])
        if fuzzy:
            return any(contains(f, t) for t in terms for f in fields)
        return any(t == f for t in terms for f in fields)

    rows = sorted((s for s in state.subaccounts.values() if matches(s)), key=lambda s: s["name"].lower(),
                  reverse=direction == "desc")
    chunk, token = page(rows, size, body.str("continue_token"))
    return {"continue_token": token or "", "total_count": len(rows),
            "subaccounts": [{k: s[k] for k in ROW_FIELDS} for s in chunk]}


PLAN_SIZES = (2000, 5000, 10000, 20000, 30000, 40000, 50000, 60000, 80000, 100000, 250000, 500000,
              1000000, 2000000, 3000000, 5000000, 10000000)
DEDICATED_IP_MIN = 100000
DETAIL_FIELDS = ("name", "id", "plan_size", "plan_used", "plan_remaining", "state", "dedicated_ip", "archiving",
                 "enforce_2fa", "sms_enabled", "sms_limit")
_ID_ALPHABET = string.ascii_lowercase + string.digits


def _details(sub: dict[str, Any]) -> dict[str, Any]:
    return {k: sub[k] for k in DETAIL_FIELDS}


def _limit(body: Body) -> int | None:
    limit = body.int("limit")
    if limit is not None and limit not in PLAN_SIZES:
        raise invalid("limit", f"The field 'limit' must be one of {', '.join(map(str, PLAN_SIZES))} but found {limit}.")
    return limit


def _settings(sub: dict[str, Any], body: Body) -> None:
    """Apply the optional settings add and edit share; absent fields keep their values."""
    for name, stored in (("dedicated_ip", "dedicated_ip"), ("archiving", "archiving"),
                         ("enforce_2fa", "enforce_2fa"), ("enable_sms", "sms_enabled")):
        value = body.bool(name)
        if value is not None:
            sub[stored] = value
    sms_limit = body.int("sms_limit", lo=0)
    if sms_limit is not None:
        sub["sms_limit"] = sms_limit
    if sub["dedicated_ip"] and sub["plan_size"] <= DEDICATED_IP_MIN:
        raise invalid("dedicated_ip", f"A dedicated IP is only available when the limit is greater than "
                                      f"{DEDICATED_IP_MIN:,} (this subaccount's limit is {sub['plan_size']}).")


def _new_id(state: SimState) -> str:
    while True:
        sid = "".join(state.rng.choice(_ID_ALPHABET) for _ in range(6))
        if sid not in state.subaccounts:
            return sid


def _by_id(state: SimState, body: Body) -> dict[str, Any]:
    sid = body.str("id", required=True)
    sub = state.subaccounts.get(sid)
    if sub is None:
        raise api_exception(f"No subaccount with the id '{sid}' exists")
    email = body.str("email", email=True)
    if email and email.lower() != (sub["email"] or "").lower():
        raise api_exception(f"The email {email} does not belong to subaccount '{sid}'")
    return sub


def _label(sub: dict[str, Any]) -> str:
    return sub["email"] or sub["name"]


@route("subaccount/add")
def subaccount_add(state: SimState, body: Body) -> dict[str, Any]:
    name = body.str("fullname", required=True).strip()
    if not name:
        raise invalid("fullname", "The field 'fullname' must not be empty.")
    email = body.str("subaccount_email", email=True)
    if email and any((s["email"] or "").lower() == email.lower() for s in state.subaccounts.values()):
        raise api_exception(f"The email {email} is already used by another subaccount")
    limit = _limit(body) or 10000
    ip_pool = body.int("ip_pool")
    if ip_pool is not None and not any(pool["id"] == ip_pool for pool in state.dedicated_ips):
        raise invalid("ip_pool", f"The field 'ip_pool' does not name a dedicated IP pool of this account: {ip_pool}.")
    sub = {"id": _new_id(state), "name": name, "email": email, "state": "Active", "plan_size": limit,
           "plan_used": 0, "plan_remaining": limit, "dedicated_ip": False, "archiving": False,
           "enforce_2fa": False, "sms_enabled": False, "sms_limit": 1000, "ip_pool": ip_pool}
    _settings(sub, body)
    state.subaccounts[sub["id"]] = sub
    return _details(sub)


@route("subaccount/edit")
def subaccount_edit(state: SimState, body: Body) -> dict[str, Any]:
    sub = _by_id(state, body)
    changed = dict(sub)  # applied only once every field is valid
    name = body.str("fullname")
    if name is not None:
        if not name.strip():
            raise invalid("fullname", "The field 'fullname' must not be empty.")
        changed["name"] = name.strip()
    limit = _limit(body)
    if limit is not None:
        changed.update(plan_size=limit, plan_remaining=max(0, limit - sub["plan_used"]))
    _settings(changed, body)
    sub.update(changed)
    return _details(sub)


@route("subaccount/close")
def subaccount_close(state: SimState, body: Body) -> str:
    sub = _by_id(state, body)
    if sub["state"] == "Closed":
        raise api_exception(f"Subaccount '{sub['id']}' is already closed")
    sub["state"] = "Closed"
    return f"Successfully closed subaccount {_label(sub)}"


@route("subaccount/reopen")
def subaccount_reopen(state: SimState, body: Body) -> str:
    sub = _by_id(state, body)
    if sub["state"] != "Closed":
        raise api_exception(f"Subaccount '{sub['id']}' is not closed (it is {sub['state']})")
    sub["state"] = "Active"
    return f"Successfully reopened subaccount {_label(sub)}"


@route("subaccount/reinvite")
def subaccount_reinvite(state: SimState, body: Body) -> str:
    email = body.str("email", required=True, email=True)
    sub = next((s for s in state.subaccounts.values() if (s["email"] or "").lower() == email.lower()), None)
    if sub is None:
        raise api_exception(f"No subaccount has the email {email}")
    if sub["state"] == "Closed":
        raise api_exception(f"Subaccount '{sub['id']}' is closed; reopen it before inviting again")
    return f"Successfully resent invite email to subaccount {email}"
