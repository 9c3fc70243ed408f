"""api_keys/*, ip_auth/*, ip_allow_list (switch and edit) and dedicated_ips/view."""

from __future__ import annotations

import re
from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import Any

from smtp2go_mcp.simulator.core import ROUTES, Body, api_exception, invalid, route
from smtp2go_mcp.simulator.routes.access import allow_list, read_ip
from smtp2go_mcp.simulator.state import ALL_ENDPOINTS, ApiKeyRecord, SimState

_FULL_KEY = re.compile(r"^api-[A-Za-z0-9]{32}$")
# "<n> [hour[s]|day[s]|week[s]|month[s]] [hh:mm:ss]" (reference §1.4), e.g. "1 hour", "0:30:00", "4 months 5:00:00".
_PERIOD = re.compile(r"^(?:\d+ (?:hour|day|week|month)s?(?: \d{1,3}:\d{2}:\d{2})?|\d{1,3}:\d{2}:\d{2})$")

# The shared credential settings (reference §2.5) under their request names; description and
# status are kept apart because ApiKeyRecord has fields of its own for them.
SETTINGS_DEFAULTS: dict[str, Any] = {
    "custom_ratelimit": False, "custom_ratelimit_value": None, "custom_ratelimit_period": "0:00:00",
    "ip_pool": None, "open_tracking_enabled": False, "click_tracking_enabled": False, "archive_enabled": False,
    "audit_email": None, "bounce_notifications": "from", "feedback_enabled": False, "feedback_html": "",
    "feedback_text": "",
}
_BOOLS = ("custom_ratelimit", "open_tracking_enabled", "click_tracking_enabled", "archive_enabled", "feedback_enabled")


def read_settings(state: SimState, body: Body) -> dict[str, Any]:
    """The credential settings a request gives, validated; absent ones are left out."""
    values: dict[str, Any] = {name: body.bool(name) for name in _BOOLS if body.has(name)}
    for name in ("description", "feedback_html", "feedback_text"):
        if body.has(name):
            values[name] = body.str(name)
    if body.has("status"):
        values["status"] = body.str("status", choices=("allowed", "blocked", "sandbox"))
    if body.has("custom_ratelimit_value"):
        values["custom_ratelimit_value"] = body.int("custom_ratelimit_value", lo=1, hi=2147483647)
    if body.has("custom_ratelimit_period"):
        period = body.str("custom_ratelimit_period").strip()
        if not _PERIOD.match(period):
            raise invalid("custom_ratelimit_period", "The field 'custom_ratelimit_period' must look like '<n> "
                          f"[hours|days|weeks|months] [hh:mm:ss]' (e.g. '1 hour', '0:30:00') but found '{period}'.")
        values["custom_ratelimit_period"] = period
    if body.has("audit_email"):
        values["audit_email"] = body.str("audit_email", email=True)
    if body.has("bounce_notifications"):
        bounce = body.str("bounce_notifications")
        if bounce not in ("from", "drop"):
            bounce = body.str("bounce_notifications", email=True)
        values["bounce_notifications"] = bounce
    if body.has("ip_pool"):
        pool = body.int("ip_pool", lo=0, hi=2147483647)
        if pool not in {p["id"] for p in state.dedicated_ips}:
            raise api_exception(f"The IP pool {pool} does not exist on this account (see /dedicated_ips/view)")
        values["ip_pool"] = pool
    body.str("subaccount_id")
    return values


def merge_settings(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = {**current, **changes}
    # The API stores a custom limit only while custom_ratelimit is true.
    if not merged.get("custom_ratelimit"):
        merged.update(custom_ratelimit_value=None, custom_ratelimit_period="0:00:00")
    return merged


# -- API keys ---------------------------------------------------------------------------------

def calling_key(state: SimState) -> ApiKeyRecord:
    """The key the current request authenticated with (the app records it before dispatching)."""
    assert state.caller is not None, "handlers run only for authenticated requests"
    return state.caller


def served_paths() -> list[str]:
    return sorted({"/" + endpoint for _, endpoint in ROUTES})


def _masked(key: str) -> str:
    return key[:16] + "*" * 20


def _key_view(record: ApiKeyRecord, *, full: bool = False) -> dict[str, Any]:
    s = {**SETTINGS_DEFAULTS, **record.settings}
    return {
        "api_key": record.key if full else _masked(record.key), "username": record.key[:16],
        "description": record.description, "custom_rate_limit": s["custom_ratelimit"],
        "custom_ratelimit_value": s["custom_ratelimit_value"], "custom_ratelimit_period": s["custom_ratelimit_period"],
        "default_ratelimit_value": 0, "default_ratelimit_period": "unlimited", "ippool": s["ip_pool"],
        "feedback_enabled": s["feedback_enabled"], "feedback_html": s["feedback_html"],
        "feedback_text": s["feedback_text"], "open_tracking_enabled": s["open_tracking_enabled"],
        "click_tracking_enabled": s["click_tracking_enabled"], "archive_enabled": s["archive_enabled"],
        "audit_email": s["audit_email"], "bounce_notifications": s["bounce_notifications"],
        "status": record.status, "endpoints": list(record.endpoints),
    }


def _endpoints(body: Body, caller: ApiKeyRecord, already: Sequence[str] = ()) -> list[str] | None:
    patterns = body.strs("endpoints", max_items=200)
    if patterns is None:
        return None
    if not patterns:
        raise invalid("endpoints", "The field 'endpoints' needs at least one endpoint.")
    served = served_paths()
    for pattern in patterns:
        if pattern != ALL_ENDPOINTS and not (pattern.startswith("/") and any(fnmatchcase(p, pattern) for p in served)):
            raise invalid("endpoints", f"'{pattern}' is not an API endpoint (e.g. /email/send) or a pattern "
                                       "matching one.")
    for pattern in patterns:
        # Only endpoints the key does not have yet count as "additional" (reference §6.8).
        if pattern not in already and not any(c == ALL_ENDPOINTS or fnmatchcase(pattern, c) for c in caller.endpoints):
            raise api_exception(f"The endpoint {pattern} is not within the permissions of the API key making "
                                "this call, so it cannot be granted")
    return list(dict.fromkeys(patterns))


def _existing_key(state: SimState, body: Body) -> ApiKeyRecord:
    key = body.str("id", required=True)
    if not _FULL_KEY.match(key):
        raise invalid("id", "The field 'id' was expecting a full API key (api- followed by 32 characters).")
    if key not in state.keys:
        raise api_exception(f"No API key {key[:16]}... exists on this account")
    return state.keys[key]


def _apply(record: ApiKeyRecord, changes: dict[str, Any], *, reset: bool) -> None:
    """Store the settings a request gave; with `reset`, the others go back to their defaults."""
    record.description = changes.pop("description", "" if reset else record.description)
    record.status = changes.pop("status", "allowed" if reset else record.status)
    record.settings = merge_settings(dict(SETTINGS_DEFAULTS) if reset else record.settings, changes)


@route("api_keys/add")
def api_keys_add(state: SimState, body: Body) -> list[dict[str, Any]]:
    changes = read_settings(state, body)
    endpoints = _endpoints(body, calling_key(state)) or ["/email/send"]
    key = "api-" + "".join(state.rng.choice("0123456789ABCDEF") for _ in range(32))
    record = ApiKeyRecord(key, endpoints)
    _apply(record, changes, reset=True)
    state.keys[key] = record
    return [_key_view(record, full=True)]  # the only answer that carries the whole key


@route("api_keys/edit", method="PATCH")
def api_keys_patch(state: SimState, body: Body) -> list[dict[str, Any]]:
    return _edit_key(state, body, reset=False)


@route("api_keys/edit")
def api_keys_edit(state: SimState, body: Body) -> list[dict[str, Any]]:
    """The full edit: settings not given go back to their defaults (endpoints are kept since 2025-04-03)."""
    return _edit_key(state, body, reset=True)


def _edit_key(state: SimState, body: Body, *, reset: bool) -> list[dict[str, Any]]:
    record = _existing_key(state, body)
    changes = read_settings(state, body)
    endpoints = _endpoints(body, calling_key(state), record.endpoints)
    _apply(record, changes, reset=reset)
    if endpoints is not None:
        record.endpoints = endpoints
    return [_key_view(record)]


@route("api_keys/view")
def api_keys_view(state: SimState, body: Body) -> list[dict[str, Any]]:
    key = body.str("id")
    if key is not None and not _FULL_KEY.match(key):
        raise invalid("id", "The field 'id' was expecting a full API key (api- followed by 32 characters).")
    search = (body.str("search") or "").lower()
    body.str("subaccount_id")
    return [_key_view(r) for r in state.keys.values()
            if (key is None or r.key == key) and (search in r.description.lower() or search in r.key[:16].lower())]


@route("api_keys/remove")
def api_keys_remove(state: SimState, body: Body) -> dict[str, Any]:
    record = _existing_key(state, body)
    body.str("subaccount_id")
    # A simulator choice (undocumented): deleting the key in use would lock the caller out mid-session.
    if record is calling_key(state):
        raise api_exception("You cannot remove the API key this request is authenticated with")
    del state.keys[record.key]
    return {}


@route("api_keys/permissions")
def api_keys_permissions(state: SimState, body: Body) -> list[str]:
    caller = calling_key(state)
    return [path for path in served_paths() if caller.may_call(path)]


# -- IP authentication ------------------------------------------------------------------------

def _existing_ip_auth(state: SimState, body: Body) -> dict[str, Any]:
    address = read_ip(body)
    entry = state.ip_auth.get(address)
    if entry is None:
        raise api_exception(f"No IP Auth entry for {address} exists on this account")
    return entry


@route("ip_auth/view")
def ip_auth_view(state: SimState, body: Body) -> dict[str, Any]:
    address = read_ip(body) if body.has("ip_address") else None
    body.str("subaccount_id")
    entries = [e for ip, e in state.ip_auth.items() if address is None or ip == address]
    return {"results": [dict(e) for e in entries], "default_ratelimit_value": 0,
            "default_ratelimit_period": "unlimited"}


@route("ip_auth/edit", method="PATCH")
def ip_auth_patch(state: SimState, body: Body) -> list[dict[str, Any]]:
    entry = _existing_ip_auth(state, body)
    changes = read_settings(state, body)
    if "ip_pool" in changes:
        changes["ippool"] = changes.pop("ip_pool")
    entry.update(merge_settings(entry, changes))
    entry["sending_allowed"] = entry["status"] == "allowed"
    return [dict(entry)]


@route("ip_auth/remove")
def ip_auth_remove(state: SimState, body: Body) -> dict[str, Any]:
    entry = _existing_ip_auth(state, body)
    body.str("subaccount_id")
    del state.ip_auth[entry["ip_address"]]
    return {}


# -- IP allow list (the switch and edits; add/remove/view are in routes/access.py) ------------

@route("ip_allow_list")
def ip_allow_list_switch(state: SimState, body: Body) -> dict[str, Any]:
    if not body.has("enabled"):
        raise invalid("enabled", "The field 'enabled' is required but was not found in the JSON payload.")
    chosen = allow_list(state, body)
    chosen["enabled"] = body.bool("enabled")
    return {"enabled": chosen["enabled"]}


@route("ip_allow_list/edit")
def ip_allow_list_edit(state: SimState, body: Body) -> dict[str, Any]:
    address = read_ip(body)
    new_address = read_ip(body, "new_ip_address") if body.has("new_ip_address") else None
    description = body.str("description")
    entries = allow_list(state, body)["ip_addresses"]
    entry = next((e for e in entries if e["ip_address"] == address), None)
    if entry is None:
        raise api_exception(f"Failed to edit {address} - it is not on the allow list")
    if new_address and new_address != address and any(e["ip_address"] == new_address for e in entries):
        raise api_exception(f"{new_address} is already on the allow list")
    if new_address:
        entry["ip_address"] = new_address
    if description is not None:  # a guess: an edit without a description keeps the old one
        entry["description"] = description
    return dict(entry)


@route("dedicated_ips/view")
def dedicated_ips_view(state: SimState, body: Body) -> list[dict[str, Any]]:
    return [{"id": p["id"], "name": p["name"], "ip_addresses": list(p["ip_addresses"])} for p in state.dedicated_ips]
