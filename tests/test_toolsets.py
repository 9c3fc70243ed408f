"""Which tools a server offers: every endpoint covered, toolsets, read-only, allow and deny lists."""

from __future__ import annotations

import subprocess

import pytest
from mcp import Client, StdioServerParameters

from smtp2go_mcp.config import ConfigError, Settings
from smtp2go_mcp.registry import tool_name
from smtp2go_mcp.simulator.core import ROUTES
from smtp2go_mcp.toolsets import TOOLSETS, select_tools
from tests.conftest import TOOLS
from tests.processes import COMMAND, clean_env

# Every endpoint of the API reference (§2), as the API spells it.
REFERENCE_ENDPOINTS = """
email/send email/mime email/batch email/scheduled/search email/scheduled/remove email/search
activity/search archive/search archive/email
domain/add domain/verify domain/view domain/remove domain/tracking domain/returnpath domain/subaccount_access
single_sender_emails/add single_sender_emails/view single_sender_emails/remove
users/smtp/add users/smtp/edit users/smtp/remove users/smtp/view
api_keys/add api_keys/edit api_keys/view api_keys/remove api_keys/permissions
ip_auth/view ip_auth/edit ip_auth/remove
ip_allow_list ip_allow_list/add ip_allow_list/edit ip_allow_list/remove ip_allow_list/view dedicated_ips/view
allowed_senders/add allowed_senders/remove allowed_senders/update allowed_senders/view
allowed_recipients/add allowed_recipients/remove allowed_recipients/update allowed_recipients/view
suppression/add suppression/remove suppression/view
subaccount/add subaccount/edit subaccounts/search subaccount/close subaccount/reopen subaccount/reinvite
template/add template/edit template/delete template/search template/view
sms/send sms/view-received sms/view-sent sms/summary
stats/email_bounces stats/email_cycle stats/email_history stats/email_spam stats/email_unsubs stats/email_summary
webhook/add webhook/edit webhook/remove webhook/view
""".split()
NOT_A_PATH = {"SMTP2GO_SUBACCOUNTS_USAGE", "SMTP2GO_EVENTS_RECENT"}
# DESIGN.md's generic SMTP tools.
SMTP_TOOLS = {"SMTP_SEND_EMAIL", "SMTP_SEND_BATCH", "SMTP_TEST_CONNECTION", "SMTP_SENDER_CREATE", "SMTP_SENDER_LIST",
              "SMTP_SENDER_DELETE"}


def test_every_reference_endpoint_has_a_tool_and_a_simulator_route() -> None:
    expected = {tool_name(endpoint) for endpoint in REFERENCE_ENDPOINTS}
    missing = sorted(expected - set(TOOLS))
    assert missing == []
    assert sorted(set(TOOLS) - expected - NOT_A_PATH - SMTP_TOOLS) == []
    assert SMTP_TOOLS <= set(TOOLS)
    for endpoint in REFERENCE_ENDPOINTS:
        assert any(path == endpoint for _, path in ROUTES), f"the simulator has no route for {endpoint}"
        assert TOOLS[tool_name(endpoint)].endpoint == endpoint


def test_every_tool_is_in_a_known_toolset_and_every_toolset_has_tools() -> None:
    assert {spec.toolset for spec in TOOLS.values()} == set(TOOLSETS)


def select(**settings) -> list[str]:
    return [spec.name for spec in select_tools(TOOLS.values(), Settings(**settings))]


def test_default_is_everything() -> None:
    assert select() == list(TOOLS)


def test_toolsets() -> None:
    chosen = select(toolsets=("email", "stats"))
    assert chosen and {TOOLS[n].toolset for n in chosen} == {"email", "stats"}
    assert set(chosen) == {n for n, s in TOOLS.items() if s.toolset in ("email", "stats")}


def test_read_only_hides_every_tool_that_sends_or_changes() -> None:
    chosen = select(read_only=True)
    assert chosen and all(TOOLS[n].hints.read_only for n in chosen)
    assert not any(TOOLS[n].kind == "send" for n in chosen)
    assert set(chosen) == {n for n, s in TOOLS.items() if s.hints.read_only}


def test_allow_and_deny_lists() -> None:
    assert set(select(tools=("SMTP2GO_EMAIL_SEND", "SMTP2GO_ACTIVITY_SEARCH"))) == {"SMTP2GO_EMAIL_SEND",
                                                                                   "SMTP2GO_ACTIVITY_SEARCH"}
    chosen = select(toolsets=("email",), exclude_tools=("SMTP2GO_EMAIL_BATCH",))
    assert "SMTP2GO_EMAIL_BATCH" not in chosen and "SMTP2GO_EMAIL_SEND" in chosen


@pytest.mark.parametrize(("settings", "phrase"), [
    ({"toolsets": ("email", "mail")}, "unknown toolset(s) mail"),
    ({"tools": ("SMTP2GO_SEND_EMAIL",)}, "unknown tool(s) SMTP2GO_SEND_EMAIL"),
    ({"exclude_tools": ("NOPE",)}, "unknown tool(s) NOPE"),
    ({"toolsets": ("stats",), "tools": ("SMTP2GO_EMAIL_SEND",)}, "in the email toolset, which --toolsets leaves out"),
    ({"read_only": True, "tools": ("SMTP2GO_WEBHOOK_ADD",)}, "--read-only hides it"),
    ({"toolsets": ("sms",), "exclude_tools": tuple(n for n, s in TOOLS.items() if s.toolset == "sms")}, "leaves no tools"),
])
def test_bad_selections_are_errors(settings, phrase) -> None:
    with pytest.raises(ConfigError, match=phrase.replace("(", r"\(").replace(")", r"\)")):
        select(**settings)


def test_unknown_toolset_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as raised:
        select(toolsets=("nope",))
    for name in TOOLSETS:
        assert name in str(raised.value)


@pytest.mark.anyio
async def test_flags_and_environment_through_a_real_client() -> None:
    flags = StdioServerParameters(command=str(COMMAND), args=["--sandbox", "--toolsets", "email,activity", "--read-only"],
                                  env=clean_env())
    async with Client(flags) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names == {n for n, s in TOOLS.items() if s.toolset in ("email", "activity") and s.hints.read_only}
        assert "SMTP2GO_EMAIL_SEND" not in names
    env = StdioServerParameters(command=str(COMMAND), args=["--sandbox"],
                                env=clean_env(SMTP2GO_MCP_TOOLSETS="stats", SMTP2GO_MCP_EXCLUDE_TOOLS="SMTP2GO_STATS_EMAIL_CYCLE"))
    async with Client(env) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names == {n for n, s in TOOLS.items() if s.toolset == "stats"} - {"SMTP2GO_STATS_EMAIL_CYCLE"}
        # A tool that is not offered cannot be called either.
        from mcp import MCPError

        with pytest.raises(MCPError, match="Unknown tool"):
            await client.call_tool("SMTP2GO_STATS_EMAIL_CYCLE", {})


def test_startup_errors_name_the_valid_choices() -> None:
    done = subprocess.run([str(COMMAND), "--toolsets", "email,mail"], env=clean_env(), capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 2
    assert "unknown toolset(s) mail" in done.stderr and "valid toolsets: email, activity" in done.stderr
    done = subprocess.run([str(COMMAND)], env=clean_env(SMTP2GO_MCP_READ_ONLY="maybe"), capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 2 and "SMTP2GO_MCP_READ_ONLY must be" in done.stderr
