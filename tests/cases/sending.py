"""Success cases for sending, the scheduled queue and the archive."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from typing import Any

from tests.cases.base import Case, fail

RECEIPT = base64.b64encode(b"Receipt #1042: 2 x widgets, 19.90 EUR\n").decode()
MIME = "From: Orders <orders@example.com>\r\nTo: jo@customer.example\r\nSubject: Plain MIME\r\n\r\nHello from MIME.\r\n"


def in_a_day() -> str:
    return (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S +0000")


def _send(sim: Any, **extra: Any) -> dict[str, Any]:
    return sim.api("email/send", {"sender": "orders@example.com", "to": ["jo@customer.example"],
                                  "subject": "Order 1042 shipped", "text_body": "On its way.", **extra})


def _check_send(data: Any, sim: Any) -> None:
    assert data["succeeded"] == 1 and data["failed"] == 0 and data["failures"] == [] and data["email_id"]
    events = sim.api("activity/search", {"search_email_id": data["email_id"]})["events"]
    assert sorted(e["event"] for e in events) == ["delivered", "processed"]
    archived = sim.api("archive/email", {"email_id": data["email_id"]})
    assert archived["attachments"] == ["receipt.txt"] and archived["subject"] == "Your receipt"
    assert "Reply-To: help@example.com" in archived["headers"]


def _check_batch(data: Any, sim: Any) -> None:
    assert len(data) == 2 and all(item["email_id"] for item in data)
    rendered = sim.api("archive/email", {"email_id": data[1]["email_id"]})
    assert rendered["subject"] == "Invoice INV-7 is due on 1 Dec"


def _scheduled(sim: Any) -> dict[str, Any]:
    return {"schedule_id": _send(sim, schedule=in_a_day())["schedule_id"]}


def _archived(sim: Any) -> dict[str, Any]:
    return {"email_id": _send(sim)["email_id"]}


CASES: dict[str, Case] = {
    "SMTP2GO_EMAIL_SEND": Case(
        {"sender": "Orders <orders@example.com>", "to": ["Jo Bloggs <jo@customer.example>"], "subject": "Your receipt",
         "html_body": "<p>Thanks for your order.</p>", "text_body": "Thanks for your order.",
         "custom_headers": [{"header": "Reply-To", "value": "help@example.com"}],
         "attachments": [{"path": "receipt.txt"}]},
        "email/send",
        {"sender": "Orders <orders@example.com>", "to": ["Jo Bloggs <jo@customer.example>"], "subject": "Your receipt",
         "html_body": "<p>Thanks for your order.</p>", "text_body": "Thanks for your order.",
         "custom_headers": [{"header": "Reply-To", "value": "help@example.com"}],
         "attachments": [{"fileblob": RECEIPT, "filename": "receipt.txt", "mimetype": "text/plain"}]},
        _check_send),
    "SMTP2GO_EMAIL_MIME": Case(
        {"mime_email": MIME}, "email/mime", {"mime_email": base64.b64encode(MIME.encode()).decode()},
        lambda d, s: (d["succeeded"] == 1 and s.api("archive/email", {"email_id": d["email_id"]})["subject"]
                      == "Plain MIME") or fail(d)),
    "SMTP2GO_EMAIL_BATCH": Case(
        {"emails": [
            {"sender": "news@example.com", "to": ["a@customer.example"], "subject": "Hi A", "text_body": "Hello A"},
            {"sender": "billing@example.com", "to": ["ap@bigco.example"], "template_id": "invoice-reminder",
             "template_data": {"invoice_number": "INV-7", "due_date": "1 Dec"}}]},
        "email/batch",
        {"emails": [
            {"sender": "news@example.com", "to": ["a@customer.example"], "subject": "Hi A", "text_body": "Hello A"},
            {"sender": "billing@example.com", "to": ["ap@bigco.example"], "template_id": "invoice-reminder",
             "template_data": {"invoice_number": "INV-7", "due_date": "1 Dec"}}]},
        _check_batch),
    "SMTP2GO_EMAIL_SCHEDULED_SEARCH": Case(
        {"search_recipient": "jo@customer.example"}, "email/scheduled/search",
        {"search_recipient": "jo@customer.example", "limit": 1000},
        lambda d, s: (len(d) == 1 and d[0]["subject"] == "Order 1042 shipped" and d[0]["schedule_id"]) or fail(d),
        setup=lambda s: _scheduled(s) and None),
    "SMTP2GO_EMAIL_SCHEDULED_REMOVE": Case(
        {"schedule_id": "replaced-by-setup"}, "email/scheduled/remove", {"schedule_id": "replaced-by-setup"},
        lambda d, s: s.api("email/scheduled/search", {}) == [] or fail(d), setup=_scheduled),
    "SMTP2GO_ARCHIVE_SEARCH": Case(
        {"recipient": "jo@customer.example"}, "archive/search", {"recipient": "jo@customer.example", "limit": 5000},
        lambda d, s: (d["email_count"] == 1 and d["emails"][0]["subject"] == "Order 1042 shipped"
                      and d["emails"][0]["url"].endswith(".eml")) or fail(d),
        setup=lambda s: _archived(s) and None),
    "SMTP2GO_ARCHIVE_EMAIL": Case(
        {"email_id": "replaced-by-setup"}, "archive/email", {"email_id": "replaced-by-setup"},
        lambda d, s: (d["subject"] == "Order 1042 shipped" and d["envelope_from"] == "orders@example.com") or fail(d),
        setup=_archived),
}
