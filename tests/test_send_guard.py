"""Idempotency keys, the duplicate window and the send policy, through a real MCP client."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from smtp2go_mcp.config import ConfigError, Settings
from smtp2go_mcp.sendguard import SendPolicy
from smtp2go_mcp.smtp.profiles import SmtpProfile
from tests.conftest import api_requests, assert_failure, assert_matches_output_schema, running_server, settings_for
from tests.smtp_servers import SmtpServer

SEND = "SMTP2GO_EMAIL_SEND"
EMAIL = {"sender": "orders@example.com", "to": ["jo@customer.example"], "subject": "Order 1042", "text_body": "Shipped."}
SMTP_EMAIL = {"to": ["jo@customer.example"], "subject": "Order 1042", "text_body": "Shipped."}


@pytest.fixture
def relay() -> Iterator[SmtpServer]:
    with SmtpServer("plain", auth=False) as server:
        yield server


@contextlib.contextmanager
def guarded_server(simulator: Any, data_dir: Path, relay: SmtpServer | None = None, **policy: Any) -> Iterator[Any]:
    smtp = {}
    if relay is not None:
        smtp = {"smtp_default": SmtpProfile(name="default", host="127.0.0.1", port=relay.port, security="none",
                                            from_address="orders@example.com", source="default")}
    settings = settings_for(simulator, data_dir=data_dir, send_policy=SendPolicy(**policy), **smtp)
    with running_server(settings) as server:
        yield server


async def call(server: Any, name: str, args: dict[str, Any]) -> Any:
    async with server.client() as client:
        result = await client.call_tool(name, args)
    assert_matches_output_schema(name, result.structured_content)
    return result.structured_content


def sends(simulator: Any) -> list[dict[str, Any]]:
    return [r for r in api_requests(simulator) if r["endpoint"].startswith("email/")]


@pytest.mark.anyio
async def test_an_idempotency_key_sends_once(simulator, tmp_path) -> None:
    with guarded_server(simulator, tmp_path, duplicate_window=0) as server:
        first = await call(server, SEND, {**EMAIL, "idempotency_key": "order-1042-shipped"})
        again = await call(server, SEND, {**EMAIL, "idempotency_key": "order-1042-shipped"})
    assert first["successful"] and first["duplicate"] is False
    assert again["successful"] and again["duplicate"] is True
    assert again["data"]["email_id"] == first["data"]["email_id"] and again["request_id"] == first["request_id"]
    assert len(sends(simulator)) == 1
    assert "idempotency_key" not in sends(simulator)[0]["body"]  # ours, never SMTP2GO's


@pytest.mark.anyio
async def test_a_key_reused_for_another_message_is_refused(simulator, tmp_path) -> None:
    with guarded_server(simulator, tmp_path) as server:
        await call(server, SEND, {**EMAIL, "idempotency_key": "k1"})
        other = await call(server, SEND, {**EMAIL, "subject": "Something else", "idempotency_key": "k1"})
    assert other["error_code"] == "idempotency_key_reused" and "nothing was sent" in other["error"]
    assert len(sends(simulator)) == 1


@pytest.mark.anyio
async def test_an_identical_message_within_the_window_is_a_duplicate(simulator, tmp_path) -> None:
    with guarded_server(simulator, tmp_path, duplicate_window=600) as server:
        first = await call(server, SEND, EMAIL)
        again = await call(server, SEND, {**EMAIL, "to": ["JO@customer.example"]})  # same address, other case
        different = await call(server, SEND, {**EMAIL, "text_body": "Shipped today."})
    assert again["duplicate"] is True and again["data"] == first["data"]
    assert different["duplicate"] is False and different["data"]["email_id"] != first["data"]["email_id"]
    assert len(sends(simulator)) == 2


@pytest.mark.anyio
async def test_the_record_survives_a_restart(simulator, tmp_path) -> None:
    with guarded_server(simulator, tmp_path) as server:
        first = await call(server, SEND, {**EMAIL, "idempotency_key": "restart-1"})
    with guarded_server(simulator, tmp_path) as restarted:
        again = await call(restarted, SEND, {**EMAIL, "idempotency_key": "restart-1"})
    assert again["duplicate"] is True and again["data"]["email_id"] == first["data"]["email_id"]
    assert len(sends(simulator)) == 1


@pytest.mark.anyio
async def test_a_send_that_certainly_failed_can_be_repeated(simulator, tmp_path) -> None:
    with guarded_server(simulator, tmp_path) as server:
        simulator.fault(endpoint="email/send", status=503, body="text")
        failed = await call(server, SEND, {**EMAIL, "idempotency_key": "after-outage"})
        retried = await call(server, SEND, {**EMAIL, "idempotency_key": "after-outage"})
    assert failed["error_code"] == "server_error" and retried["successful"] and retried["duplicate"] is False
    assert len(sends(simulator)) == 2


@pytest.mark.anyio
async def test_an_unknown_outcome_is_not_sent_again(simulator, tmp_path) -> None:
    with guarded_server(simulator, tmp_path) as server:
        simulator.fault(endpoint="email/send", status=200, body="reset")
        lost = await call(server, SEND, {**EMAIL, "idempotency_key": "lost-answer"})
        again = await call(server, SEND, {**EMAIL, "idempotency_key": "lost-answer"})
    assert lost["error_code"] == "outcome_unknown" and lost["duplicate"] is False
    assert again["error_code"] == "outcome_unknown" and again["duplicate"] is True
    assert len(sends(simulator)) == 1


@pytest.mark.anyio
async def test_concurrent_identical_sends_go_out_once(simulator, tmp_path) -> None:
    with guarded_server(simulator, tmp_path, duplicate_window=600) as server:
        simulator.fault(endpoint="email/send", status=200, delay=0.5, data={"succeeded": 1, "failed": 0,
                                                                             "failures": [], "email_id": "1a2b3c"})
        results: list[dict[str, Any]] = []

        async def one() -> None:
            results.append(await call(server, SEND, EMAIL))

        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(one)
    assert len(sends(simulator)) == 1
    outcomes = sorted((r["successful"], r.get("error_code"), r["duplicate"]) for r in results)
    assert outcomes.count((True, None, False)) == 1
    assert all(o in ((False, "send_in_progress", False), (True, None, True), (True, None, False)) for o in outcomes)


@pytest.mark.anyio
async def test_batches_and_smtp_sends_are_guarded_too(simulator, relay, tmp_path) -> None:
    batch = {"emails": [EMAIL, {**EMAIL, "to": ["sam@customer.example"]}], "idempotency_key": "batch-7"}
    with guarded_server(simulator, tmp_path, relay) as server:
        assert (await call(server, "SMTP2GO_EMAIL_BATCH", batch))["duplicate"] is False
        assert (await call(server, "SMTP2GO_EMAIL_BATCH", batch))["duplicate"] is True
        mime = {"mime_email": "From: orders@example.com\nTo: jo@customer.example\nSubject: M\n\nBody\n"}
        assert (await call(server, "SMTP2GO_EMAIL_MIME", mime))["duplicate"] is False
        assert (await call(server, "SMTP2GO_EMAIL_MIME", mime))["duplicate"] is True
        first = await call(server, "SMTP_SEND_EMAIL", SMTP_EMAIL)
        again = await call(server, "SMTP_SEND_EMAIL", SMTP_EMAIL)
        messages = [{"to": ["a@customer.example"], "subject": "A", "text_body": "a"}]
        assert (await call(server, "SMTP_SEND_BATCH", {"messages": messages}))["duplicate"] is False
        assert (await call(server, "SMTP_SEND_BATCH", {"messages": messages}))["duplicate"] is True
        preview = await call(server, "SMTP_SEND_EMAIL", {**SMTP_EMAIL, "dry_run": True})
    assert first["duplicate"] is False and again["duplicate"] is True and again["message_id"] == first["message_id"]
    assert preview["successful"] and preview["dry_run"]  # a dry run sends nothing, so it is never a duplicate
    assert [len(r["body"].get("emails", [1])) for r in sends(simulator)] == [2, 1]
    assert len(relay.messages) == 2


@pytest.mark.anyio
@pytest.mark.parametrize(("policy", "args", "phrase"), [
    ({"allowed_recipients": ("customer.example",)}, {**EMAIL, "cc": ["boss@elsewhere.example"]},
     "boss@elsewhere.example is not among the allowed recipients (customer.example)"),
    ({"allowed_recipients": ("ap@customer.example", "example.com")}, EMAIL,
     "jo@customer.example is not among the allowed recipients"),
    ({"allowed_senders": ("billing@example.com",)}, EMAIL, "the sender orders@example.com is not allowed"),
    ({"max_recipients": 2}, {**EMAIL, "bcc": ["a@customer.example", "b@customer.example"]},
     "3 recipients exceed the limit of 2 per message"),
])
async def test_policy_violations(policy: dict[str, Any], args: dict[str, Any], phrase: str, simulator, tmp_path) -> None:
    with guarded_server(simulator, tmp_path, **policy) as server:
        async with server.client() as client:
            result = await client.call_tool(SEND, args)
    structured = assert_failure(SEND, result, "policy_violation", phrase, "Nothing was sent")
    assert structured["duplicate"] is False
    assert sends(simulator) == []


@pytest.mark.anyio
async def test_subdomains_of_an_allowed_domain_are_allowed(simulator, tmp_path) -> None:
    with guarded_server(simulator, tmp_path, allowed_recipients=("customer.example",)) as server:
        assert (await call(server, SEND, {**EMAIL, "to": ["jo@eu.customer.example"]}))["successful"]


@pytest.mark.anyio
async def test_sends_per_hour_count_every_message_and_survive_restarts(simulator, relay, tmp_path) -> None:
    with guarded_server(simulator, tmp_path, relay, max_sends_per_hour=3, duplicate_window=0) as server:
        assert (await call(server, "SMTP2GO_EMAIL_BATCH", {"emails": [EMAIL, EMAIL]}))["successful"]
        assert (await call(server, "SMTP_SEND_EMAIL", SMTP_EMAIL))["successful"]
    with guarded_server(simulator, tmp_path, relay, max_sends_per_hour=3, duplicate_window=0) as restarted:
        refused = await call(restarted, SEND, EMAIL)
    assert refused["error_code"] == "policy_violation"
    assert "the limit is 3 messages per hour and 3 were sent in the last hour" in refused["error"]
    assert len(relay.messages) == 1 and len(sends(simulator)) == 1


def test_policy_from_environment_and_config_file(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[policy]\nallowed_recipients = ["example.com"]\nmax_recipients = 10\nduplicate_window = 60\n')
    policy = Settings.load({"SMTP2GO_MCP_CONFIG": str(config), "SMTP2GO_MCP_MAX_SENDS_PER_HOUR": "100",
                            "SMTP2GO_MCP_ALLOWED_SENDERS": "billing@example.com, example.org"}).send_policy
    assert policy == SendPolicy(allowed_senders=("billing@example.com", "example.org"),
                                allowed_recipients=("example.com",), max_recipients=10, max_sends_per_hour=100,
                                duplicate_window=60)
    assert Settings.load({}).send_policy == SendPolicy()  # no limits, a 10-minute duplicate window
    assert Settings.load({"SMTP2GO_MCP_DUPLICATE_WINDOW": "0"}).send_policy.duplicate_window == 0
    for bad in ({"SMTP2GO_MCP_MAX_RECIPIENTS": "-1"}, {"SMTP2GO_MCP_DUPLICATE_WINDOW": "soon"}):
        with pytest.raises(ConfigError):
            Settings.load(bad)
