"""Hostile input on the send tools: header injection, oversized input, servers that never answer."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smtp2go_mcp.config import Settings
from smtp2go_mcp.sendguard import SendPolicy
from smtp2go_mcp.smtp.profiles import SmtpProfile
from tests.conftest import ATTACHMENT_DIR, api_requests, assert_failure, running_server, call
from tests.smtp_servers import ScriptedServer, SmtpServer

INJECTION = "\r\nBcc: evil@attacker.example"
API_EMAIL = {"sender": "orders@example.com", "to": ["jo@customer.example"], "subject": "Hi", "text_body": "x"}
SMTP_EMAIL = {"to": ["jo@customer.example"], "subject": "Hi", "text_body": "x"}

# Every argument that ends up in a header, and how to put the injection into it.
API_HEADER_FIELDS: dict[str, Any] = {
    "sender": lambda v: {"sender": "orders@example.com" + v},
    "to": lambda v: {"to": ["jo@customer.example" + v]},
    "cc": lambda v: {"cc": ["sam@customer.example" + v]},
    "bcc": lambda v: {"bcc": ["audit@customer.example" + v]},
    "subject": lambda v: {"subject": "Hi" + v},
    "custom_headers.0.value": lambda v: {"custom_headers": [{"header": "X-Id", "value": "1" + v}]},
    "custom_headers.0.header": lambda v: {"custom_headers": [{"header": "X-Id" + v, "value": "1"}]},
    "attachments.0.filename": lambda v: {"attachments": [{"filename": "a.txt" + v, "fileblob": "aGk="}]},
}
SMTP_HEADER_FIELDS: dict[str, Any] = {
    "from": lambda v: {"from": "Orders <orders@example.com>" + v},
    "to": lambda v: {"to": ["jo@customer.example" + v]},
    "cc": lambda v: {"cc": ["sam@customer.example" + v]},
    "bcc": lambda v: {"bcc": ["audit@customer.example" + v]},
    "reply_to": lambda v: {"reply_to": ["help@example.com" + v]},
    "subject": lambda v: {"subject": "Hi" + v},
    "in_reply_to": lambda v: {"in_reply_to": "<a@example.com>" + v},
    "references": lambda v: {"references": ["<a@example.com>" + v]},
    "custom_headers.0.value": lambda v: {"custom_headers": [{"name": "X-Id", "value": "1" + v}]},
    "custom_headers.0.name": lambda v: {"custom_headers": [{"name": "X-Id" + v, "value": "1"}]},
    "attachments.0.filename": lambda v: {"attachments": [{"content_base64": "aGk=", "filename": "a.txt" + v}]},
    "attachments.0.content_id": lambda v: {"attachments": [{"content_base64": "aGk=", "filename": "a.png",
                                                            "content_id": "logo" + v}]},
}


@pytest.fixture(scope="module")
def smtp_servers() -> Iterator[dict[str, Any]]:
    with SmtpServer("plain", auth=False) as relay, ScriptedServer("hang") as hang:
        yield {"relay": relay, "hang": hang}


@pytest.fixture(scope="module")
def server(simulator, smtp_servers, tmp_path_factory) -> Iterator[Any]:
    relay, hang = smtp_servers["relay"], smtp_servers["hang"]
    settings = Settings(
        api_url=simulator.api_url, api_key="api-5A4D80C5E5D34B6A8B1F0C2D3E4F5A6B", transport="streamable-http",
        smtp_default=SmtpProfile(name="default", host="127.0.0.1", port=relay.port, security="none",
                                 from_address="orders@example.com", source="default"),
        smtp_profiles={"hang": SmtpProfile(name="hang", host="127.0.0.1", port=hang.port, security="none",
                                           from_address="orders@example.com")},
        smtp_timeout=1.0, attachment_dirs=(ATTACHMENT_DIR,), data_dir=tmp_path_factory.mktemp("data"),
        send_policy=SendPolicy(duplicate_window=0), max_request_bytes=64 * 1024 * 1024)
    with running_server(settings) as srv:
        yield srv


@contextlib.contextmanager
def nothing_sent(simulator: Any, smtp_servers: dict[str, Any]) -> Iterator[None]:
    simulator.clear_requests()
    before = len(smtp_servers["relay"].messages)
    yield
    assert api_requests(simulator) == []
    assert len(smtp_servers["relay"].messages) == before


@pytest.mark.anyio
@pytest.mark.parametrize("field", sorted(API_HEADER_FIELDS))
@pytest.mark.parametrize("breaker", [INJECTION, "\nBcc: evil@attacker.example", "\rX: y", "\x00"])
async def test_api_send_header_injection(field: str, breaker: str, server, simulator, smtp_servers) -> None:
    with nothing_sent(simulator, smtp_servers):
        result = await call(server, "SMTP2GO_EMAIL_SEND", {**API_EMAIL, **API_HEADER_FIELDS[field](breaker)})
        assert_failure("SMTP2GO_EMAIL_SEND", result, "invalid_arguments", f"'{field}")


@pytest.mark.anyio
@pytest.mark.parametrize("field", sorted(SMTP_HEADER_FIELDS))
@pytest.mark.parametrize("breaker", [INJECTION, "\nBcc: evil@attacker.example", "\rX: y", "\x00"])
async def test_smtp_send_header_injection(field: str, breaker: str, server, simulator, smtp_servers) -> None:
    with nothing_sent(simulator, smtp_servers):
        result = await call(server, "SMTP_SEND_EMAIL", {**SMTP_EMAIL, **SMTP_HEADER_FIELDS[field](breaker)})
        assert_failure("SMTP_SEND_EMAIL", result, "invalid_arguments", f"'{field}")


@pytest.mark.anyio
@pytest.mark.parametrize(("name", "args", "phrase"), [
    ("SMTP2GO_EMAIL_SEND", {**API_EMAIL, "text_body": "x" * 10_000_001}, "'text_body': String should have at most"),
    ("SMTP2GO_EMAIL_SEND", {**API_EMAIL, "attachments": [{"filename": f"{i}.txt", "fileblob": "aGk="}
                                                         for i in range(51)]}, "'attachments': List should have at most 50"),
    ("SMTP2GO_EMAIL_BATCH", {"emails": [API_EMAIL] * 101}, "'emails': List should have at most 100"),
    ("SMTP_SEND_EMAIL", {**SMTP_EMAIL, "bcc": [f"r{i}@customer.example" for i in range(101)]},
     "'bcc': List should have at most 100"),
    ("SMTP_SEND_EMAIL", {**SMTP_EMAIL, "html_body": "<p>" * 3_400_000}, "'html_body': String should have at most"),
    ("SMTP_SEND_BATCH", {"messages": [SMTP_EMAIL] * 101}, "'messages': List should have at most 100"),
    ("SMTP_SEND_EMAIL", {**SMTP_EMAIL, "attachments": [{"path": "big.bin"}]}, "the limit is 20 MiB"),
    ("SMTP2GO_EMAIL_SEND", {**API_EMAIL, "attachments": [{"path": "big.bin"}]}, "the limit is 20 MiB"),
])
async def test_oversized_input_is_refused_with_its_limit(name: str, args: dict[str, Any], phrase: str, server,
                                                         simulator, smtp_servers) -> None:
    big = ATTACHMENT_DIR / "big.bin"
    if not big.exists():
        with big.open("wb") as file:
            file.truncate(21 * 1024 * 1024)
    with nothing_sent(simulator, smtp_servers):
        assert_failure(name, await call(server, name, args), "invalid_arguments", phrase, "Nothing was sent")


@pytest.mark.anyio
@pytest.mark.parametrize(("name", "args", "code"), [
    ("SMTP_TEST_CONNECTION", {"profile": "hang"}, "timeout"),
    ("SMTP_SEND_EMAIL", {**SMTP_EMAIL, "profile": "hang"}, "timeout"),
    ("SMTP_SEND_BATCH", {"profile": "hang", "messages": [SMTP_EMAIL, SMTP_EMAIL]}, "timeout"),
])
async def test_a_server_that_never_answers_times_out_everywhere(name: str, args: dict[str, Any], code: str,
                                                                server, smtp_servers) -> None:
    result = await call(server, name, args)
    structured = assert_failure(name, result, code, "did not answer within 1 s")
    if name == "SMTP_SEND_BATCH":
        assert structured["error"].startswith("None of the 2 messages was sent")
    if name == "SMTP_SEND_BATCH":  # no connection: both messages fail, neither is tried twice
        assert [r["error_code"] for r in structured["results"]] == ["timeout", "timeout"]


def test_big_files_are_sparse_here() -> None:
    # The 21 MiB file above is sparse (truncate), so the tests cost no real disk.
    path = Path(ATTACHMENT_DIR / "big.bin")
    if path.exists():
        assert os.stat(path).st_blocks * 512 < 1024 * 1024
