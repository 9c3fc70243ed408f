"""Success cases for the accounts tools: SMS sending, subaccount management, template add/delete, the stats summary."""

from __future__ import annotations

import re
from typing import Any

from tests.cases.base import USERNAME, Case, fail as _fail

SINCE = {"start_date": "2020-01-01"}
# The two booking reminders the simulator's account has already sent (1 unit each).
SEEDED_SMS = 2


def _sent(sim: Any) -> list[dict[str, Any]]:
    return sim.api("sms/view-sent", SINCE)["messages"]


def _check_sms_send(data: Any, sim: Any) -> None:
    assert data["statuses"] == {"queued": 2} and data["total_sent"] == 2
    assert [(m["destination"], m["status"]) for m in data["messages"]] == [
        ("+64215550134", "queued"), ("12025550959", "queued")]
    ids = {m["message_id"] for m in data["messages"]}
    assert len(ids) == 2
    logged = {m["id"]: m for m in _sent(sim)}
    assert ids <= logged.keys()
    by_number = {logged[i]["destination_address"]: logged[i] for i in ids}
    assert by_number["+64215550134"]["destination_address_country"] == "NZ"
    assert by_number["+12025550959"]["destination_address_country"] == "US"
    for message in by_number.values():
        assert message["content"] == "Your code is 4821" and message["units"] == 1
        assert message["username"] == USERNAME and message["format"] == "SMS"


def _send_long_sms(sim: Any) -> None:
    sim.api("sms/send", {"destination": ["+61412345678"], "content": "x" * 200})


def _check_view_sent(data: Any, sim: Any) -> None:
    messages = data["messages"]
    assert len(messages) == SEEDED_SMS + 1
    newest = messages[0]
    assert newest["destination_address"] == "+61412345678" and newest["destination_address_country"] == "AU"
    assert newest["units"] == 2 and newest["sender"] == "shared"
    assert all(m["username"] == USERNAME for m in messages)
    assert [m["timestamp"] for m in messages] == sorted((m["timestamp"] for m in messages), reverse=True)


def _send_two_long_sms(sim: Any) -> None:
    sim.api("sms/send", {"destination": ["+6421555013", "+447700900123"], "content": "y" * 161})


def _check_add(data: Any, sim: Any) -> None:
    assert re.fullmatch(r"[a-z0-9]{6}", data["id"]), data
    assert {k: v for k, v in data.items() if k != "id"} == {
        "name": "Cedar Studio", "plan_size": 250000, "plan_used": 0, "plan_remaining": 250000, "state": "Active",
        "dedicated_ip": True, "archiving": False, "enforce_2fa": False, "sms_enabled": True, "sms_limit": 1000}
    [found] = sim.api("subaccounts/search", {"search_terms": [data["id"]]})["subaccounts"]
    assert found["email"] == "hello@cedar.example" and found["name"] == "Cedar Studio"


def _check_edit(data: Any, sim: Any) -> None:
    assert data == {"name": "Acme Retail", "id": "34l8oj", "plan_size": 5000, "plan_used": 4210,
                    "plan_remaining": 790, "state": "Active", "dedicated_ip": False, "archiving": True,
                    "enforce_2fa": False, "sms_enabled": False, "sms_limit": 1000}
    [found] = sim.api("subaccounts/search", {"search_terms": ["34l8oj"]})["subaccounts"]
    assert found["plan_size"] == 5000 and found["plan_remaining"] == 790


def _ids_in(sim: Any, states: str) -> list[str]:
    return sorted(s["id"] for s in sim.api("subaccounts/search", {"states": states})["subaccounts"])


NEW_TEMPLATE = {
    "template_name": "Password reset", "id": "PwdReset-v2", "subject": "Reset your password, {{ name }}",
    "html_body": "<p>Hi {{ name }}, <a href=\"{{ link }}\">reset it here</a>.</p>",
    "text_body": "Hi {{ name }}, reset it here: {{ link }}", "template_variables": {"name": "there"},
    "tags": ["auth"],
}


def _check_template_add(data: Any, sim: Any) -> None:
    assert data == NEW_TEMPLATE
    viewed = sim.api("template/view", {"id": "PwdReset-v2"})
    assert viewed["name"] == "Password reset" and viewed["text_body"] == NEW_TEMPLATE["text_body"]
    found = sim.api("template/search", {"tags": ["auth"]})["templates"]
    assert [t["id"] for t in found] == ["PwdReset-v2"]


def _check_template_delete(data: Any, sim: Any) -> None:
    assert data == "Successfully deleted template 'welcome-email'"
    assert [t["id"] for t in sim.api("template/search")["templates"]] == ["invoice-reminder"]


def _check_summary(data: Any, sim: Any) -> None:
    filters = {"username": USERNAME}
    bounces, spam = sim.api("stats/email_bounces", filters), sim.api("stats/email_spam", filters)
    unsubs, cycle = sim.api("stats/email_unsubs", filters), sim.api("stats/email_cycle")
    assert {k: data[k] for k in cycle} == cycle
    assert (data["email_count"], data["rejects"], data["softbounces"], data["hardbounces"], data["bounce_percent"]) == (
        bounces["emails"], bounces["rejects"], bounces["softbounces"], bounces["hardbounces"], bounces["bounce_percent"])
    assert (data["spam_emails"], data["spam_percent"]) == (spam["spams"], spam["spam_percent"])
    assert (data["unsubscribes"], data["unsubscribe_percent"]) == (unsubs["unsubscribes"], unsubs["unsubscribe_percent"])
    # The seeded account: 8 emails, one each of soft bounce, hard bounce, spam and unsubscribe; 3 opens, 1 click.
    assert (data["email_count"], data["bounce_percent"], data["spam_percent"], data["unsubscribe_percent"]) == (
        8, "25.00", "12.50", "12.50")
    assert (data["opens"], data["clicks"], data["bounce_rejects"], data["spam_rejects"]) == (3, 1, 0, 0)


CASES: dict[str, Case] = {
    "SMTP2GO_SMS_SEND": Case(
        {"destination": ["+64 21 555 0134", "1 (202) 555-0959"], "content": "Your code is 4821"}, "sms/send",
        {"destination": ["+64215550134", "12025550959"], "content": "Your code is 4821"}, _check_sms_send),
    "SMTP2GO_SMS_VIEW_SENT": Case(
        {**SINCE, "username": USERNAME}, "sms/view-sent", {**SINCE, "username": USERNAME}, _check_view_sent,
        setup=_send_long_sms),
    "SMTP2GO_SMS_SUMMARY": Case(
        SINCE, "sms/summary", SINCE,
        # Two seeded 1-unit messages, then 161 characters to two numbers: 2 units each.
        lambda d, s: d == {"total_messages": SEEDED_SMS + 2, "total_units": 6, "total_cost": 0.315} or _fail(d),
        setup=_send_two_long_sms),
    "SMTP2GO_SUBACCOUNT_ADD": Case(
        {"fullname": "Cedar Studio", "subaccount_email": "hello@cedar.example", "limit": 250000,
         "dedicated_ip": True, "enable_sms": True}, "subaccount/add",
        {"fullname": "Cedar Studio", "subaccount_email": "hello@cedar.example", "limit": 250000,
         "dedicated_ip": True, "enable_sms": True}, _check_add),
    "SMTP2GO_SUBACCOUNT_EDIT": Case(
        {"id": "34l8oj", "limit": 5000, "archiving": True}, "subaccount/edit",
        {"id": "34l8oj", "limit": 5000, "archiving": True}, _check_edit),
    "SMTP2GO_SUBACCOUNT_CLOSE": Case(
        {"id": "7pq2xw", "email": "it@bolt.example"}, "subaccount/close", {"id": "7pq2xw", "email": "it@bolt.example"},
        lambda d, s: (d == "Successfully closed subaccount it@bolt.example"
                      and _ids_in(s, "closed") == ["7pq2xw", "9zz1aa"]) or _fail(d)),
    "SMTP2GO_SUBACCOUNT_REOPEN": Case(
        {"id": "9zz1aa"}, "subaccount/reopen", {"id": "9zz1aa"},
        lambda d, s: (d == "Successfully reopened subaccount admin@oldbrand.example"
                      and _ids_in(s, "closed") == []) or _fail(d)),
    "SMTP2GO_SUBACCOUNT_REINVITE": Case(
        {"email": "ops@acme-retail.example"}, "subaccount/reinvite", {"email": "ops@acme-retail.example"},
        lambda d, s: d == "Successfully resent invite email to subaccount ops@acme-retail.example" or _fail(d)),
    "SMTP2GO_TEMPLATE_ADD": Case(NEW_TEMPLATE, "template/add", NEW_TEMPLATE, _check_template_add),
    "SMTP2GO_TEMPLATE_DELETE": Case(
        {"id": "welcome-email"}, "template/delete", {"id": "welcome-email"}, _check_template_delete),
    "SMTP2GO_STATS_EMAIL_SUMMARY": Case(
        {"username": USERNAME}, "stats/email_summary", {"username": USERNAME}, _check_summary),
}
