"""Every tool through a real MCP client, against the simulator over HTTP: request sent, result returned."""

from __future__ import annotations

import pytest

from smtp2go_mcp.simulator import SANDBOX_API_KEY
from tests.conftest import API_TOOLS, TOOLS, assert_matches_output_schema, structured_text
from tests.tool_cases import CASES

# The 32 actions DESIGN.md fixes (the original toolkit's list).
DESIGN_ACTIONS = """
SMTP2GO_ACTIVITY_SEARCH SMTP2GO_ALLOWED_SENDERS_ADD SMTP2GO_ALLOWED_SENDERS_REMOVE SMTP2GO_ALLOWED_SENDERS_UPDATE
SMTP2GO_ALLOWED_SENDERS_VIEW SMTP2GO_DOMAIN_ADD SMTP2GO_EMAIL_SEARCH SMTP2GO_IP_ALLOW_LIST_ADD
SMTP2GO_IP_ALLOW_LIST_REMOVE SMTP2GO_IP_ALLOW_LIST_VIEW SMTP2GO_SMS_VIEW_RECEIVED SMTP2GO_STATS_EMAIL_BOUNCES
SMTP2GO_STATS_EMAIL_CYCLE SMTP2GO_STATS_EMAIL_HISTORY SMTP2GO_STATS_EMAIL_SPAM SMTP2GO_STATS_EMAIL_UNSUBS
SMTP2GO_SUBACCOUNTS_SEARCH SMTP2GO_SUBACCOUNTS_USAGE SMTP2GO_SUPPRESSION_ADD SMTP2GO_SUPPRESSION_REMOVE
SMTP2GO_SUPPRESSION_VIEW SMTP2GO_TEMPLATE_EDIT SMTP2GO_TEMPLATE_SEARCH SMTP2GO_TEMPLATE_VIEW SMTP2GO_USERS_SMTP_ADD
SMTP2GO_USERS_SMTP_EDIT SMTP2GO_USERS_SMTP_REMOVE SMTP2GO_USERS_SMTP_VIEW SMTP2GO_WEBHOOK_ADD SMTP2GO_WEBHOOK_EDIT
SMTP2GO_WEBHOOK_REMOVE SMTP2GO_WEBHOOK_VIEW
""".split()


def test_the_design_actions_are_all_tools() -> None:
    assert len(DESIGN_ACTIONS) == 32
    assert set(DESIGN_ACTIONS) <= set(TOOLS)


def test_every_api_tool_has_a_success_case() -> None:
    assert set(CASES) == set(API_TOOLS)
    # The rest work locally: the SMTP tools, and the webhook events this server received (tests/test_events.py).
    assert set(TOOLS) - set(API_TOOLS) == {n for n in TOOLS if n.startswith("SMTP_")} | {"SMTP2GO_EVENTS_RECENT"}


@pytest.mark.anyio
async def test_tools_list_serves_the_registry(server) -> None:
    async with server.client() as client:
        listed = (await client.list_tools()).tools
    assert sorted(t.name for t in listed) == sorted(TOOLS)
    for tool in listed:
        wire = tool.model_dump(by_alias=True, exclude_none=True, mode="json")
        assert wire["inputSchema"] == TOOLS[tool.name].wire["inputSchema"]
        assert wire["outputSchema"] == TOOLS[tool.name].wire["outputSchema"]
        assert wire["annotations"] == TOOLS[tool.name].wire["annotations"]
        assert tool.description and tool.title


@pytest.mark.anyio
@pytest.mark.parametrize("name", sorted(CASES))
async def test_tool_success(name: str, server, simulator) -> None:
    case = CASES[name]
    # A setup may return argument values only known once it ran (an id it created).
    created = (case.setup(simulator) if case.setup else None) or {}
    args, expected_body = {**case.args, **created}, {**case.body, **created}
    simulator.clear_requests()
    async with server.client() as client:
        result = await client.call_tool(name, args)
    assert not result.is_error, result.content
    structured = result.structured_content
    assert_matches_output_schema(name, structured)
    assert structured["successful"] is True and structured["error"] is None and structured["error_code"] is None
    assert structured["request_id"]
    # The text block carries the same JSON, for clients that only read text.
    assert structured_text(result) == structured

    [request] = [r for r in simulator.requests() if r["path"].startswith("/v3/")]
    assert request["endpoint"] == case.endpoint
    assert request["method"] == case.method
    assert request["headers"]["x-smtp2go-api-key"] == SANDBOX_API_KEY
    assert request["headers"]["content-type"] == "application/json"
    assert request["body"] == expected_body
    assert SANDBOX_API_KEY not in request["raw"]

    case.check(structured["data"], simulator)
