"""One success case per tool: the arguments, the request the API must receive, and what the data says.

`setup` prepares the simulated account through the API itself; `check` reads
the tool's `data` (and may look at the account afterwards).
"""

from __future__ import annotations

from typing import Any

from tests.cases.base import USERNAME, Case, calling, fail as _fail


def _add_webhook(sim: Any) -> None:
    sim.api("webhook/add", {"url": "https://hooks.example.com/in", "events": ["delivered"]})


def _check_activity(data: Any, sim: Any) -> None:
    assert data["total_events"] == 2
    assert len(data["events"]) == 1 and data["events"][0]["event"] == "delivered"
    assert data["events"][0]["recipient"].endswith("customer.example")
    assert data["continue_token"]


def _check_partial_edit(data: Any, sim: Any) -> None:
    [user] = data
    assert user["status"] == "blocked" and user["sending_allowed"] is False
    # PATCH leaves the settings it was not given alone.
    assert user["description"] == "Web shop order mail"
    assert user["email_password"] == "[redacted]"


def _check_template_edit(data: Any, sim: Any) -> None:
    assert data["subject"] == "Hello {{ name }}"
    viewed = sim.api("template/view", {"id": "welcome-email"})
    assert viewed["subject"] == "Hello {{ name }}" and "Welcome to {{ company }}" in viewed["html_body"]


CASES: dict[str, Case] = {
    "SMTP2GO_ACTIVITY_SEARCH": Case(
        {"start_date": "2020-01-01", "event_types": ["delivered"], "search_recipient": "customer.example", "limit": 1},
        "activity/search",
        {"start_date": "2020-01-01", "event_types": ["delivered"], "search_recipient": "customer.example", "limit": 1},
        _check_activity),
    "SMTP2GO_ALLOWED_SENDERS_ADD": Case(
        {"allowed_senders": ["ceo@example.com", "partner.example"]}, "allowed_senders/add",
        {"allowed_senders": ["ceo@example.com", "partner.example"]},
        lambda d, s: d == {"allowed_senders": ["ceo@example.com", "partner.example"], "mode": "disabled"} or _fail(d)),
    "SMTP2GO_ALLOWED_SENDERS_REMOVE": Case(
        {"allowed_senders": ["partner.example"]}, "allowed_senders/remove", {"allowed_senders": ["partner.example"]},
        lambda d, s: d["allowed_senders"] == ["ceo@example.com"] or _fail(d),
        setup=calling("allowed_senders/add", {"allowed_senders": ["ceo@example.com", "partner.example"]})),
    "SMTP2GO_ALLOWED_SENDERS_UPDATE": Case(
        {"allowed_senders": ["billing@example.com"], "mode": "whitelist"}, "allowed_senders/update",
        {"allowed_senders": ["billing@example.com"], "mode": "whitelist"},
        lambda d, s: d == {"allowed_senders": ["billing@example.com"], "mode": "whitelist"} or _fail(d)),
    "SMTP2GO_ALLOWED_SENDERS_VIEW": Case(
        {}, "allowed_senders/view", {}, lambda d, s: d == {"allowed_senders": [], "mode": "disabled"} or _fail(d)),
    "SMTP2GO_DOMAIN_ADD": Case(
        {"domain": "News.Example.org", "tracking_subdomain": "track"}, "domain/add",
        {"domain": "news.example.org", "tracking_subdomain": "track", "auto_verify": True},
        lambda d, s: (d["domains"][0]["domain"]["fulldomain"] == "news.example.org"
                      and d["domains"][0]["trackers"][0]["fulldomain"] == "track.news.example.org") or _fail(d)),
    "SMTP2GO_EMAIL_SEARCH": Case(
        {"start_date": "2020-01-01", "filter_query": "status:hardbounce"}, "email/search",
        {"start_date": "2020-01-01", "filter_query": "status:hardbounce", "limit": 5000},
        lambda d, s: (d["count"] == 1 and d["emails"][0]["recipient"] == "gone@nowhere.example") or _fail(d)),
    "SMTP2GO_IP_ALLOW_LIST_ADD": Case(
        {"ip_address": "203.0.113.7", "description": "Office"}, "ip_allow_list/add",
        {"ip_address": "203.0.113.7", "description": "Office"},
        lambda d, s: (d == {"ip_address": "203.0.113.7", "description": "Office"}
                      and s.api("ip_allow_list/view")["ip_addresses"] == [d]) or _fail(d)),
    "SMTP2GO_IP_ALLOW_LIST_REMOVE": Case(
        {"ip_address": "2001:db8::1", "type": "api"}, "ip_allow_list/remove", {"ip_address": "2001:db8::1", "type": "api"},
        lambda d, s: (d["ip_address"] == "2001:db8::1" and s.api("ip_allow_list/view", {"type": "api"})["ip_addresses"] == [])
        or _fail(d),
        setup=calling("ip_allow_list/add", {"ip_address": "2001:db8::1", "type": "api"})),
    "SMTP2GO_IP_ALLOW_LIST_VIEW": Case(
        {"type": "smtp"}, "ip_allow_list/view", {"type": "smtp"},
        lambda d, s: d == {"enabled": False, "ip_addresses": [{"ip_address": "198.51.100.1", "description": ""}]} or _fail(d),
        setup=calling("ip_allow_list/add", {"ip_address": "198.51.100.1"})),
    "SMTP2GO_SMS_VIEW_RECEIVED": Case(
        {"start_date": "2020-01-01"}, "sms/view-received", {"start_date": "2020-01-01"},
        lambda d, s: (len(d["messages"]) == 2 and d["messages"][0]["content"] == "YES confirm my booking") or _fail(d)),
    "SMTP2GO_STATS_EMAIL_BOUNCES": Case(
        {"username": USERNAME}, "stats/email_bounces", {"username": USERNAME},
        lambda d, s: d == {"emails": 8, "rejects": 0, "softbounces": 1, "hardbounces": 1, "bounce_percent": "25.00"} or _fail(d)),
    "SMTP2GO_STATS_EMAIL_CYCLE": Case(
        {}, "stats/email_cycle", {},
        lambda d, s: (d["cycle_max"] == 10000 and d["cycle_used"] + d["cycle_remaining"] == 10000) or _fail(d)),
    "SMTP2GO_STATS_EMAIL_HISTORY": Case(
        {"group_by": "domain", "start_date": "2020-01-01"}, "stats/email_history",
        {"group_by": "domain", "start_date": "2020-01-01"},
        lambda d, s: ({r["domain"]: r["used"] for r in d["history"]} == {"example.com": 8}) or _fail(d)),
    "SMTP2GO_STATS_EMAIL_SPAM": Case(
        {}, "stats/email_spam", {},
        lambda d, s: d == {"emails": 8, "rejects": 0, "spams": 1, "spam_percent": "12.50"} or _fail(d)),
    "SMTP2GO_STATS_EMAIL_UNSUBS": Case(
        {}, "stats/email_unsubs", {},
        lambda d, s: d == {"emails": 8, "rejects": 0, "unsubscribes": 1, "unsubscribe_percent": "12.50"} or _fail(d)),
    "SMTP2GO_SUBACCOUNTS_SEARCH": Case(
        {"search_terms": ["acme"], "states": "active"}, "subaccounts/search",
        {"search_terms": ["acme"], "states": "active", "fuzzy_search": True, "page_size": 100},
        lambda d, s: ([r["id"] for r in d["subaccounts"]] == ["34l8oj"] and d["total_count"] == 1) or _fail(d)),
    "SMTP2GO_SUBACCOUNTS_USAGE": Case(
        {"subaccount_id": "7pq2xw"}, "subaccounts/search", {"page_size": 100, "states": "all"},
        lambda d, s: (d["count"] == 1 and d["subaccounts"][0]["percent_used"] == 96.75
                      and d["totals"] == {"plan_size": 20000, "plan_used": 19350, "plan_remaining": 650}) or _fail(d)),
    "SMTP2GO_SUPPRESSION_ADD": Case(
        {"email_address": "spammer.example", "block_description": "abuse"}, "suppression/add",
        {"email_address": "spammer.example", "block_description": "abuse"},
        lambda d, s: (d == {"added": True, "block_description": "abuse", "email_address": "spammer.example"}
                      and s.api("suppression/view", {"email_address": "spammer.example"})["total_results"] == 1) or _fail(d)),
    "SMTP2GO_SUPPRESSION_REMOVE": Case(
        {"email_address": "gone@nowhere.example", "reasons": ["bounce", "spam"]}, "suppression/remove",
        {"email_address": "gone@nowhere.example", "reasons": ["bounce", "spam"]},
        lambda d, s: d == {"suppressions": [
            {"email_address": "gone@nowhere.example", "reason": "bounce", "removed": True},
            {"email_address": "gone@nowhere.example", "reason": "spam", "removed": False}]} or _fail(d)),
    "SMTP2GO_SUPPRESSION_VIEW": Case(
        {"suppression_types": ["bounce"]}, "suppression/view", {"suppression_types": ["bounce"]},
        lambda d, s: ([r["email_address"] for r in d["results"]] == ["gone@nowhere.example"]
                      and d["total_results"] == 1) or _fail(d)),
    "SMTP2GO_TEMPLATE_EDIT": Case(
        {"id": "welcome-email", "subject": "Hello {{ name }}"}, "template/edit",
        {"id": "welcome-email", "subject": "Hello {{ name }}"}, _check_template_edit),
    "SMTP2GO_TEMPLATE_SEARCH": Case(
        {"search_terms": ["invoice"], "fuzzy_search": True}, "template/search",
        {"search_terms": ["invoice"], "fuzzy_search": True, "page_size": 100},
        lambda d, s: ([t["id"] for t in d["templates"]] == ["invoice-reminder"] and "continue_token" not in d) or _fail(d)),
    "SMTP2GO_TEMPLATE_VIEW": Case(
        {"id": "invoice-reminder"}, "template/view", {"id": "invoice-reminder"},
        lambda d, s: (d["name"] == "Invoice reminder" and "{{ invoice_number }}" in d["subject"]) or _fail(d)),
    "SMTP2GO_USERS_SMTP_ADD": Case(
        {"username": "crm-sender", "email_password": "Zx9!kQ2#mW7$pL4&", "description": "CRM"}, "users/smtp/add",
        {"username": "crm-sender", "email_password": "Zx9!kQ2#mW7$pL4&", "description": "CRM"},
        lambda d, s: (d["results"][0]["username"] == "crm-sender" and d["results"][0]["email_password"] == "[redacted]")
        or _fail(d)),
    "SMTP2GO_USERS_SMTP_EDIT": Case(
        {"username": "webshop", "status": "blocked"}, "users/smtp/edit", {"username": "webshop", "status": "blocked"},
        _check_partial_edit, method="PATCH"),
    "SMTP2GO_USERS_SMTP_REMOVE": Case(
        {"username": "webshop"}, "users/smtp/remove", {"username": "webshop"},
        lambda d, s: (d["results"][0]["username"] == "webshop" and s.api("users/smtp/view")["results"] == []) or _fail(d)),
    "SMTP2GO_USERS_SMTP_VIEW": Case(
        {"username": "webshop"}, "users/smtp/view", {"username": "webshop"},
        lambda d, s: ([u["username"] for u in d["results"]] == ["webshop"]
                      and d["results"][0]["email_password"] == "[redacted]") or _fail(d)),
    "SMTP2GO_WEBHOOK_ADD": Case(
        {"url": "https://hooks.example.com/smtp2go", "events": ["delivered", "bounce"], "output_format": "json",
         "auth_header_type": "bearer", "auth_header_value": "hook-token-123"},
        "webhook/add",
        {"url": "https://hooks.example.com/smtp2go", "events": ["delivered", "bounce"], "output_format": "json",
         "auth_header_type": "bearer", "auth_header_value": "hook-token-123"},
        lambda d, s: (d["id"] == 1 and d["url"] == "https://hooks.example.com/smtp2go"
                      and d["auth_header_value"] == "[redacted]") or _fail(d)),
    "SMTP2GO_WEBHOOK_EDIT": Case(
        {"id": 1, "events": ["open", "click"]}, "webhook/edit", {"id": 1, "events": ["open", "click"]},
        lambda d, s: (d["events"] == ["open", "click"] and d["url"] == "https://hooks.example.com/in") or _fail(d),
        setup=_add_webhook),
    "SMTP2GO_WEBHOOK_REMOVE": Case(
        {"id": 1}, "webhook/remove", {"id": 1},
        lambda d, s: (d["id"] == 1 and s.api("webhook/view") == []) or _fail(d), setup=_add_webhook),
    "SMTP2GO_WEBHOOK_VIEW": Case(
        {}, "webhook/view", {},
        lambda d, s: ([w["url"] for w in d] == ["https://hooks.example.com/in"]) or _fail(d), setup=_add_webhook),
}



def _merge() -> None:
    from tests.cases import accounts, credentials, domains, sending

    for module in (accounts, credentials, domains, sending):
        overlap = CASES.keys() & module.CASES.keys()
        assert not overlap, f"cases declared twice: {overlap}"
        CASES.update(module.CASES)


_merge()
