"""allowed_senders/* and sender domains."""

from __future__ import annotations

import re
from typing import Any

from smtp2go_mcp.simulator.core import Body, api_exception, invalid, route
from smtp2go_mcp.simulator.state import SimState, domain_object

_DOMAIN = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
MODES = ("whitelist", "blacklist", "disabled")


def _senders(state: SimState) -> dict[str, Any]:
    return {"allowed_senders": list(state.allowed_senders), "mode": state.sender_mode}


def _entries(body: Body) -> list[str]:
    entries = body.strs("allowed_senders", required=True)
    for entry in entries:
        if "@" not in entry and not _DOMAIN.match(entry):
            raise invalid("allowed_senders", f"'{entry}' is not an email address or a domain.")
    return entries


@route("allowed_senders/add")
def allowed_senders_add(state: SimState, body: Body) -> dict[str, Any]:
    body.str("subaccount_id")
    for entry in _entries(body):
        if entry not in state.allowed_senders:
            state.allowed_senders.append(entry)
    return _senders(state)


@route("allowed_senders/remove")
def allowed_senders_remove(state: SimState, body: Body) -> dict[str, Any]:
    gone = set(_entries(body))
    state.allowed_senders = [e for e in state.allowed_senders if e not in gone]
    return _senders(state)


@route("allowed_senders/update")
def allowed_senders_update(state: SimState, body: Body) -> dict[str, Any]:
    entries = _entries(body)
    state.sender_mode = body.str("mode", required=True, choices=MODES)
    state.allowed_senders = list(dict.fromkeys(entries))
    return _senders(state)


@route("allowed_senders/view")
def allowed_senders_view(state: SimState, body: Body) -> dict[str, Any]:
    body.str("subaccount_id")
    return _senders(state)


def domain_name(body: Body) -> str:
    name = body.str("domain", required=True).strip().lower()
    if not _DOMAIN.match(name):
        raise invalid("domain", f"The field 'domain' was expecting a domain name but found '{name}'.")
    return name


@route("domain/add")
def domain_add(state: SimState, body: Body) -> dict[str, Any]:
    name = domain_name(body)
    if name in state.domains:
        raise api_exception(f"The sender domain {name} already exists on this account")
    tracking = body.str("tracking_subdomain", default="link")
    returnpath = body.str("returnpath_subdomain")
    body.bool("auto_verify", default=True)
    body.bool("requisition_ssl", default=True)
    access = body.obj("subaccount_access")
    domain = domain_object(state, name, tracking=tracking, returnpath=returnpath)
    if access:
        subaccounts = access.get("subaccounts", [])
        unknown = [s for s in subaccounts if s not in state.subaccounts]
        if unknown:
            raise invalid("subaccount_access", f"Unknown subaccount id(s): {', '.join(map(str, unknown))}")
        domain["subaccount_access"] = {"subaccounts": subaccounts,
                                       "future_subaccounts": bool(access.get("future_subaccounts", False))}
    state.domains[name] = domain
    return {"domains": [domain]}
