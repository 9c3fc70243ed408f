"""ip_allow_list/* and users/smtp/*."""

from __future__ import annotations

import ipaddress
import secrets
from typing import Any

from smtp2go_mcp.simulator.core import Body, api_exception, invalid, route
from smtp2go_mcp.simulator.state import SMTP_USER_DEFAULTS, SimState, smtp_user

LIST_TYPES = ("smtp", "api")


def read_ip(body: Body, name: str = "ip_address") -> str:
    value = body.str(name, required=True)
    try:
        if "/" in value:
            ipaddress.ip_network(value, strict=False)
        else:
            ipaddress.ip_address(value)
    except ValueError:
        raise invalid(name, f"The field '{name}' was expecting an IP address but found '{value}'.") from None
    return value


def allow_list(state: SimState, body: Body) -> dict[str, Any]:
    return state.ip_allow_lists[body.str("type", default="smtp", choices=LIST_TYPES)]


@route("ip_allow_list/add")
def ip_allow_list_add(state: SimState, body: Body) -> dict[str, Any]:
    address = read_ip(body)
    entries = allow_list(state, body)["ip_addresses"]
    if any(e["ip_address"] == address for e in entries):
        raise api_exception(f"{address} is already on the allow list")
    entry = {"ip_address": address, "description": body.str("description", default="")}
    entries.append(entry)
    return dict(entry)


@route("ip_allow_list/remove")
def ip_allow_list_remove(state: SimState, body: Body) -> dict[str, Any]:
    address = read_ip(body)
    chosen = allow_list(state, body)
    for entry in chosen["ip_addresses"]:
        if entry["ip_address"] == address:
            chosen["ip_addresses"].remove(entry)
            return dict(entry)
    raise api_exception(f"Failed to remove {address} - it is not on the allow list")


@route("ip_allow_list/view")
def ip_allow_list_view(state: SimState, body: Body) -> dict[str, Any]:
    chosen = allow_list(state, body)
    return {"enabled": chosen["enabled"], "ip_addresses": [dict(e) for e in chosen["ip_addresses"]]}


_USER_FIELDS: dict[str, str] = {
    "description": "str", "status": "str", "custom_ratelimit": "bool", "custom_ratelimit_value": "int",
    "custom_ratelimit_period": "str", "ip_pool": "int", "open_tracking_enabled": "bool",
    "click_tracking_enabled": "bool", "archive_enabled": "bool", "audit_email": "str",
    "bounce_notifications": "str", "feedback_enabled": "bool", "feedback_html": "str", "feedback_text": "str",
    "email_password": "str",
}


def _settings(body: Body) -> dict[str, Any]:
    values = {}
    for name, kind in _USER_FIELDS.items():
        if not body.has(name):
            continue
        if kind == "bool":
            values[name] = body.bool(name)
        elif kind == "int":
            values[name] = body.int(name, lo=0, hi=2147483647)
        elif name == "status":
            values[name] = body.str(name, choices=("allowed", "blocked", "sandbox"))
        else:
            values[name] = body.str(name, email=name == "audit_email")
    password = values.get("email_password")
    if password is not None and len(set(password)) < 6:
        raise invalid("email_password", "The password does not have enough entropy (at least 64 bits are required).")
    if "ip_pool" in values:
        values["ippool"] = values.pop("ip_pool")
    return values


def _user_view(user: dict[str, Any]) -> dict[str, Any]:
    return dict(user)


def _username(state: SimState, body: Body, *, exists: bool = True) -> str:
    username = body.str("username", required=True)
    if exists and username not in state.smtp_users:
        raise api_exception(f"No SMTP user with the username {username} exists")
    return username


@route("users/smtp/add")
def users_smtp_add(state: SimState, body: Body) -> dict[str, Any]:
    username = _username(state, body, exists=False)
    if not 5 <= len(username) <= 100:
        raise invalid("username", "The field 'username' must be between 5 and 100 characters.")
    if username in state.smtp_users:
        raise api_exception(f"The SMTP user {username} already exists")
    settings = _settings(body)
    password = settings.pop("email_password", None) or secrets.token_urlsafe(18)
    user = smtp_user(username, password, **settings)
    state.smtp_users[username] = user
    return {"results": [_user_view(user)]}


@route("users/smtp/edit", method="PATCH")
def users_smtp_patch(state: SimState, body: Body) -> list[dict[str, Any]]:
    user = state.smtp_users[_username(state, body)]
    user.update(_settings(body))
    user["sending_allowed"] = user["status"] == "allowed"
    return [_user_view(user)]


@route("users/smtp/edit")
def users_smtp_edit(state: SimState, body: Body) -> dict[str, Any]:
    """The full edit: settings not given go back to their defaults (hence the PATCH form)."""
    username = _username(state, body)
    old = state.smtp_users[username]
    settings = _settings(body)
    password = settings.pop("email_password", None) or old["email_password"]
    state.smtp_users[username] = user = smtp_user(username, password, **{**SMTP_USER_DEFAULTS, **settings})
    return {"results": [_user_view(user)]}


@route("users/smtp/remove")
def users_smtp_remove(state: SimState, body: Body) -> dict[str, Any]:
    user = state.smtp_users.pop(_username(state, body))
    return {"results": [_user_view(user)]}


@route("users/smtp/view")
def users_smtp_view(state: SimState, body: Body) -> dict[str, Any]:
    username = body.str("username")
    users = [u for name, u in state.smtp_users.items() if not username or name == username]
    return {"results": [_user_view(u) for u in users], "default_ratelimit_value": 0,
            "default_ratelimit_period": "unlimited"}
