"""domain/* (besides domain/add), single_sender_emails/* and allowed_recipients/*."""

from __future__ import annotations

import copy
import re
from typing import Any

from smtp2go_mcp.simulator.core import Body, api_exception, invalid, route
from smtp2go_mcp.simulator.routes.senders import domain_name
from smtp2go_mcp.simulator.state import SimState

_LABEL = re.compile(r"^[A-Za-z0-9-]{1,63}$")
_DOMAIN = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def _lookup_failed(host: str) -> str:
    return f"Lookup CNAME({host}.) returned no results"


def _domain(state: SimState, body: Body) -> tuple[str, dict[str, Any]]:
    body.str("subaccount_id")
    name = domain_name(body)
    if name not in state.domains:
        raise api_exception(f"The sender domain {name} does not exist on this account")
    return name, state.domains[name]


def _subdomains(body: Body) -> tuple[str, str]:
    labels = []
    for field in ("old_subdomain", "new_subdomain"):
        label = body.str(field, required=True).strip().lower()
        if not _LABEL.match(label):
            raise invalid(field, f"The field '{field}' was expecting a subdomain label but found '{label}'.")
        labels.append(label)
    return labels[0], labels[1]


def _answer(domain: dict[str, Any]) -> dict[str, Any]:
    return {"domains": [copy.deepcopy(domain)]}


@route("domain/verify")
def domain_verify(state: SimState, body: Body) -> dict[str, Any]:
    _, domain = _domain(state, body)
    body.bool("requisition_ssl", default=True)
    # Nobody can publish DNS records for a simulated domain, so asking to verify stands for
    # "the records are published now": everything verifies and the lookup errors go away.
    records = domain["domain"]
    records.update(dkim_verified=True, dkim_status="", rpath_verified=True, rpath_status="")
    for tracker in domain["trackers"]:
        tracker.update(cname_verified=True, cname_status="", enabled=True)
    return _answer(domain)


@route("domain/view")
def domain_view(state: SimState, body: Body) -> dict[str, Any]:
    body.str("subaccount_id")
    wanted = domain_name(body) if body.has("domain") else None
    domains = [copy.deepcopy(d) for name, d in state.domains.items() if wanted in (None, name)]
    for domain in domains:
        # The simulator holds one account's own domains; none is shared down from a master.
        domain["from_master"] = False
        if len(domains) != 1:
            domain["domain"]["setup_link"] = "unavailable"
    return {"domains": domains}


@route("domain/remove")
def domain_remove(state: SimState, body: Body) -> dict[str, Any]:
    name, _ = _domain(state, body)
    del state.domains[name]
    return {"domains": []}


@route("domain/tracking")
def domain_tracking(state: SimState, body: Body) -> dict[str, Any]:
    name, domain = _domain(state, body)
    old, new = _subdomains(body)
    tracker = next((t for t in domain["trackers"] if t["subdomain"] == old), None)
    if tracker is None:
        raise api_exception(f"The sender domain {name} has no tracking subdomain '{old}'")
    # The new name needs its own CNAME, so it starts unverified until domain/verify.
    host = f"{new}.{name}"
    tracker.update(subdomain=new, fulldomain=host, cname_verified=False, cname_status=_lookup_failed(host),
                   enabled=False)
    return _answer(domain)


@route("domain/returnpath")
def domain_returnpath(state: SimState, body: Body) -> dict[str, Any]:
    name, domain = _domain(state, body)
    old, new = _subdomains(body)
    records = domain["domain"]
    if records["rpath_selector"] != old:
        raise api_exception(f"The sender domain {name} has no return-path subdomain '{old}'")
    records.update(rpath_selector=new, rpath_verified=False, rpath_status=_lookup_failed(f"{new}.{name}"))
    return _answer(domain)


@route("domain/subaccount_access")
def domain_subaccount_access(state: SimState, body: Body) -> dict[str, Any]:
    name, domain = _domain(state, body)
    subaccounts = list(dict.fromkeys(body.strs("subaccounts", required=True)))
    unknown = [s for s in subaccounts if s not in state.subaccounts]
    if unknown:
        raise invalid("subaccounts", f"Unknown subaccount id(s): {', '.join(unknown)}")
    access = {"subaccounts": subaccounts, "future_subaccounts": body.bool("future_subaccounts", default=False)}
    domain["subaccount_access"] = access
    return {"domain": name, **copy.deepcopy(access)}


def _sender_address(body: Body) -> str:
    body.str("subaccount_id")
    return body.str("email_address", required=True, email=True).strip()


@route("single_sender_emails/add")
def single_sender_add(state: SimState, body: Body) -> dict[str, Any]:
    address = _sender_address(body)
    body.str("message")
    # Adding again resends the verification email and leaves the address as it is.
    state.single_senders.setdefault(address.lower(), {"email_address": address, "verified": False})
    # The API documents only this placeholder as its answer; copying it keeps clients from
    # relying on fields the real service may not send.
    return {"just_returns_this": "ok"}


@route("single_sender_emails/view")
def single_sender_view(state: SimState, body: Body) -> dict[str, Any]:
    body.str("subaccount_id")
    wanted = (body.str("email_address", email=True) or "").strip().lower() or None
    return {"senders": [dict(s) for a, s in state.single_senders.items() if wanted in (None, a)]}


@route("single_sender_emails/remove")
def single_sender_remove(state: SimState, body: Body) -> str:
    address = _sender_address(body)
    if state.single_senders.pop(address.lower(), None) is None:
        raise api_exception("Failed to remove the single sender email - An error occurred deleting sender email "
                            f"{address} or it doesn't exist")
    return "OK"


def _recipients(state: SimState) -> dict[str, Any]:
    return {"allowed_recipients": list(state.allowed_recipients), "enabled": state.allowed_recipients_enabled}


def _entries(body: Body) -> list[str]:
    body.str("subaccount_id")
    entries = body.strs("allowed_recipients", required=True)
    for entry in entries:
        if "@" not in entry and not _DOMAIN.match(entry):
            raise invalid("allowed_recipients", f"'{entry}' is not an email address or a domain.")
    return entries


def _enabled(state: SimState, body: Body, *, required: bool = False) -> bool:
    if required and not body.has("enabled"):
        raise invalid("enabled", "The field 'enabled' is required but was not found in the JSON payload.")
    return body.bool("enabled", default=state.allowed_recipients_enabled)


@route("allowed_recipients/add")
def allowed_recipients_add(state: SimState, body: Body) -> dict[str, Any]:
    entries, enabled = _entries(body), _enabled(state, body)
    for entry in entries:
        if entry not in state.allowed_recipients:
            state.allowed_recipients.append(entry)
    state.allowed_recipients_enabled = enabled
    return _recipients(state)


@route("allowed_recipients/remove")
def allowed_recipients_remove(state: SimState, body: Body) -> dict[str, Any]:
    gone, enabled = set(_entries(body)), _enabled(state, body)
    state.allowed_recipients = [e for e in state.allowed_recipients if e not in gone]
    state.allowed_recipients_enabled = enabled
    return _recipients(state)


@route("allowed_recipients/update")
def allowed_recipients_update(state: SimState, body: Body) -> dict[str, Any]:
    entries, enabled = _entries(body), _enabled(state, body, required=True)
    state.allowed_recipients = list(dict.fromkeys(entries))
    state.allowed_recipients_enabled = enabled
    return _recipients(state)


@route("allowed_recipients/view")
def allowed_recipients_view(state: SimState, body: Body) -> dict[str, Any]:
    body.str("subaccount_id")
    return _recipients(state)
