"""Prompts and resources through the real MCP client, against the simulator."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from mcp import MCPError

from smtp2go_mcp.prompts import PROMPTS, tools_named
from tests.conftest import ALL_TOOLS, TOOLS, running_server, settings_for

EXAMPLES: dict[str, dict[str, str]] = {
    "invoice_due_reminder": {"contact_email": "ap@customer.example", "contact_name": "Dana Lee",
                             "customer": "Customer GmbH", "document": "INV-1042", "amount_due": "EUR 1,250.00",
                             "due_date": "2026-12-01", "payment_link": "https://pay.example.com/INV-1042",
                             "sender": "billing@example.com"},
    "onboard_sender": {"email_address": "billing@acme.example", "sender_name": "Acme Billing",
                       "host": "smtp.acme.example", "port": "587", "security": "starttls",
                       "username": "billing@acme.example", "password_env": "ACME_SMTP_PASSWORD",
                       "test_recipient": "me@acme.example"},
    "deliverability_report": {"start_date": "2026-11-01", "end_date": "2026-11-21"},
    "verify_domain": {"domain": "Mail.Example.com", "tracking_subdomain": "track"},
}


def prompt_text(result: Any) -> str:
    assert len(result.messages) == 1 and result.messages[0].role == "user"
    return result.messages[0].content.text


def schema_names(schema: Any) -> set[str]:
    """Every property name anywhere in a JSON schema (nested objects included)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        found |= set(schema.get("properties", {}))
        for value in schema.values():
            found |= schema_names(value)
    elif isinstance(schema, list):
        for item in schema:
            found |= schema_names(item)
    return found


def arguments_given_to_tools(text: str) -> dict[str, set[str]]:
    """For each 'TOOL with a=..., b=...' in a prompt, the argument names it tells the agent to use."""
    plain = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)  # quoted values may contain anything
    calls: dict[str, set[str]] = {}
    for match in re.finditer(r"\b([A-Z0-9_]{6,}) with (.*?)(?:[.:](?:\s|$)|$)", plain, re.S):
        calls.setdefault(match.group(1), set()).update(re.findall(r"\b([a-z_]+)=", match.group(2)))
    return calls


@pytest.mark.anyio
async def test_prompts_are_listed_with_their_arguments(server) -> None:
    async with server.client() as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    assert list(prompts) == ["invoice_due_reminder", "onboard_sender", "deliverability_report", "verify_domain"]
    for name, prompt in prompts.items():
        assert prompt.title and prompt.description
        declared = {a.name: a.required for a in PROMPTS[name].arguments}
        assert {a.name: a.required for a in prompt.arguments} == declared
        assert all(a.description for a in prompt.arguments)
        assert set(EXAMPLES[name]) <= set(declared)


@pytest.mark.anyio
@pytest.mark.parametrize("name", list(EXAMPLES))
async def test_each_prompt_names_real_tools_with_their_real_arguments(server, name: str) -> None:
    async with server.client() as client:
        text = prompt_text(await client.get_prompt(name, EXAMPLES[name]))
    named = tools_named(text)
    assert named and named <= set(ALL_TOOLS), named - set(ALL_TOOLS)
    calls = arguments_given_to_tools(text)
    assert calls, text
    for tool, arguments in calls.items():
        assert tool in ALL_TOOLS, tool
        unknown = arguments - schema_names(ALL_TOOLS[tool].wire["inputSchema"])
        assert not unknown, f"{name} tells the agent to pass {unknown} to {tool}"
    for value in EXAMPLES[name].values():
        if name != "verify_domain":  # the domain is lower-cased
            assert value in text or value.lower() in text, value


@pytest.mark.anyio
async def test_invoice_reminder_follows_the_chosen_channel(server) -> None:
    async with server.client() as client:
        api = prompt_text(await client.get_prompt("invoice_due_reminder", EXAMPLES["invoice_due_reminder"]))
        templated = prompt_text(await client.get_prompt("invoice_due_reminder", {
            **EXAMPLES["invoice_due_reminder"], "template_id": "invoice-due"}))
        smtp = prompt_text(await client.get_prompt("invoice_due_reminder", {
            **EXAMPLES["invoice_due_reminder"], "channel": "smtp"}))
    assert "SMTP2GO_EMAIL_SEND" in api and "SMTP2GO_SUPPRESSION_VIEW" in api and "SMTP_SEND_EMAIL" not in api
    assert 'to=["Dana Lee <ap@customer.example>"]' in api
    assert 'idempotency_key="due-reminder-INV-1042-2026-12-01"' in api
    assert "wait for my go-ahead" in api
    assert 'SMTP2GO_TEMPLATE_VIEW with id="invoice-due"' in templated and 'template_id="invoice-due"' in templated
    assert "SMTP_SEND_EMAIL" in smtp and "SMTP2GO_EMAIL_SEND" not in smtp


@pytest.mark.anyio
async def test_onboarding_keeps_passwords_out_of_the_chat(server) -> None:
    async with server.client() as client:
        relay = prompt_text(await client.get_prompt("onboard_sender", {
            "email_address": "it@corp.example", "sender_name": "IT", "host": "relay.corp.example", "port": "25",
            "ip_relay_auth": "yes", "test_recipient": "me@corp.example"}))
        asking = prompt_text(await client.get_prompt("onboard_sender", {
            "email_address": "it@corp.example", "sender_name": "IT", "host": "smtp.corp.example",
            "test_recipient": "me@corp.example"}))
    assert "ip_relay_auth=true" in relay and "username" not in relay
    assert "password_env" in asking and "ask me" in asking and "port (ask me" in asking


@pytest.mark.anyio
@pytest.mark.parametrize(("name", "arguments", "problem"), [
    ("verify_domain", {}, "needs domain"),
    ("verify_domain", {"domain": "not a domain"}, "domain must be a domain name"),
    ("verify_domain", {"domain": "example.com", "zone": "x"}, "no argument(s) zone"),
    ("invoice_due_reminder", {"contact_email": "nobody", "document": "1", "due_date": "soon"},
     "contact_email must be an email address"),
    ("invoice_due_reminder", {**EXAMPLES["invoice_due_reminder"], "channel": "fax"}, "channel must be smtp2go or smtp"),
    ("onboard_sender", {**EXAMPLES["onboard_sender"], "port": "99999"}, "port must be a port number"),
    ("onboard_sender", {**EXAMPLES["onboard_sender"], "sender_name": "A\nB"}, "sender_name must be one line"),
    ("no_such_prompt", {}, "Unknown prompt"),
])
async def test_bad_prompt_arguments_are_refused_by_name(server, name: str, arguments: dict[str, str],
                                                       problem: str) -> None:
    async with server.client() as client:
        with pytest.raises(MCPError) as raised:
            await client.get_prompt(name, arguments)
    assert raised.value.error.code == -32602
    assert problem in raised.value.error.message


@pytest.mark.anyio
async def test_prompts_follow_the_tools_the_server_offers(simulator) -> None:
    with running_server(settings_for(simulator, read_only=True)) as read_only:
        async with read_only.client() as client:
            assert [p.name for p in (await client.list_prompts()).prompts] == ["deliverability_report"]
            with pytest.raises(MCPError, match="Unknown prompt"):
                await client.get_prompt("verify_domain", {"domain": "example.com"})
    with running_server(settings_for(simulator, toolsets=("smtp",))) as smtp_only:
        async with smtp_only.client() as client:
            assert [p.name for p in (await client.list_prompts()).prompts] == \
                ["invoice_due_reminder", "onboard_sender"]
            text = prompt_text(await client.get_prompt("invoice_due_reminder", {
                "contact_email": "ap@customer.example", "document": "PO-7", "due_date": "2026-12-01"}))
    assert "SMTP_SEND_EMAIL" in text and "SMTP2GO_" not in text


# -- resources ---------------------------------------------------------------------------
@pytest.mark.anyio
async def test_resources_and_templates_are_listed(server) -> None:
    async with server.client() as client:
        listed = {r.uri: r for r in (await client.list_resources()).resources}
        templates = [t.uri_template for t in (await client.list_resource_templates()).resource_templates]
    assert sorted(listed) == ["smtp2go://account/usage", "smtp://senders"]
    assert all(r.mime_type == "application/json" and r.description for r in listed.values())
    assert templates == ["smtp2go://templates/{id}"]


@pytest.mark.anyio
async def test_account_usage_is_the_cycle_and_the_summary(server, simulator) -> None:
    async with server.client() as client:
        result = await client.read_resource("smtp2go://account/usage")
    content = result.contents[0]
    assert content.uri == "smtp2go://account/usage" and content.mime_type == "application/json"
    usage = json.loads(content.text)
    assert usage["cycle"] == simulator.api("stats/email_cycle")
    assert usage["summary"]["cycle_used"] == usage["cycle"]["cycle_used"]
    assert "bounce_percent" in usage["summary"]


@pytest.mark.anyio
async def test_a_template_by_id(server, simulator) -> None:
    simulator.api("template/add", {"template_name": "Invoice due", "id": "invoice-due",
                                   "subject": "{{ invoice }} is due", "html_body": "<p>Pay {{ invoice }}</p>",
                                   "text_body": "Pay {{ invoice }}"})
    async with server.client() as client:
        template = json.loads((await client.read_resource("smtp2go://templates/invoice-due")).contents[0].text)
        with pytest.raises(MCPError) as missing:
            await client.read_resource("smtp2go://templates/no-such-template")
        with pytest.raises(MCPError) as unknown:
            await client.read_resource("smtp2go://nothing/here")
    assert template["id"] == "invoice-due" and template["subject"] == "{{ invoice }} is due"
    assert template["html_body"] == "<p>Pay {{ invoice }}</p>" and template["text_body"] == "Pay {{ invoice }}"
    assert missing.value.error.code == -32602 and "no-such-template" in missing.value.error.message
    assert missing.value.error.data["uri"] == "smtp2go://templates/no-such-template"
    assert unknown.value.error.code == -32602 and "resources/list" in unknown.value.error.message


@pytest.mark.anyio
async def test_sender_identities_without_secrets(server) -> None:
    password = "resource-test-password-31337"
    async with server.client() as client:
        created = await client.call_tool("SMTP_SENDER_CREATE", {
            "sender_name": "Resource Test", "email_address": "resource-test@acme.example",
            "smtp_configuration": {"host": "smtp.acme.example", "port": 587, "username": "rt", "password": password}})
        assert not created.is_error, created.content
        try:
            text = (await client.read_resource("smtp://senders")).contents[0].text
        finally:
            await client.call_tool("SMTP_SENDER_DELETE", {"email_address": "resource-test@acme.example"})
    senders = {s["email_address"]: s for s in json.loads(text)["senders"]}
    assert senders["resource-test@acme.example"]["smtp_configuration"]["password_set"] is True
    assert password not in text


@pytest.mark.anyio
async def test_resources_follow_the_tools_and_report_failures(simulator) -> None:
    with running_server(settings_for(simulator, toolsets=("smtp",))) as smtp_only:
        async with smtp_only.client() as client:
            assert [r.uri for r in (await client.list_resources()).resources] == ["smtp://senders"]
            assert (await client.list_resource_templates()).resource_templates == []
            with pytest.raises(MCPError, match="Unknown resource"):
                await client.read_resource("smtp2go://account/usage")
    with running_server(settings_for(simulator, api_key=None)) as keyless:
        async with keyless.client() as client:
            with pytest.raises(MCPError) as raised:
                await client.read_resource("smtp2go://account/usage")
    assert raised.value.error.code == -32603 and "SMTP2GO_API_KEY" in raised.value.error.message
    assert raised.value.error.data["error_code"] == "missing_api_key"


def test_every_tool_a_prompt_or_resource_uses_exists() -> None:
    from smtp2go_mcp.resources import RESOURCES

    for spec in RESOURCES:
        assert set(spec.tools) <= set(TOOLS), spec.uri
    for spec in PROMPTS.values():
        assert {t for group in spec.requires for t in group} <= set(TOOLS), spec.name
