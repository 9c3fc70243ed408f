"""Success cases for the credentials tools."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.cases.base import Case, fail

# A key the cases create in the simulator with a known value (the API only ever returns it masked).
KEY = "api-C0FFEE00C0FFEE00C0FFEE00C0FFEE00"
MASKED = KEY[:16] + "*" * 20
FULL_KEY = re.compile(r"api-[A-Za-z0-9]{32}")
IP_AUTH = "198.51.100.20"  # the simulator's demo IP-auth entry


def no_full_key(data: Any) -> None:
    assert not FULL_KEY.search(json.dumps(data)), f"a full API key in {data!r}"


def _known_key(sim: Any) -> None:
    sim.add_key(KEY, ["/email/send"])
    # The POST (full) edit, to give the key settings the PATCH case must leave alone.
    sim.api("api_keys/edit", {"id": KEY, "description": "Invoices", "archive_enabled": True,
                              "endpoints": ["/email/send", "/email/mime"]})


def _check_add(data: Any, sim: Any) -> None:
    [key] = data
    no_full_key(data)
    assert re.fullmatch(r"api-[0-9A-F]{12}", key["username"]), key
    assert key["api_key"] == key["username"] + "*" * 20
    assert key["endpoints"] == ["/email/send", "/email/mime"] and key["open_tracking_enabled"] is True
    assert key["description"] == "CRM mailer" and key["status"] == "allowed"
    [stored] = sim.api("api_keys/view", {"search": "crm mailer"})
    assert stored["username"] == key["username"] and stored["endpoints"] == ["/email/send", "/email/mime"]


def _check_edit(data: Any, sim: Any) -> None:
    [key] = data
    assert key["api_key"] == MASKED and key["status"] == "blocked"
    # PATCH leaves what it was not given alone.
    assert key["description"] == "Invoices" and key["archive_enabled"] is True
    assert key["endpoints"] == ["/email/send", "/email/mime"]
    assert sim.api("api_keys/view", {"id": KEY})[0]["status"] == "blocked"


def _check_view(data: Any, sim: Any) -> None:
    no_full_key(data)
    no_full_key(sim.api("api_keys/view"))  # the API itself masks keys in views
    assert [(k["api_key"], k["username"], k["description"]) for k in data] == [(MASKED, KEY[:16], "Invoices")]


def _check_permissions(data: Any, sim: Any) -> None:
    from smtp2go_mcp.simulator.core import ROUTES

    # The sandbox key may call everything: the concrete list of served paths, not ["*"].
    assert data == sorted({"/" + endpoint for _, endpoint in ROUTES})
    assert {"/email/send", "/api_keys/permissions", "/ip_auth/edit", "/dedicated_ips/view"} <= set(data)


def _check_ip_auth_edit(data: Any, sim: Any) -> None:
    [entry] = data
    assert entry["ip_address"] == IP_AUTH and entry["status"] == "blocked" and entry["sending_allowed"] is False
    assert entry["custom_ratelimit"] is True and entry["custom_ratelimit_value"] == 100
    assert entry["custom_ratelimit_period"] == "1 hour"
    assert entry["description"] == "Office scanner relay"  # untouched by the PATCH
    [stored] = sim.api("ip_auth/view", {"ip_address": IP_AUTH})["results"]
    assert {k: v for k, v in stored.items() if v is not None} == entry  # the tool drops nulls


def _check_switch(data: Any, sim: Any) -> None:
    assert data == {"enabled": True}
    assert sim.api("ip_allow_list/view", {"type": "api"})["enabled"] is True
    assert sim.api("ip_allow_list/view", {"type": "smtp"})["enabled"] is False


CASES: dict[str, Case] = {
    "SMTP2GO_API_KEYS_ADD": Case(
        {"description": "CRM mailer", "endpoints": ["/email/send", "/email/mime"], "open_tracking_enabled": True},
        "api_keys/add",
        {"description": "CRM mailer", "endpoints": ["/email/send", "/email/mime"], "open_tracking_enabled": True},
        _check_add),
    "SMTP2GO_API_KEYS_EDIT": Case(
        {"id": KEY, "status": "blocked"}, "api_keys/edit", {"id": KEY, "status": "blocked"},
        _check_edit, method="PATCH", setup=_known_key),
    "SMTP2GO_API_KEYS_VIEW": Case(
        {"search": "invoices"}, "api_keys/view", {"search": "invoices"}, _check_view, setup=_known_key),
    "SMTP2GO_API_KEYS_REMOVE": Case(
        {"id": KEY}, "api_keys/remove", {"id": KEY},
        lambda d, s: (d == {} and s.api("api_keys/view", {"id": KEY}) == []) or fail(d), setup=_known_key),
    "SMTP2GO_API_KEYS_PERMISSIONS": Case({}, "api_keys/permissions", {}, _check_permissions),
    "SMTP2GO_IP_AUTH_VIEW": Case(
        {}, "ip_auth/view", {},
        lambda d, s: ([(e["ip_address"], e["description"], e["sending_allowed"]) for e in d["results"]]
                      == [(IP_AUTH, "Office scanner relay", True)]
                      and d["default_ratelimit_period"] == "unlimited") or fail(d)),
    "SMTP2GO_IP_AUTH_EDIT": Case(
        {"ip_address": IP_AUTH, "status": "blocked", "custom_ratelimit": True, "custom_ratelimit_value": 100,
         "custom_ratelimit_period": "1 hour"},
        "ip_auth/edit",
        {"ip_address": IP_AUTH, "status": "blocked", "custom_ratelimit": True, "custom_ratelimit_value": 100,
         "custom_ratelimit_period": "1 hour"},
        _check_ip_auth_edit, method="PATCH"),
    "SMTP2GO_IP_AUTH_REMOVE": Case(
        {"ip_address": IP_AUTH}, "ip_auth/remove", {"ip_address": IP_AUTH},
        lambda d, s: (d == {} and s.api("ip_auth/view")["results"] == []) or fail(d)),
    "SMTP2GO_IP_ALLOW_LIST": Case(
        {"enabled": True, "type": "api"}, "ip_allow_list", {"enabled": True, "type": "api"}, _check_switch),
    "SMTP2GO_IP_ALLOW_LIST_EDIT": Case(
        {"ip_address": "203.0.113.7", "new_ip_address": "203.0.113.8"}, "ip_allow_list/edit",
        {"ip_address": "203.0.113.7", "new_ip_address": "203.0.113.8"},
        lambda d, s: (d == {"ip_address": "203.0.113.8", "description": "Office"}
                      and s.api("ip_allow_list/view")["ip_addresses"] == [d]) or fail(d),
        setup=lambda s: s.api("ip_allow_list/add", {"ip_address": "203.0.113.7", "description": "Office"})),
    "SMTP2GO_DEDICATED_IPS_VIEW": Case(
        {}, "dedicated_ips/view", {},
        lambda d, s: d == [{"id": 1234, "name": "Main Pool", "ip_addresses": ["203.0.113.10", "203.0.113.11"]}]
        or fail(d)),
}
