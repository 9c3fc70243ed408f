"""API keys, IP auth, the IP allow list switch and dedicated IPs: flows and rules specific to them."""

from __future__ import annotations

from typing import Any

import pytest

from smtp2go_mcp.simulator import SANDBOX_API_KEY
from tests.cases.credentials import FULL_KEY, IP_AUTH, no_full_key
from tests.conftest import api_requests, assert_failure, TOOLS, running_server, settings_for, text_of, call, hints_of

# A key allowed only the email and api_keys endpoints, for the permission rules.
NARROW_KEY = "api-0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A"


def ok(result: Any) -> Any:
    assert not result.is_error, text_of(result)
    no_full_key(text_of(result))
    return result.structured_content["data"]


@pytest.fixture(scope="module")
def narrow_server(simulator):
    with running_server(settings_for(simulator, api_key=NARROW_KEY)) as srv:
        yield srv


@pytest.mark.anyio
async def test_key_flow_add_view_edit_remove(server, simulator) -> None:
    # Only the SMTP2GO app (here: the simulator itself) ever shows a new key whole.
    [created] = simulator.api("api_keys/add", {"description": "Nightly export"})
    key = created["api_key"]
    assert FULL_KEY.fullmatch(key) and created["endpoints"] == ["/email/send"]

    [viewed] = ok(await call(server, "SMTP2GO_API_KEYS_VIEW", {"id": key}))
    assert viewed["api_key"] == key[:16] + "*" * 20 and viewed["description"] == "Nightly export"

    [edited] = ok(await call(server, "SMTP2GO_API_KEYS_EDIT", {"id": key, "endpoints": ["/email/*", "/stats/*"]}))
    assert edited["endpoints"] == ["/email/*", "/stats/*"] and edited["description"] == "Nightly export"

    assert ok(await call(server, "SMTP2GO_API_KEYS_REMOVE", {"id": key})) == {}
    assert ok(await call(server, "SMTP2GO_API_KEYS_VIEW", {"id": key})) == []
    result = await call(server, "SMTP2GO_API_KEYS_REMOVE", {"id": key})
    assert_failure("SMTP2GO_API_KEYS_REMOVE", result, "E_ApiResponseCodes.API_EXCEPTION", f"No API key {key[:16]}")
    assert key not in text_of(result)


@pytest.mark.anyio
async def test_add_never_shows_the_full_key(server, simulator) -> None:
    result = await call(server, "SMTP2GO_API_KEYS_ADD", {"description": "Webshop"})
    [key] = ok(result)
    assert key["api_key"].endswith("*" * 20) and key["endpoints"] == ["/email/send"]
    # The API did hand out the whole key; the tool masked it.
    [stored] = [k for k in simulator.api("api_keys/view") if k["description"] == "Webshop"]
    assert stored["username"] == key["username"]


@pytest.mark.anyio
async def test_permissions_are_those_of_the_calling_key(narrow_server, simulator) -> None:
    simulator.add_key(NARROW_KEY, ["/email/*", "/api_keys/*"])
    paths = ok(await call(narrow_server, "SMTP2GO_API_KEYS_PERMISSIONS", {}))
    assert "/email/send" in paths and "/api_keys/add" in paths
    assert all(p.startswith(("/email/", "/api_keys/")) for p in paths), paths


@pytest.mark.anyio
@pytest.mark.parametrize("endpoints", [["/email/send"], ["/email/*"], ["/api_keys/view", "/email/mime"]])
async def test_a_new_key_may_get_what_the_caller_has(endpoints: list[str], narrow_server, simulator) -> None:
    simulator.add_key(NARROW_KEY, ["/email/*", "/api_keys/*"])
    [key] = ok(await call(narrow_server, "SMTP2GO_API_KEYS_ADD", {"endpoints": endpoints}))
    assert key["endpoints"] == endpoints


@pytest.mark.anyio
@pytest.mark.parametrize(("endpoints", "refused"), [(["/email/send", "/sms/send"], "/sms/send"), (["*"], "*")])
async def test_a_new_key_may_not_get_more_than_the_caller(endpoints: list[str], refused: str, narrow_server,
                                                          simulator) -> None:
    simulator.add_key(NARROW_KEY, ["/email/*", "/api_keys/*"])
    result = await call(narrow_server, "SMTP2GO_API_KEYS_ADD", {"endpoints": endpoints})
    assert_failure("SMTP2GO_API_KEYS_ADD", result, "E_ApiResponseCodes.API_EXCEPTION",
                   f"The endpoint {refused} is not within the permissions")
    assert [k["api_key"][:16] for k in simulator.api("api_keys/view")] == [SANDBOX_API_KEY[:16], NARROW_KEY[:16]]


@pytest.mark.anyio
async def test_patch_may_keep_endpoints_the_caller_lacks(narrow_server, simulator) -> None:
    """Only endpoints a key does not have yet count against the caller's permissions."""
    simulator.add_key(NARROW_KEY, ["/email/*", "/api_keys/*"])
    [other] = simulator.api("api_keys/add", {"endpoints": ["/sms/send"]})
    args = {"id": other["api_key"], "endpoints": ["/sms/send", "/email/send"]}
    [edited] = ok(await call(narrow_server, "SMTP2GO_API_KEYS_EDIT", args))
    assert edited["endpoints"] == ["/sms/send", "/email/send"]


@pytest.mark.anyio
async def test_the_key_in_use_cannot_be_removed(server, simulator) -> None:
    result = await call(server, "SMTP2GO_API_KEYS_REMOVE", {"id": SANDBOX_API_KEY})
    assert_failure("SMTP2GO_API_KEYS_REMOVE", result, "E_ApiResponseCodes.API_EXCEPTION", "authenticated with")
    assert len(simulator.api("api_keys/view")) == 1


@pytest.mark.anyio
@pytest.mark.parametrize("bad", ["api-123", "api-" + "x" * 31 + "!", "key-" + "A" * 32, "API-" + "A" * 32])
async def test_key_id_is_checked_locally_and_not_echoed(bad: str, server, simulator) -> None:
    simulator.clear_requests()
    result = await call(server, "SMTP2GO_API_KEYS_EDIT", {"id": bad, "status": "blocked"})
    assert_failure("SMTP2GO_API_KEYS_EDIT", result, "invalid_arguments", "'id': String should match pattern")
    assert bad not in text_of(result)
    assert api_requests(simulator) == []


@pytest.mark.anyio
async def test_edit_sends_only_what_was_given_with_patch(server, simulator) -> None:
    simulator.clear_requests()
    await call(server, "SMTP2GO_IP_AUTH_EDIT", {"ip_address": IP_AUTH, "description": "Scanner", "status": None})
    [request] = api_requests(simulator)
    assert request["method"] == "PATCH" and request["body"] == {"ip_address": IP_AUTH, "description": "Scanner"}


@pytest.mark.anyio
async def test_rate_limit_period_syntax_is_the_apis(server, simulator) -> None:
    args = {"ip_address": IP_AUTH, "custom_ratelimit": True, "custom_ratelimit_period": "fortnight"}
    result = await call(server, "SMTP2GO_IP_AUTH_EDIT", args)
    assert_failure("SMTP2GO_IP_AUTH_EDIT", result, "E_ApiResponseCodes.NON_VALIDATING_IN_PAYLOAD",
                   "'custom_ratelimit_period'", "'1 hour'")
    [entry] = ok(await call(server, "SMTP2GO_IP_AUTH_EDIT", {**args, "custom_ratelimit_period": "4 months 5:00:00"}))
    assert entry["custom_ratelimit_period"] == "4 months 5:00:00"


@pytest.mark.anyio
async def test_ip_pool_must_exist(server, simulator) -> None:
    [pool] = ok(await call(server, "SMTP2GO_DEDICATED_IPS_VIEW", {}))
    [entry] = ok(await call(server, "SMTP2GO_IP_AUTH_EDIT", {"ip_address": IP_AUTH, "ip_pool": pool["id"]}))
    assert entry["ippool"] == pool["id"]
    result = await call(server, "SMTP2GO_IP_AUTH_EDIT", {"ip_address": IP_AUTH, "ip_pool": 999})
    assert_failure("SMTP2GO_IP_AUTH_EDIT", result, "E_ApiResponseCodes.API_EXCEPTION", "IP pool 999 does not exist")


@pytest.mark.anyio
async def test_ip_auth_unknown_address(server, simulator) -> None:
    result = await call(server, "SMTP2GO_IP_AUTH_REMOVE", {"ip_address": "192.0.2.99"})
    assert_failure("SMTP2GO_IP_AUTH_REMOVE", result, "E_ApiResponseCodes.API_EXCEPTION",
                   "No IP Auth entry for 192.0.2.99")
    assert ok(await call(server, "SMTP2GO_IP_AUTH_VIEW", {"ip_address": "192.0.2.99"}))["results"] == []


@pytest.mark.anyio
async def test_allow_list_switch_and_edit(server, simulator) -> None:
    ok(await call(server, "SMTP2GO_IP_ALLOW_LIST_ADD", {"ip_address": "203.0.113.7", "description": "Office"}))
    assert ok(await call(server, "SMTP2GO_IP_ALLOW_LIST", {"enabled": True})) == {"enabled": True}
    edited = ok(await call(server, "SMTP2GO_IP_ALLOW_LIST_EDIT", {"ip_address": "203.0.113.7", "description": "HQ"}))
    assert edited == {"ip_address": "203.0.113.7", "description": "HQ"}
    view = ok(await call(server, "SMTP2GO_IP_ALLOW_LIST_VIEW", {}))
    assert view == {"enabled": True, "ip_addresses": [edited]}
    assert ok(await call(server, "SMTP2GO_IP_ALLOW_LIST", {"enabled": False, "type": "smtp"})) == {"enabled": False}

    result = await call(server, "SMTP2GO_IP_ALLOW_LIST_EDIT", {"ip_address": "198.51.100.1", "description": "x"})
    assert_failure("SMTP2GO_IP_ALLOW_LIST_EDIT", result, "E_ApiResponseCodes.API_EXCEPTION", "not on the allow list")


@pytest.mark.anyio
@pytest.mark.parametrize(("name", "args", "phrase"), [
    ("SMTP2GO_IP_ALLOW_LIST_EDIT", {"ip_address": "203.0.113.7"}, "give new_ip_address, description or both"),
    ("SMTP2GO_IP_ALLOW_LIST", {"type": "api"}, "'enabled' is required"),
    ("SMTP2GO_IP_ALLOW_LIST", {"enabled": True, "api_key": "api-" + "A" * 32}, "unknown argument 'api_key'"),
    ("SMTP2GO_API_KEYS_ADD", {"endpoints": ["email/send"]}, "'endpoints.0'"),
    ("SMTP2GO_DEDICATED_IPS_VIEW", {"subaccount_id": "34l8oj"}, "unknown argument 'subaccount_id'"),
])
async def test_invalid_arguments(name: str, args: dict[str, Any], phrase: str, server, simulator) -> None:
    simulator.clear_requests()
    assert_failure(name, await call(server, name, args), "invalid_arguments", phrase)
    assert api_requests(simulator) == []


@pytest.mark.parametrize(("name", "read_only", "destructive"), [
    ("SMTP2GO_API_KEYS_ADD", False, False), ("SMTP2GO_API_KEYS_EDIT", False, False),
    ("SMTP2GO_API_KEYS_REMOVE", False, True), ("SMTP2GO_API_KEYS_PERMISSIONS", True, False),
    ("SMTP2GO_IP_AUTH_REMOVE", False, True), ("SMTP2GO_IP_ALLOW_LIST", False, False),
    ("SMTP2GO_DEDICATED_IPS_VIEW", True, False),
])
def test_hints(name: str, read_only: bool, destructive: bool) -> None:
    hints = hints_of(name)
    assert hints["readOnlyHint"] is read_only
    if not read_only:  # the spec gives destructiveHint no meaning on a read-only tool
        assert hints["destructiveHint"] is destructive


def test_descriptions_warn_where_it_matters() -> None:
    assert "SMTP2GO app" in TOOLS["SMTP2GO_API_KEYS_ADD"].description
    assert "lock out" in TOOLS["SMTP2GO_IP_ALLOW_LIST"].description
    assert "api_key" not in TOOLS["SMTP2GO_IP_ALLOW_LIST"].wire["inputSchema"]["properties"]
