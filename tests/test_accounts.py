"""SMS, subaccounts, templates and the stats summary: flows, refusals and local checks through a real MCP client."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cases.base import USERNAME
from tests.conftest import api_requests, assert_failure, assert_matches_output_schema, text_of, ok

API_EXCEPTION = "E_ApiResponseCodes.API_EXCEPTION"


@pytest.mark.anyio
async def test_subaccount_lifecycle(server, simulator) -> None:
    async with server.client() as client:
        added = await ok(client, "SMTP2GO_SUBACCOUNT_ADD", {"fullname": "Dune Travel", "subaccount_email": "it@dune.example"})
        # The documented default plan is sent explicitly.
        assert api_requests(simulator)[-1]["body"] == {"fullname": "Dune Travel", "subaccount_email": "it@dune.example",
                                                       "limit": 10000}
        assert (added["plan_size"], added["plan_remaining"], added["state"]) == (10000, 10000, "Active")
        sid = added["id"]

        found = await ok(client, "SMTP2GO_SUBACCOUNTS_SEARCH", {"search_terms": ["dune"]})
        assert [s["id"] for s in found["subaccounts"]] == [sid]

        edited = await ok(client, "SMTP2GO_SUBACCOUNT_EDIT", {"id": sid, "fullname": "Dune Travel NZ", "enforce_2fa": True})
        assert (edited["name"], edited["enforce_2fa"], edited["plan_size"]) == ("Dune Travel NZ", True, 10000)

        closed = await ok(client, "SMTP2GO_SUBACCOUNT_CLOSE", {"id": sid})
        assert closed == "Successfully closed subaccount it@dune.example"
        assert_failure("SMTP2GO_SUBACCOUNT_CLOSE", await client.call_tool("SMTP2GO_SUBACCOUNT_CLOSE", {"id": sid}),
                       API_EXCEPTION, f"Subaccount '{sid}' is already closed")
        assert_failure("SMTP2GO_SUBACCOUNT_REINVITE",
                       await client.call_tool("SMTP2GO_SUBACCOUNT_REINVITE", {"email": "it@dune.example"}),
                       API_EXCEPTION, "is closed; reopen it")

        assert await ok(client, "SMTP2GO_SUBACCOUNT_REOPEN", {"id": sid}) == "Successfully reopened subaccount it@dune.example"
        assert_failure("SMTP2GO_SUBACCOUNT_REOPEN", await client.call_tool("SMTP2GO_SUBACCOUNT_REOPEN", {"id": sid}),
                       API_EXCEPTION, "is not closed (it is Active)")
        usage = await ok(client, "SMTP2GO_SUBACCOUNTS_USAGE", {"subaccount_id": sid})
        assert usage["subaccounts"][0]["state"] == "Active"


@pytest.mark.anyio
@pytest.mark.parametrize(("name", "args", "phrase"), [
    ("SMTP2GO_SUBACCOUNT_CLOSE", {"id": "nope00"}, "No subaccount with the id 'nope00' exists"),
    ("SMTP2GO_SUBACCOUNT_CLOSE", {"id": "34l8oj", "email": "someone@else.example"},
     "does not belong to subaccount '34l8oj'"),
    ("SMTP2GO_SUBACCOUNT_EDIT", {"id": "nope00", "archiving": True}, "No subaccount with the id 'nope00' exists"),
    ("SMTP2GO_SUBACCOUNT_REINVITE", {"email": "who@nowhere.example"}, "No subaccount has the email who@nowhere.example"),
    ("SMTP2GO_SUBACCOUNT_ADD", {"fullname": "Acme again", "subaccount_email": "ops@acme-retail.example"},
     "already used by another subaccount"),
    ("SMTP2GO_TEMPLATE_ADD", {"template_name": "Dup", "id": "welcome-email", "subject": "s", "html_body": "<p>h</p>",
                              "text_body": "t"}, "A template with the id 'welcome-email' already exists"),
    ("SMTP2GO_TEMPLATE_DELETE", {"id": "no-such-template"}, "No template with the id 'no-such-template' exists"),
])
async def test_refusals_from_the_account_state(name: str, args: dict[str, Any], phrase: str, server, simulator) -> None:
    async with server.client() as client:
        assert_failure(name, await client.call_tool(name, args), API_EXCEPTION, phrase)


@pytest.mark.anyio
async def test_dedicated_ip_on_a_small_plan_is_refused_by_the_api(server, simulator) -> None:
    """Without a limit in the call only the API knows the plan size (34l8oj has 10000)."""
    async with server.client() as client:
        result = await client.call_tool("SMTP2GO_SUBACCOUNT_EDIT", {"id": "34l8oj", "dedicated_ip": True})
    assert_failure("SMTP2GO_SUBACCOUNT_EDIT", result, "E_ApiResponseCodes.NON_VALIDATING_IN_PAYLOAD",
                   "'dedicated_ip'", "greater than 100,000")
    assert simulator.api("subaccounts/search", {"search_terms": ["34l8oj"]})["subaccounts"][0]["dedicated_ip"] is False


@pytest.mark.anyio
async def test_template_flow_add_view_search_delete(server, simulator) -> None:
    # Ids are case-sensitive: this one differs from the seeded 'welcome-email' only in case.
    template = {"template_name": "Welcome (v2)", "id": "Welcome-Email", "subject": "Hi {{ name }}",
                "html_body": "<h1>Hi {{ name }}</h1>", "text_body": "Hi {{ name }}"}
    async with server.client() as client:
        added = await ok(client, "SMTP2GO_TEMPLATE_ADD", template)
        assert added == {**template, "template_variables": {}, "tags": []}
        viewed = await ok(client, "SMTP2GO_TEMPLATE_VIEW", {"id": "Welcome-Email"})
        assert viewed["name"] == "Welcome (v2)" and viewed["html_body"] == "<h1>Hi {{ name }}</h1>"
        found = await ok(client, "SMTP2GO_TEMPLATE_SEARCH", {"search_terms": ["Welcome-Email"]})
        assert [t["id"] for t in found["templates"]] == ["Welcome-Email"]

        deleted = await ok(client, "SMTP2GO_TEMPLATE_DELETE", {"id": "Welcome-Email"})
        assert deleted == "Successfully deleted template 'Welcome-Email'"
        assert_failure("SMTP2GO_TEMPLATE_VIEW", await client.call_tool("SMTP2GO_TEMPLATE_VIEW", {"id": "Welcome-Email"}),
                       API_EXCEPTION, "No template with the id 'Welcome-Email' exists")
        # The seeded template with the lower-case id is untouched.
        assert (await ok(client, "SMTP2GO_TEMPLATE_VIEW", {"id": "welcome-email"}))["name"] == "Welcome email"


@pytest.mark.anyio
async def test_sent_sms_show_up_in_view_and_summary(server, simulator) -> None:
    async with server.client() as client:
        before = await ok(client, "SMTP2GO_SMS_SUMMARY", {"start_date": "2020-01-01"})
        sent = await ok(client, "SMTP2GO_SMS_SEND", {"destination": ["447700900456"], "content": "z" * 321,
                                                     "sender": "+6498870123"})
        [message] = sent["messages"]
        listed = await ok(client, "SMTP2GO_SMS_VIEW_SENT", {"start_date": "2020-01-01"})
        after = await ok(client, "SMTP2GO_SMS_SUMMARY", {"start_date": "2020-01-01"})
        nobody = await ok(client, "SMTP2GO_SMS_VIEW_SENT", {"start_date": "2020-01-01", "username": "api-0000000000000"})
    [logged] = [m for m in listed["messages"] if m["id"] == message["message_id"]]
    assert (logged["destination_address"], logged["destination_address_country"], logged["sender"]) == (
        "+447700900456", "GB", "+6498870123")
    assert logged["units"] == 3  # 321 characters: three 160-character units
    assert after["total_messages"] == before["total_messages"] + 1
    assert after["total_units"] == before["total_units"] + 3
    assert after["total_cost"] > before["total_cost"]
    assert nobody == {"messages": []}


@pytest.mark.anyio
@pytest.mark.parametrize(("name", "args", "phrase"), [
    ("SMTP2GO_SMS_SEND", {"destination": ["021 555 0134"], "content": "hi"}, "a leading 0 is a national prefix"),
    ("SMTP2GO_SMS_SEND", {"destination": ["+64 21 555 0134", "call me"], "content": "hi"},
     "'destination.1': 'call me' is not an international phone number"),
    ("SMTP2GO_SMS_SEND", {"destination": [f"+1202555{n:04d}" for n in range(101)], "content": "hi"},
     "'destination': List should have at most 100 items"),
    ("SMTP2GO_SMS_SEND", {"destination": ["+64215550134"], "content": ""}, "'content': String should have at least 1"),
    ("SMTP2GO_SMS_SEND", {"destination": ["+64215550134"], "content": "hi", "sender": "My Shop"}, "'sender'"),
    ("SMTP2GO_SUBACCOUNT_ADD", {"fullname": "Big", "dedicated_ip": True},
     "dedicated_ip is only available when limit is over 100000 (250000 or more), but limit is 10000"),
    ("SMTP2GO_SUBACCOUNT_ADD", {"fullname": "Odd plan", "limit": 15000}, "'limit': Input should be 2000, 5000"),
    ("SMTP2GO_SUBACCOUNT_EDIT", {"id": "34l8oj", "limit": 100000, "dedicated_ip": True},
     "but limit is 100000"),
    ("SMTP2GO_SUBACCOUNT_REINVITE", {"email": "not-an-address"}, "is not an email address"),
    ("SMTP2GO_TEMPLATE_ADD", {"template_name": "x", "id": "abc", "subject": "s", "html_body": "h", "text_body": "t"},
     "'id': String should have at least 5 characters"),
    ("SMTP2GO_TEMPLATE_ADD", {"template_name": "x", "id": "valid-id", "subject": "s", "html_body": "h"},
     "'text_body' is required"),
    ("SMTP2GO_TEMPLATE_ADD", {"template_name": "y" * 65, "id": "valid-id", "subject": "s", "html_body": "h",
                              "text_body": "t"}, "'template_name': String should have at most 64 characters"),
])
async def test_invalid_arguments_are_refused_locally(name: str, args: dict[str, Any], phrase: str, server,
                                                     simulator) -> None:
    simulator.clear_requests()
    async with server.client() as client:
        assert_failure(name, await client.call_tool(name, args), "invalid_arguments", phrase)
    assert api_requests(simulator) == []


@pytest.mark.anyio
async def test_sms_refused_per_destination_is_a_failure_that_keeps_the_data(server, simulator) -> None:
    data = {"statuses": {"queued": 1, "rejected": 1}, "total_sent": 1, "messages": [
        {"destination": "+64215550134", "message_id": "d6b0e06d-f031-4485-8e92-8141816b3a22", "status": "queued"},
        {"destination": "+12025550100", "message_id": "1e0a0f5e-58a4-4a55-9c09-3f1d0c8e1b7a", "status": "rejected"}]}
    simulator.fault(endpoint="sms/send", status=200, data=data)
    async with server.client() as client:
        result = await client.call_tool("SMTP2GO_SMS_SEND", {"destination": ["+64215550134", "+12025550100"],
                                                             "content": "hi"})
    assert result.is_error
    structured = result.structured_content
    assert_matches_output_schema("SMTP2GO_SMS_SEND", structured)
    assert structured["successful"] is False and structured["error_code"] == "send_failed"
    assert structured["data"] == data and structured["request_id"]
    assert "1 of the 2 SMS to +12025550100" in text_of(result)


@pytest.mark.anyio
async def test_sms_timeout_is_an_unknown_outcome_not_a_failure_to_retry(impatient_server, simulator) -> None:
    simulator.fault(endpoint="sms/send", status=200, delay=1.5)
    async with impatient_server.client() as client:
        result = await client.call_tool("SMTP2GO_SMS_SEND", {"destination": ["+64215550134"], "content": "hi"})
    assert_failure("SMTP2GO_SMS_SEND", result, "outcome_unknown", "may or may not have been accepted",
                   "Do not send again yet", "SMTP2GO_SMS_VIEW_SENT")
    assert len([r for r in api_requests(simulator) if r["endpoint"] == "sms/send"]) == 1


@pytest.mark.anyio
async def test_summary_for_a_user_without_mail_is_all_zero(server, simulator) -> None:
    async with server.client() as client:
        summary = await ok(client, "SMTP2GO_STATS_EMAIL_SUMMARY", {"username": "api-0000000000000"})
        whole = await ok(client, "SMTP2GO_STATS_EMAIL_SUMMARY", {})
    assert (summary["email_count"], summary["opens"], summary["bounce_percent"], summary["spam_percent"]) == (
        0, 0, "0.00", "0.00")
    # The billing cycle is the account's, whoever asks.
    assert summary["cycle_used"] == whole["cycle_used"] == simulator.api("stats/email_cycle")["cycle_used"]
    assert whole["email_count"] == simulator.api("stats/email_bounces", {"username": USERNAME})["emails"] == 8
