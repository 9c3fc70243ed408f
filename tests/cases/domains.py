"""Success cases for sender domains, single sender emails and allowed recipients."""

from __future__ import annotations

from typing import Any

from tests.cases.base import Case, fail as _fail

NEWS = "news.example.org"


def _add_news(sim: Any) -> None:
    sim.api("domain/add", {"domain": NEWS, "returnpath_subdomain": "bounces"})


def _only_domain(data: Any) -> dict[str, Any]:
    [domain] = data["domains"]
    return domain


def _viewed(sim: Any, name: str) -> dict[str, Any]:
    return _only_domain(sim.api("domain/view", {"domain": name}))


def _check_verify(data: Any, sim: Any) -> None:
    domain = _only_domain(data)
    records, [tracker] = domain["domain"], domain["trackers"]
    assert records["fulldomain"] == NEWS
    assert records["dkim_verified"] is True and records["rpath_verified"] is True
    assert records["dkim_status"] == "" and records["rpath_status"] == ""
    assert tracker["cname_verified"] is True and tracker["cname_status"] == "" and tracker["enabled"] is True
    assert _viewed(sim, NEWS)["domain"]["dkim_verified"] is True


def _check_view(data: Any, sim: Any) -> None:
    domain = _only_domain(data)
    assert domain["from_master"] is False
    assert domain["domain"]["fulldomain"] == NEWS and domain["domain"]["dkim_verified"] is False
    # A single domain comes with its setup link; a list would say 'unavailable'.
    assert domain["domain"]["setup_link"].startswith("https://")
    assert domain["subaccount_access"] == {"subaccounts": [], "future_subaccounts": False}


def _check_remove(data: Any, sim: Any) -> None:
    assert data == {"domains": []}
    assert sim.api("domain/view") == {"domains": []}


def _check_tracking(data: Any, sim: Any) -> None:
    domain = _only_domain(data)
    [tracker] = domain["trackers"]
    assert tracker["subdomain"] == "track" and tracker["fulldomain"] == "track.example.com"
    # The new CNAME is not published yet; the domain's own records stay verified.
    assert tracker["cname_verified"] is False and "track.example.com" in tracker["cname_status"]
    assert domain["domain"]["dkim_verified"] is True
    assert _viewed(sim, "example.com")["trackers"][0]["fulldomain"] == "track.example.com"


def _check_returnpath(data: Any, sim: Any) -> None:
    records = _only_domain(data)["domain"]
    assert records["rpath_selector"] == "rp" and records["rpath_verified"] is False
    assert f"rp.{NEWS}" in records["rpath_status"]
    assert _viewed(sim, NEWS)["domain"]["rpath_selector"] == "rp"


def _check_access(data: Any, sim: Any) -> None:
    expected = {"subaccounts": ["34l8oj", "7pq2xw"], "future_subaccounts": True}
    assert data == {"domain": "example.com", **expected}
    assert _viewed(sim, "example.com")["subaccount_access"] == expected


def _add_senders(sim: Any) -> None:
    for address in ("ceo@startup.example", "ops@startup.example"):
        sim.api("single_sender_emails/add", {"email_address": address})


def _check_sender_add(data: Any, sim: Any) -> None:
    assert data == {"just_returns_this": "ok"}
    assert sim.api("single_sender_emails/view")["senders"] == [
        {"email_address": "founder@startup.example", "verified": False}]


def _check_sender_remove(data: Any, sim: Any) -> None:
    assert data == "OK"
    assert [s["email_address"] for s in sim.api("single_sender_emails/view")["senders"]] == ["ops@startup.example"]


def _add_recipients(sim: Any) -> None:
    sim.api("allowed_recipients/add", {"allowed_recipients": ["qa@example.com", "staging.example.net"]})


CASES: dict[str, Case] = {
    "SMTP2GO_DOMAIN_VERIFY": Case(
        {"domain": NEWS, "requisition_ssl": False}, "domain/verify", {"domain": NEWS, "requisition_ssl": False},
        _check_verify, setup=_add_news),
    "SMTP2GO_DOMAIN_VIEW": Case(
        {"domain": "News.Example.org"}, "domain/view", {"domain": NEWS}, _check_view, setup=_add_news),
    "SMTP2GO_DOMAIN_REMOVE": Case(
        {"domain": "example.com"}, "domain/remove", {"domain": "example.com"}, _check_remove),
    "SMTP2GO_DOMAIN_TRACKING": Case(
        {"domain": "example.com", "old_subdomain": "link", "new_subdomain": "track"}, "domain/tracking",
        {"domain": "example.com", "old_subdomain": "link", "new_subdomain": "track"}, _check_tracking),
    "SMTP2GO_DOMAIN_RETURNPATH": Case(
        {"domain": NEWS, "old_subdomain": "bounces", "new_subdomain": "rp"}, "domain/returnpath",
        {"domain": NEWS, "old_subdomain": "bounces", "new_subdomain": "rp"}, _check_returnpath, setup=_add_news),
    "SMTP2GO_DOMAIN_SUBACCOUNT_ACCESS": Case(
        {"domain": "example.com", "subaccounts": ["34l8oj", "7pq2xw"], "future_subaccounts": True},
        "domain/subaccount_access",
        {"domain": "example.com", "subaccounts": ["34l8oj", "7pq2xw"], "future_subaccounts": True}, _check_access),
    "SMTP2GO_SINGLE_SENDER_EMAILS_ADD": Case(
        {"email_address": "founder@startup.example", "message": "Please confirm"}, "single_sender_emails/add",
        {"email_address": "founder@startup.example", "message": "Please confirm"}, _check_sender_add),
    "SMTP2GO_SINGLE_SENDER_EMAILS_VIEW": Case(
        {"email_address": "ops@startup.example"}, "single_sender_emails/view",
        {"email_address": "ops@startup.example"},
        lambda d, s: d == {"senders": [{"email_address": "ops@startup.example", "verified": False}]} or _fail(d),
        setup=_add_senders),
    "SMTP2GO_SINGLE_SENDER_EMAILS_REMOVE": Case(
        {"email_address": "ceo@startup.example"}, "single_sender_emails/remove",
        {"email_address": "ceo@startup.example"},
        _check_sender_remove, setup=_add_senders),
    "SMTP2GO_ALLOWED_RECIPIENTS_ADD": Case(
        {"allowed_recipients": ["qa@example.com", "staging.example.net"], "enabled": True}, "allowed_recipients/add",
        {"allowed_recipients": ["qa@example.com", "staging.example.net"], "enabled": True},
        lambda d, s: (d == {"allowed_recipients": ["qa@example.com", "staging.example.net"], "enabled": True}
                      and s.api("allowed_recipients/view") == d) or _fail(d)),
    "SMTP2GO_ALLOWED_RECIPIENTS_REMOVE": Case(
        {"allowed_recipients": ["staging.example.net", "absent@example.com"]}, "allowed_recipients/remove",
        {"allowed_recipients": ["staging.example.net", "absent@example.com"]},
        lambda d, s: d == {"allowed_recipients": ["qa@example.com"], "enabled": False} or _fail(d),
        setup=_add_recipients),
    "SMTP2GO_ALLOWED_RECIPIENTS_UPDATE": Case(
        {"allowed_recipients": ["team.example.com"], "enabled": True}, "allowed_recipients/update",
        {"allowed_recipients": ["team.example.com"], "enabled": True},
        lambda d, s: (d == {"allowed_recipients": ["team.example.com"], "enabled": True}
                      and s.api("allowed_recipients/view") == d) or _fail(d),
        setup=_add_recipients),
    "SMTP2GO_ALLOWED_RECIPIENTS_VIEW": Case(
        {}, "allowed_recipients/view", {},
        lambda d, s: (d == {"allowed_recipients": ["qa@example.com", "staging.example.net"], "enabled": False}
                      or _fail(d)),
        setup=_add_recipients),
}
