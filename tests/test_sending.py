"""Sending through a real MCP client: outcomes, scheduling, templates, attachments and local checks."""

from __future__ import annotations

import base64
import os
import time
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.policy import default
from typing import Any

import httpx2
import pytest

from tests.conftest import api_requests, assert_failure, ATTACHMENT_DIR, assert_matches_output_schema, call

SEND = "SMTP2GO_EMAIL_SEND"
BASIC = {"sender": "orders@example.com", "to": ["jo@customer.example"], "subject": "Hello", "text_body": "Hi Jo"}


def at(delta: timedelta) -> str:
    return (datetime.now(timezone.utc) + delta).isoformat()


@pytest.mark.anyio
async def test_unverified_sender_is_a_failure_with_the_api_data(server, simulator) -> None:
    result = await call(server, SEND, {**BASIC, "sender": "someone@unverified.example"})
    structured = assert_failure_keeping_data(result)
    assert structured["error_code"] == "send_failed"
    assert "unable to verify sender address someone@unverified.example" in structured["error"]
    assert "verified sender domain" in structured["error"]
    assert structured["data"]["failed"] == 1 and structured["data"]["failures"]


def assert_failure_keeping_data(result: Any) -> dict[str, Any]:
    assert result.is_error
    structured = result.structured_content
    assert_matches_output_schema(SEND, structured)
    assert structured["successful"] is False and structured["request_id"]
    return structured


@pytest.mark.anyio
async def test_a_200_with_failures_is_never_reported_as_success(server, simulator) -> None:
    simulator.fault(endpoint="email/send", status=200,
                    data={"succeeded": 0, "failed": 1, "failures": ["recipient domain has no MX"], "email_id": "1a-b"})
    structured = assert_failure_keeping_data(await call(server, SEND, BASIC))
    assert structured["error"] == "SMTP2GO did not send the email: recipient domain has no MX."


@pytest.mark.anyio
async def test_template_send_renders_variables(server, simulator) -> None:
    result = await call(server, SEND, {"sender": "billing@example.com", "to": ["ap@bigco.example"],
                                       "template_id": "invoice-reminder",
                                       "template_data": {"name": "Ann", "invoice_number": "INV-9", "amount": "€40",
                                                         "due_date": "3 Dec"}})
    assert not result.is_error, result.content
    archived = simulator.api("archive/email", {"email_id": result.structured_content["data"]["email_id"]})
    assert archived["subject"] == "Invoice INV-9 is due on 3 Dec"
    raw = httpx2.get(archived["url"]).content
    body = message_from_bytes(raw, policy=default).get_body(("plain",)).get_content()
    assert "Dear Ann, invoice INV-9 for €40 is due on 3 Dec." in body


@pytest.mark.anyio
async def test_schedule_search_and_cancel(server, simulator) -> None:
    sent = await call(server, SEND, {**BASIC, "schedule": at(timedelta(hours=20))})
    schedule_id = sent.structured_content["data"]["schedule_id"]
    found = await call(server, "SMTP2GO_EMAIL_SCHEDULED_SEARCH", {"schedule_id": schedule_id})
    assert [row["schedule_id"] for row in found.structured_content["data"]] == [schedule_id]
    cancelled = await call(server, "SMTP2GO_EMAIL_SCHEDULED_REMOVE", {"schedule_id": schedule_id})
    assert not cancelled.is_error, cancelled.content
    again = await call(server, "SMTP2GO_EMAIL_SCHEDULED_REMOVE", {"schedule_id": schedule_id})
    assert_failure("SMTP2GO_EMAIL_SCHEDULED_REMOVE", again, "E_ApiResponseCodes.API_EXCEPTION", "sent already")
    assert (await call(server, "SMTP2GO_EMAIL_SCHEDULED_SEARCH", {})).structured_content["data"] == []


@pytest.mark.anyio
async def test_a_scheduled_email_goes_out_when_due(server, simulator) -> None:
    sent = await call(server, SEND, {**BASIC, "subject": "Due soon", "schedule": at(timedelta(seconds=2))})
    email_id = sent.structured_content["data"]["email_id"]
    assert simulator.api("activity/search", {"search_email_id": email_id})["events"] == []
    time.sleep(2.5)
    events = simulator.api("activity/search", {"search_email_id": email_id})["events"]
    assert sorted(e["event"] for e in events) == ["delivered", "processed"]


@pytest.mark.anyio
@pytest.mark.parametrize(("schedule", "phrase"), [
    (at(timedelta(minutes=-5)), "must be in the future"),
    (at(timedelta(days=4)), "at most 3 days ahead"),
    ("2030-01-01T09:00:00", "give a time zone"),
    ("tomorrow morning", "ISO 8601"),
])
async def test_schedule_is_checked_locally(schedule: str, phrase: str, server, simulator) -> None:
    assert_failure(SEND, await call(server, SEND, {**BASIC, "schedule": schedule}), "invalid_arguments",
                   "'schedule'", phrase)
    assert api_requests(simulator) == []


@pytest.mark.anyio
async def test_fastaccept_returns_only_the_id(server, simulator) -> None:
    result = await call(server, SEND, {**BASIC, "fastaccept": True})
    assert not result.is_error
    assert list(result.structured_content["data"]) == ["email_id"]


@pytest.mark.anyio
async def test_suppressed_recipient_is_rejected_not_delivered(server, simulator) -> None:
    result = await call(server, SEND, {**BASIC, "to": ["gone@nowhere.example", "jo@customer.example"]})
    events = simulator.api("activity/search", {"search_email_id": result.structured_content["data"]["email_id"]})
    outcome = {e["recipient"]: e["event"] for e in events["events"] if e["event"] != "processed"}
    assert outcome == {"gone@nowhere.example": "rejected", "jo@customer.example": "delivered"}


@pytest.mark.anyio
async def test_bcc_is_not_in_the_message(server, simulator) -> None:
    result = await call(server, SEND, {**BASIC, "bcc": ["audit@example.com"]})
    archived = simulator.api("archive/email", {"email_id": result.structured_content["data"]["email_id"]})
    message = message_from_bytes(httpx2.get(archived["url"]).content)
    assert message["Bcc"] is None and message["To"] == "jo@customer.example"


INVALID_SENDS = [
    ({"custom_headers": [{"header": "Content-Type", "value": "text/plain"}]}, "'custom_headers.0.header'"),
    ({"custom_headers": [{"header": "X-Id", "value": "a\r\nBcc: evil@example.net"}]}, "line breaks"),
    ({"custom_headers": [{"header": "Bad Name", "value": "x"}]}, "'custom_headers.0.header'"),
    ({"to": []}, "'to': List should have at least 1 item"),
    ({"to": [f"r{i}@example.org" for i in range(101)]}, "'to': List should have at most 100 items"),
    ({"sender": "not-an-address"}, "'sender'"),
    ({"subject": None}, "subject is required"),
    ({"text_body": None}, "give html_body and/or text_body"),
    ({"template_id": "welcome-email"}, "leave out subject, text_body"),
    ({"attachments": [{"filename": "a.txt"}]}, "exactly one of fileblob, url or path"),
    ({"attachments": [{"fileblob": "aGk="}]}, "filename is required with fileblob"),
    ({"attachments": [{"filename": "a.txt", "fileblob": "not base64!"}]}, "'attachments.0.fileblob' is not valid base64"),
    ({"attachments": [{"url": "file:///etc/passwd", "filename": "p"}]}, "'attachments.0.url'"),
    ({"attachments": [{"path": "/etc/passwd"}]}, "outside the directories allowed"),
    ({"attachments": [{"path": "../../../etc/passwd"}]}, "outside the directories allowed"),
    ({"attachments": [{"path": "missing.pdf"}]}, "no such file"),
    ({"inlines": [{"path": "."}]}, "not a regular file"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("change", "phrase"), INVALID_SENDS)
async def test_bad_sends_never_reach_the_api(change: dict[str, Any], phrase: str, server, simulator) -> None:
    args = {k: v for k, v in {**BASIC, **change}.items() if v is not None}
    assert_failure(SEND, await call(server, SEND, args), "invalid_arguments", phrase, "Nothing was sent")
    assert api_requests(simulator) == []


@pytest.mark.anyio
async def test_a_symlink_out_of_the_allowed_directory_is_refused(server, simulator) -> None:
    link = ATTACHMENT_DIR / "innocent.txt"
    if not link.exists():
        os.symlink("/etc/hostname", link)
    result = await call(server, SEND, {**BASIC, "attachments": [{"path": "innocent.txt"}]})
    assert_failure(SEND, result, "invalid_arguments", "outside the directories allowed")
    assert api_requests(simulator) == []


@pytest.fixture(scope="module")
def no_attachments_server(simulator):
    from tests.conftest import running_server, settings_for

    with running_server(settings_for(simulator, attachment_dirs=())) as srv:
        yield srv


@pytest.mark.anyio
async def test_local_files_are_off_unless_allowed(no_attachments_server, simulator) -> None:
    result = await call(no_attachments_server, SEND, {**BASIC, "attachments": [{"path": "receipt.txt"}]})
    assert_failure(SEND, result, "invalid_arguments", "turned off", "SMTP2GO_MCP_ATTACHMENT_DIRS")
    assert api_requests(simulator) == []


@pytest.mark.anyio
async def test_attachments_by_url_and_inline_reach_the_api(server, simulator) -> None:
    args = {**BASIC, "html_body": "<img src=\"cid:logo.png\">",
            "attachments": [{"url": "https://files.example.com/docs/terms.pdf?v=2"}],
            "inlines": [{"filename": "logo.png", "fileblob": base64.b64encode(b"\x89PNG").decode()}]}
    result = await call(server, SEND, args)
    assert not result.is_error, result.content
    [request] = api_requests(simulator)
    assert request["body"]["attachments"] == [{"url": "https://files.example.com/docs/terms.pdf?v=2",
                                               "filename": "terms.pdf", "mimetype": "application/pdf"}]
    assert request["body"]["inlines"] == [{"filename": "logo.png", "fileblob": "iVBORw==", "mimetype": "image/png"}]


@pytest.mark.anyio
async def test_batch_reports_which_emails_failed(server, simulator) -> None:
    result = await call(server, "SMTP2GO_EMAIL_BATCH", {"emails": [BASIC, {**BASIC, "sender": "x@unverified.example"}]})
    assert result.is_error
    structured = result.structured_content
    assert_matches_output_schema("SMTP2GO_EMAIL_BATCH", structured)
    assert structured["error_code"] == "send_failed"
    assert structured["error"].startswith("1 of 2 emails were not sent (emails.1: unable to verify sender")
    assert structured["data"][0]["email_id"] and structured["data"][1]["failed"] == 1


@pytest.mark.anyio
async def test_batch_names_the_bad_email(server, simulator) -> None:
    result = await call(server, "SMTP2GO_EMAIL_BATCH", {"emails": [BASIC, {**BASIC, "to": ["nope"]}]})
    assert_failure("SMTP2GO_EMAIL_BATCH", result, "invalid_arguments", "'emails.1.to.0'")
    assert api_requests(simulator) == []


@pytest.mark.anyio
async def test_mime_accepts_text_or_base64_and_checks_headers(server, simulator) -> None:
    text = "From: orders@example.com\nTo: jo@customer.example\nSubject: M\n\nBody\n"
    for given in (text, base64.b64encode(text.encode()).decode()):
        result = await call(server, "SMTP2GO_EMAIL_MIME", {"mime_email": given})
        assert not result.is_error, result.content
    sent = [base64.b64decode(r["body"]["mime_email"]).decode() for r in api_requests(simulator)]
    assert sent == [text, text]
    bad = await call(server, "SMTP2GO_EMAIL_MIME", {"mime_email": "Subject: no sender\n\nhi"})
    assert_failure("SMTP2GO_EMAIL_MIME", bad, "invalid_arguments", "no From header")
