"""Sender domains, single sender emails and allowed recipients: flows and refusals through a real MCP client."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import api_requests, assert_failure, ok


@pytest.mark.anyio
async def test_domain_flow_add_view_verify_remove(server, simulator) -> None:
    async with server.client() as client:
        await ok(client, "SMTP2GO_DOMAIN_ADD", {"domain": "mail.shop.example"})
        listed = await ok(client, "SMTP2GO_DOMAIN_VIEW", {})
        assert [d["domain"]["fulldomain"] for d in listed["domains"]] == ["example.com", "mail.shop.example"]
        # With more than one domain the API leaves the setup link out.
        assert {d["domain"]["setup_link"] for d in listed["domains"]} == {"unavailable"}

        [new] = (await ok(client, "SMTP2GO_DOMAIN_VIEW", {"domain": "mail.shop.example"}))["domains"]
        assert new["domain"]["dkim_verified"] is False and "returned no results" in new["domain"]["dkim_status"]
        assert new["domain"]["subdomain"] == "mail"

        await ok(client, "SMTP2GO_DOMAIN_VERIFY", {"domain": "mail.shop.example"})
        [verified] = (await ok(client, "SMTP2GO_DOMAIN_VIEW", {"domain": "mail.shop.example"}))["domains"]
        assert verified["domain"]["rpath_verified"] is True and verified["trackers"][0]["cname_verified"] is True

        assert await ok(client, "SMTP2GO_DOMAIN_REMOVE", {"domain": "mail.shop.example"}) == {"domains": []}
        remaining = await ok(client, "SMTP2GO_DOMAIN_VIEW", {})
        assert [d["domain"]["fulldomain"] for d in remaining["domains"]] == ["example.com"]


@pytest.mark.anyio
async def test_tracking_change_then_verify(server, simulator) -> None:
    async with server.client() as client:
        await ok(client, "SMTP2GO_DOMAIN_TRACKING",
                 {"domain": "example.com", "old_subdomain": "link", "new_subdomain": "clicks"})
        [domain] = (await ok(client, "SMTP2GO_DOMAIN_VERIFY", {"domain": "example.com"}))["domains"]
    assert domain["trackers"][0]["fulldomain"] == "clicks.example.com"
    assert domain["trackers"][0]["cname_verified"] is True


@pytest.mark.anyio
@pytest.mark.parametrize(("name", "args", "phrase"), [
    ("SMTP2GO_DOMAIN_VERIFY", {"domain": "nowhere.example"}, "sender domain nowhere.example does not exist"),
    ("SMTP2GO_DOMAIN_REMOVE", {"domain": "nowhere.example"}, "sender domain nowhere.example does not exist"),
    ("SMTP2GO_DOMAIN_TRACKING", {"domain": "example.com", "old_subdomain": "track", "new_subdomain": "link"},
     "has no tracking subdomain 'track'"),
    ("SMTP2GO_DOMAIN_RETURNPATH", {"domain": "example.com", "old_subdomain": "returns", "new_subdomain": "return"},
     "has no return-path subdomain 'returns'"),
    ("SMTP2GO_SINGLE_SENDER_EMAILS_REMOVE", {"email_address": "never@added.example"},
     "Failed to remove the single sender email - An error occurred deleting sender email never@added.example "
     "or it doesn't exist"),
])
async def test_state_errors_are_api_exceptions(name: str, args: dict[str, Any], phrase: str, server,
                                               simulator) -> None:
    async with server.client() as client:
        result = await client.call_tool(name, args)
    structured = assert_failure(name, result, "E_ApiResponseCodes.API_EXCEPTION", phrase)
    assert structured["request_id"]


@pytest.mark.anyio
async def test_subaccount_access_checks_ids_and_an_empty_list_revokes(server, simulator) -> None:
    name = "SMTP2GO_DOMAIN_SUBACCOUNT_ACCESS"
    async with server.client() as client:
        result = await client.call_tool(name, {"domain": "example.com", "subaccounts": ["34l8oj", "nope42"]})
        assert_failure(name, result, "E_ApiResponseCodes.NON_VALIDATING_IN_PAYLOAD", "'subaccounts'", "nope42")

        await ok(client, name, {"domain": "example.com", "subaccounts": ["34l8oj"], "future_subaccounts": True})
        revoked = await ok(client, name, {"domain": "example.com", "subaccounts": []})
    assert revoked == {"domain": "example.com", "subaccounts": [], "future_subaccounts": False}
    [request] = api_requests(simulator)[-1:]
    assert request["body"] == {"domain": "example.com", "subaccounts": [], "future_subaccounts": False}


@pytest.mark.anyio
async def test_single_sender_flow(server, simulator) -> None:
    async with server.client() as client:
        await ok(client, "SMTP2GO_SINGLE_SENDER_EMAILS_ADD", {"email_address": "Jo@Freelance.example"})
        # Adding again (to resend the verification email) keeps one entry.
        await ok(client, "SMTP2GO_SINGLE_SENDER_EMAILS_ADD", {"email_address": "jo@freelance.example"})
        viewed = await ok(client, "SMTP2GO_SINGLE_SENDER_EMAILS_VIEW", {})
        assert viewed == {"senders": [{"email_address": "Jo@Freelance.example", "verified": False}]}
        removed = await ok(client, "SMTP2GO_SINGLE_SENDER_EMAILS_REMOVE", {"email_address": "jo@freelance.example"})
        assert removed == "OK"
        assert await ok(client, "SMTP2GO_SINGLE_SENDER_EMAILS_VIEW", {}) == {"senders": []}


@pytest.mark.anyio
async def test_allowed_recipients_flow(server, simulator) -> None:
    async with server.client() as client:
        await ok(client, "SMTP2GO_ALLOWED_RECIPIENTS_ADD", {"allowed_recipients": ["a@team.example"], "enabled": True})
        added = await ok(client, "SMTP2GO_ALLOWED_RECIPIENTS_ADD",
                         {"allowed_recipients": ["a@team.example", "partner.example"]})
        # Already-listed entries are kept once, and leaving out `enabled` keeps the switch as it was.
        assert added == {"allowed_recipients": ["a@team.example", "partner.example"], "enabled": True}
        removed = await ok(client, "SMTP2GO_ALLOWED_RECIPIENTS_REMOVE",
                           {"allowed_recipients": ["a@team.example", "ghost@nowhere.example"], "enabled": False})
        assert removed == {"allowed_recipients": ["partner.example"], "enabled": False}
        cleared = await ok(client, "SMTP2GO_ALLOWED_RECIPIENTS_UPDATE", {"allowed_recipients": [], "enabled": False})
        assert cleared == {"allowed_recipients": [], "enabled": False}
        assert await ok(client, "SMTP2GO_ALLOWED_RECIPIENTS_VIEW", {}) == cleared


@pytest.mark.anyio
@pytest.mark.parametrize(("name", "args", "phrase"), [
    ("SMTP2GO_ALLOWED_RECIPIENTS_UPDATE", {"allowed_recipients": ["a@example.com"]}, "'enabled' is required"),
    ("SMTP2GO_ALLOWED_RECIPIENTS_ADD", {"allowed_recipients": []}, "'allowed_recipients': List should have at least 1"),
    ("SMTP2GO_ALLOWED_RECIPIENTS_REMOVE", {"allowed_recipients": ["not an address"]},
     "neither an email address nor a domain"),
    ("SMTP2GO_DOMAIN_TRACKING", {"domain": "example.com", "old_subdomain": "link", "new_subdomain": "a.b"},
     "'new_subdomain': String should match pattern"),
    ("SMTP2GO_DOMAIN_RETURNPATH", {"domain": "example.com", "new_subdomain": "rp"}, "'old_subdomain' is required"),
    ("SMTP2GO_DOMAIN_VERIFY", {"domain": "https://example.com/"}, "is not a domain name"),
    ("SMTP2GO_DOMAIN_SUBACCOUNT_ACCESS", {"domain": "example.com"}, "'subaccounts' is required"),
    ("SMTP2GO_SINGLE_SENDER_EMAILS_ADD", {"email_address": "jo at example.com"}, "is not an email address"),
    ("SMTP2GO_SINGLE_SENDER_EMAILS_VIEW", {"subaccount_id": ""}, "'subaccount_id'"),
])
async def test_invalid_arguments_are_refused_locally(name: str, args: dict[str, Any], phrase: str, server,
                                                     simulator) -> None:
    simulator.clear_requests()
    async with server.client() as client:
        result = await client.call_tool(name, args)
    assert_failure(name, result, "invalid_arguments", phrase)
    assert api_requests(simulator) == []
