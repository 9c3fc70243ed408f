"""Every way an SMTP2GO call can fail, on every tool, through a real MCP client.

Each failure must come back as a tool result (never a protocol error) with
isError, the envelope (validated against the tool's outputSchema) and a text
that tells the agent what to do; the API key must appear nowhere.
"""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from tests.conftest import API_TOOLS, LIMITED_KEY, TOOLS, UNKNOWN_KEY, api_requests, assert_failure, running_server, settings_for
from tests.tool_cases import CASES

ALL = sorted(API_TOOLS)


async def call(server: Any, name: str, args: dict[str, Any] | None = None) -> Any:
    async with server.client() as client:
        return await client.call_tool(name, CASES[name].args if args is None else args)


@pytest.mark.anyio
@pytest.mark.parametrize("name", ALL)
async def test_field_validation_error_names_the_field(name: str, server, simulator) -> None:
    simulator.fault(endpoint=CASES[name].endpoint, status=400, error_code="NON_VALIDATING_IN_PAYLOAD",
                    error="An error occurred processing the json data you sent with the request",
                    invalid_field=["sender", "The field 'sender' was expecting a valid RFC-822 formatted email field"])
    structured = assert_failure(name, await call(server, name), "E_ApiResponseCodes.NON_VALIDATING_IN_PAYLOAD",
                                "'sender'", "RFC-822", "correct `sender`")
    assert structured["request_id"]


@pytest.fixture(scope="module")
def unknown_key_server(simulator):
    with running_server(settings_for(simulator, api_key=UNKNOWN_KEY)) as srv:
        yield srv


@pytest.mark.anyio
@pytest.mark.parametrize("name", ALL)
async def test_invalid_key(name: str, unknown_key_server) -> None:
    assert_failure(name, await call(unknown_key_server, name), "E_ApiResponseCodes.API_KEY_INVALID",
                   "HTTP 401", "SMTP2GO_API_KEY")


@pytest.fixture(scope="module")
def limited_key_server(simulator):
    with running_server(settings_for(simulator, api_key=LIMITED_KEY)) as srv:
        yield srv


@pytest.mark.anyio
@pytest.mark.parametrize("name", ALL)
async def test_permission_denied_names_the_endpoint(name: str, limited_key_server, simulator) -> None:
    simulator.add_key(LIMITED_KEY, [])  # a key allowed no endpoint at all
    endpoint = CASES[name].endpoint
    if endpoint == "api_keys/permissions":  # "available to all API Keys"
        result = await call(limited_key_server, name)
        assert not result.is_error and result.structured_content["data"] == []
        return
    assert_failure(name, await call(limited_key_server, name), "E_ApiResponseCodes.ENDPOINT_PERMISSION_DENIED",
                   f"/{endpoint}", "Permissions")


@pytest.mark.anyio
async def test_wildcard_permissions(limited_key_server, simulator) -> None:
    simulator.add_key(LIMITED_KEY, ["/email/*"])
    scheduled = await call(limited_key_server, "SMTP2GO_EMAIL_SCHEDULED_SEARCH")
    assert not scheduled.is_error, scheduled.content
    assert_failure("SMTP2GO_STATS_EMAIL_CYCLE", await call(limited_key_server, "SMTP2GO_STATS_EMAIL_CYCLE"),
                   "E_ApiResponseCodes.ENDPOINT_PERMISSION_DENIED", "/stats/email_cycle")


@pytest.mark.anyio
@pytest.mark.parametrize("name", ALL)
async def test_rate_limited_says_when_to_retry(name: str, server, simulator) -> None:
    simulator.fault(endpoint=CASES[name].endpoint, status=429, headers={"Retry-After": "7"})
    assert_failure(name, await call(server, name), "E_ApiResponseCodes.REQ_LIMIT_EXCEEDED",
                   "HTTP 429", "Retry after 7 seconds")
    assert len(api_requests(simulator)) == 1  # a wait beyond the retry budget is left to the agent


@pytest.mark.anyio
async def test_rate_limit_without_a_wait_quotes_the_documented_limit(server, simulator) -> None:
    simulator.fault(endpoint="activity/search", status=429, body="empty", times=None)
    assert_failure("SMTP2GO_ACTIVITY_SEARCH", await call(server, "SMTP2GO_ACTIVITY_SEARCH"), "rate_limited",
                   "60 requests per minute", "backoff")
    assert len(api_requests(simulator)) == 3  # retried with backoff, then reported


@pytest.mark.anyio
async def test_rate_limit_reset_header_is_honoured(server, simulator) -> None:
    simulator.fault(endpoint="stats/email_cycle", status=429, headers={"X-RateLimit-Reset": "12"})
    assert_failure("SMTP2GO_STATS_EMAIL_CYCLE", await call(server, "SMTP2GO_STATS_EMAIL_CYCLE"),
                   "E_ApiResponseCodes.REQ_LIMIT_EXCEEDED", "Retry after 12 seconds")


def attempts_expected(name: str) -> int:
    """Reads are retried (twice, in these servers' settings); changes and sends go out once."""
    return 3 if TOOLS[name].hints.read_only else 1


@pytest.mark.anyio
@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize(("status", "body"), [(500, "json"), (502, "html"), (503, "text")])
async def test_server_errors(name: str, status: int, body: str, server, simulator) -> None:
    simulator.fault(endpoint=CASES[name].endpoint, status=status, body=body, times=None)
    code = "E_ApiResponseCodes.API_EXCEPTION" if body == "json" else "server_error"
    assert_failure(name, await call(server, name), code, f"HTTP {status}", "SMTP2GO's side", "try again")
    assert len(api_requests(simulator)) == attempts_expected(name)


@pytest.mark.anyio
@pytest.mark.parametrize("name", ALL)
async def test_a_passing_outage_is_retried_for_reads_only(name: str, server, simulator) -> None:
    created = (CASES[name].setup(simulator) if CASES[name].setup else None) or {}
    simulator.fault(endpoint=CASES[name].endpoint, status=503, body="text", times=1)
    simulator.clear_requests()
    result = await call(server, name, {**CASES[name].args, **created})
    if TOOLS[name].hints.read_only:
        assert not result.is_error, result.content
        assert len(api_requests(simulator)) == 2
    else:
        assert_failure(name, result, "server_error", "HTTP 503")
        assert len(api_requests(simulator)) == 1


@pytest.mark.anyio
@pytest.mark.parametrize("name", ALL)
async def test_a_dropped_connection(name: str, server, simulator) -> None:
    created = (CASES[name].setup(simulator) if CASES[name].setup else None) or {}
    simulator.fault(endpoint=CASES[name].endpoint, status=200, body="reset", times=1)
    simulator.clear_requests()
    result = await call(server, name, {**CASES[name].args, **created})
    if TOOLS[name].hints.read_only:
        assert not result.is_error, result.content  # retried, and the retry got through
        assert len(api_requests(simulator)) == 2
    else:
        # The request went out and the answer was lost: it may have taken effect.
        assert_failure(name, result, "outcome_unknown", "may or may not have", "check")
        assert len(api_requests(simulator)) == 1


@pytest.fixture(scope="module")
def patient_server(simulator):
    with running_server(settings_for(simulator, retry_budget=5.0)) as srv:
        yield srv


@pytest.mark.anyio
async def test_retry_after_is_honoured(patient_server, simulator) -> None:
    simulator.fault(endpoint="stats/email_cycle", status=429, headers={"Retry-After": "1"}, times=1)
    started = time.monotonic()
    result = await call(patient_server, "SMTP2GO_STATS_EMAIL_CYCLE")
    assert not result.is_error
    assert time.monotonic() - started >= 1.0  # it waited as told before trying again
    assert len(api_requests(simulator)) == 2


@pytest.mark.anyio
@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("body", ["html", "truncated", "empty"])
async def test_unusable_200_bodies(name: str, body: str, server, simulator) -> None:
    simulator.fault(endpoint=CASES[name].endpoint, status=200, body=body)
    assert_failure(name, await call(server, name), "bad_response", "HTTP 200")


@pytest.mark.anyio
async def test_html_body_is_described(server, simulator) -> None:
    simulator.fault(endpoint="template/view", status=200, body="html")
    assert_failure("SMTP2GO_TEMPLATE_VIEW", await call(server, "SMTP2GO_TEMPLATE_VIEW"), "bad_response",
                   "non-JSON body (text/html", "proxy or an outage page")


@pytest.mark.anyio
@pytest.mark.parametrize("name", ALL)
async def test_timeout(name: str, impatient_server, simulator) -> None:
    simulator.fault(endpoint=CASES[name].endpoint, status=200, delay=1.5)
    if TOOLS[name].kind == "send":
        # The request went out: the email may have been accepted, so this is not a plain failure.
        assert_failure(name, await call(impatient_server, name), "outcome_unknown", "may or may not have been accepted",
                       "Do not send again yet", "check SMTP2GO_")
    elif TOOLS[name].hints.read_only:
        assert_failure(name, await call(impatient_server, name), "timeout", "did not answer", "within 0.5 s")
    else:
        assert_failure(name, await call(impatient_server, name), "outcome_unknown", "may or may not have been made",
                       "Do not repeat it yet")


@pytest.fixture(scope="module")
def unreachable_server(simulator):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before use: nothing listens there
    with running_server(settings_for(simulator, api_url=f"http://127.0.0.1:{port}/v3")) as srv:
        yield srv


@pytest.mark.anyio
@pytest.mark.parametrize("name", ALL)
async def test_connection_refused(name: str, unreachable_server) -> None:
    assert_failure(name, await call(unreachable_server, name), "connection_error",
                   "Could not reach SMTP2GO", "SMTP2GO_API_URL")


@pytest.fixture(scope="module")
def keyless_server(simulator):
    with running_server(settings_for(simulator, api_key=None)) as srv:
        yield srv


@pytest.mark.anyio
async def test_keyless_server_still_lists_tools(keyless_server) -> None:
    async with keyless_server.client() as client:
        assert len((await client.list_tools()).tools) == len(TOOLS)


@pytest.mark.anyio
@pytest.mark.parametrize("name", ALL)
async def test_missing_api_key(name: str, keyless_server, simulator) -> None:
    simulator.clear_requests()
    assert_failure(name, await call(keyless_server, name), "missing_api_key", "SMTP2GO_API_KEY", "--sandbox")
    assert api_requests(simulator) == []


@pytest.mark.anyio
@pytest.mark.parametrize("name", ALL)
async def test_unknown_argument_is_refused_locally(name: str, server, simulator) -> None:
    simulator.clear_requests()
    args = {**CASES[name].args, "offset": 20}
    assert_failure(name, await call(server, name, args), "invalid_arguments",
                   "unknown argument 'offset'", "continue_token", "Nothing was sent")
    assert api_requests(simulator) == []


INVALID = [
    ("SMTP2GO_ACTIVITY_SEARCH", {"limit": 5000}, "'limit': Input should be less than or equal to 1000"),
    ("SMTP2GO_ACTIVITY_SEARCH", {"event_types": ["bounced"]}, "'event_types.0'"),
    ("SMTP2GO_ACTIVITY_SEARCH", {"start_date": "last tuesday"}, "'start_date'"),
    ("SMTP2GO_WEBHOOK_REMOVE", {"id": "abc"}, "'id': Input should be a valid integer"),
    ("SMTP2GO_WEBHOOK_ADD", {"url": "ftp://files.example.com"}, "'url'"),
    ("SMTP2GO_WEBHOOK_ADD", {"webhook_url": "https://x.example"}, "the webhook's address field is `url`"),
    ("SMTP2GO_ALLOWED_SENDERS_UPDATE", {"allowed_senders": ["a@example.com"]}, "'mode' is required"),
    ("SMTP2GO_ALLOWED_SENDERS_ADD", {"allowed_senders": ["not an address"]}, "neither an email address nor a domain"),
    ("SMTP2GO_IP_ALLOW_LIST_ADD", {"ip_address": "999.1.1.1"}, "not an IPv4 or IPv6 address"),
    ("SMTP2GO_TEMPLATE_VIEW", {"template_id": "welcome-email"}, "templates are identified by `id`"),
    ("SMTP2GO_USERS_SMTP_ADD", {"username": "abc"}, "'username': String should have at least 5 characters"),
    ("SMTP2GO_SUPPRESSION_ADD", {"email_address": "a@b.example\r\nBcc: x@y.example"}, "line breaks"),
    ("SMTP2GO_STATS_EMAIL_CYCLE", {"date_from": "2026-01-01"}, "unknown argument 'date_from'"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("name", "args", "phrase"), INVALID)
async def test_invalid_arguments_name_the_field(name: str, args: dict[str, Any], phrase: str, server,
                                                simulator) -> None:
    simulator.clear_requests()
    assert_failure(name, await call(server, name, args), "invalid_arguments", phrase)
    assert api_requests(simulator) == []


@pytest.mark.anyio
async def test_api_exception_from_the_account_state(server, simulator) -> None:
    """A real (not injected) refusal: the template does not exist."""
    result = await call(server, "SMTP2GO_TEMPLATE_VIEW", {"id": "no-such-template"})
    assert_failure("SMTP2GO_TEMPLATE_VIEW", result, "E_ApiResponseCodes.API_EXCEPTION",
                   "No template with the id 'no-such-template' exists")


@pytest.mark.anyio
async def test_null_arguments_mean_absent(server, simulator) -> None:
    result = await call(server, "SMTP2GO_ACTIVITY_SEARCH", {"start_date": None, "search": None, "limit": 2})
    assert not result.is_error
    [request] = api_requests(simulator)
    assert request["body"] == {"limit": 2}


@pytest.mark.anyio
async def test_unknown_tool_is_a_protocol_error(server) -> None:
    from mcp import MCPError

    async with server.client() as client:
        with pytest.raises(MCPError, match="Unknown tool"):
            await client.call_tool("SMTP2GO_NOPE", {})


# The remaining documented statuses (reference §1.5), on a read, a change and a send: each is reported with
# what it means and is not retried (a 4xx will not change by asking again).
@pytest.mark.anyio
@pytest.mark.parametrize("name", ["SMTP2GO_TEMPLATE_VIEW", "SMTP2GO_WEBHOOK_ADD", "SMTP2GO_EMAIL_SEND"])
@pytest.mark.parametrize(("status", "error_code", "phrases"), [
    (402, "E_ApiResponseCodes.API_EXCEPTION", ("HTTP 402", "Your account has no credit left")),
    (403, "E_ApiResponseCodes.ENDPOINT_PERMISSION_DENIED", ("Permissions",)),
    (404, "E_ApiResponseCodes.NOT_FOUND", ("HTTP 404", "does not exist")),
])
async def test_other_documented_statuses(name: str, status: int, error_code: str, phrases: tuple[str, ...],
                                         server, simulator) -> None:
    messages = {402: "Your account has no credit left", 403: "No permission", 404: "Not found"}
    codes = {402: "API_EXCEPTION", 403: "ENDPOINT_PERMISSION_DENIED", 404: None}
    simulator.fault(endpoint=CASES[name].endpoint, status=status, error_code=codes[status], error=messages[status],
                    times=None)
    assert_failure(name, await call(server, name), error_code, *phrases)
    assert len(api_requests(simulator)) == 1


@pytest.mark.anyio
async def test_a_404_page_without_an_api_body(server, simulator) -> None:
    simulator.fault(endpoint="template/view", status=404, body="html")
    assert_failure("SMTP2GO_TEMPLATE_VIEW", await call(server, "SMTP2GO_TEMPLATE_VIEW"), "not_found", "HTTP 404")
