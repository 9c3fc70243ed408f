"""Live delivery events: webhook posts parsed, stored and received, and the whole loop through a real MCP client.

The loop is the real one: our server's HTTP app (MCP + the webhook receiver, composed by app.http_app) on a
socket, the simulator posting webhooks to it over HTTP for the mail it "sends", and `mcp.Client` asking
SMTP2GO_EVENTS_RECENT what happened.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from smtp2go_mcp import mcp_server
from smtp2go_mcp.app import http_app
from smtp2go_mcp.events import WEBHOOK_SECRET_PLACEHOLDER, EventStore
from smtp2go_mcp.events.payload import MalformedPost, parse_post
from smtp2go_mcp.events.receiver import MaskWebhookPaths, WebhookDispatcher, WebhookReceiver
from smtp2go_mcp.http_server import ThreadedServer
from smtp2go_mcp.runtime import Runtime
from tests.conftest import TOOLS, ClosingRuntime, assert_matches_output_schema, settings_for, text_of
from tests.processes import COMMAND, clean_env, free_port

SECRET = "hook-secret-0123456789abcdef"
RECENT = "SMTP2GO_EVENTS_RECENT"
FORM = "application/x-www-form-urlencoded"
DELIVERED = {"srchost": "146.70.170.30", "email_id": "1vomg2-abc123", "event": "delivered",
             "time": "2026-02-07T18:05:06Z", "rcpt": "User@Example.com", "sender": "noreply@alos.app",
             "host": "mail.protonmail.ch [176.119.200.128]", "context": "Unavailable",
             "message": "250 2.0.0 Ok: 2788 bytes queued as 4f7f4b3tWbzKy", "sendtime": "2026-02-07T18:05:06.215451+00:00"}
PROCESSED = {"srchost": "146.70.170.30", "email_id": "1vomg2-abc123", "event": "processed", "time": "2026-02-07T18:05:02Z",
             "sender": "noreply@example.com", "recipients": ["user@example.com", "user2@example.com"],
             "sendtime": "2026-02-07T18:05:02.199324+00:00"}


# --- parsing -----------------------------------------------------------------------------------

def test_json_object_and_list() -> None:
    [delivered] = parse_post(json.dumps(DELIVERED).encode(), "application/json")
    assert (delivered.event, delivered.raw_event, delivered.kind) == ("delivered", "delivered", "email")
    assert delivered.time == datetime(2026, 2, 7, 18, 5, 6, tzinfo=timezone.utc)
    assert delivered.email_id == "1vomg2-abc123" and delivered.rcpt_key == "user@example.com"
    assert delivered.payload["host"].startswith("mail.protonmail.ch")
    # processed names every recipient and no rcpt: one record per recipient.
    events = parse_post(json.dumps([PROCESSED, DELIVERED]).encode(), "application/json; charset=utf-8")
    assert [(e.event, e.rcpt) for e in events] == [("processed", "user@example.com"), ("processed", "user2@example.com"),
                                                   ("delivered", "User@Example.com")]


def test_form_posts_with_repeated_or_comma_separated_recipients() -> None:
    body = urlencode({**PROCESSED, "recipients": ["a@example.com", "b@example.com"]}, doseq=True).encode()
    assert [e.rcpt for e in parse_post(body, FORM)] == ["a@example.com", "b@example.com"]
    body = urlencode({**PROCESSED, "recipients": "a@example.com, b@example.com"}).encode()
    assert [e.rcpt for e in parse_post(body, FORM)] == ["a@example.com", "b@example.com"]
    bounce = urlencode({"event": "bounce", "bounce": "hard", "email_id": "x1", "rcpt": "gone@example.net",
                        "time": "2026-02-07T18:15:00Z", "message": "550 5.1.1 No such user"}).encode()
    [event] = parse_post(bounce, FORM)
    assert (event.event, event.bounce, event.payload["message"]) == ("bounce", "hard", "550 5.1.1 No such user")
    # No content type: the body says which it is.
    assert parse_post(bounce, None)[0].event == "bounce"
    assert parse_post(json.dumps(DELIVERED).encode(), "text/plain")[0].event == "delivered"


@pytest.mark.parametrize(("raw", "event", "bounce"), [
    ("opened", "open", None), ("clicked", "click", None), ("unsubscribed", "unsubscribe", None),
    ("spam_complaint", "spam", None), ("soft-bounced", "bounce", "soft"), ("hard-bounced", "bounce", "hard"),
    ("resubscribed", "resubscribe", None), ("rejected", "reject", None), ("Open", "open", None),
    ("some_future_event", "some_future_event", None),
])
def test_aliases_and_unknown_names(raw: str, event: str, bounce: str | None) -> None:
    [parsed] = parse_post(json.dumps({**DELIVERED, "event": raw}).encode(), "application/json")
    assert (parsed.event, parsed.raw_event, parsed.bounce) == (event, raw, bounce)


def test_sms_events_are_kept_as_sms() -> None:
    [sms] = parse_post(urlencode({"event": "sms_delivered", "destination_number": "+6421555013",
                                  "message_id": "8a3c1f0e"}).encode(), FORM)
    assert (sms.kind, sms.event, sms.rcpt, sms.email_id) == ("sms", "sms_delivered", "+6421555013", None)


@pytest.mark.parametrize(("body", "content_type", "problem"), [
    (b"", "application/json", "empty"), (b"{not json", "application/json", "not valid JSON"),
    (b'{"email_id": "x"}', "application/json", "no 'event'"), (b"[]", "application/json", "empty"),
    (b'[{"event": "open"}, 3]', "application/json", "item 2"), (b"\xff\xfe", FORM, "UTF-8"),
    (b"email_id=x&rcpt=a%40b.example", FORM, "no 'event'"), (b"hello", "text/plain", "no 'event'"),
    (b'{"event": ""}', "application/json", "no 'event'"),
])
def test_malformed_posts(body: bytes, content_type: str, problem: str) -> None:
    with pytest.raises(MalformedPost, match=problem):
        parse_post(body, content_type)


# --- the store ---------------------------------------------------------------------------------

def _events(email_id: str, n: int, event: str = "delivered") -> list[Any]:
    base = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    posts = [{**DELIVERED, "event": event, "email_id": email_id, "rcpt": f"r{i}@example.com",
              "time": (base + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")} for i in range(n)]
    return parse_post(json.dumps(posts).encode(), "application/json")


def test_store_keeps_the_newest_and_ignores_redeliveries(tmp_path: Path) -> None:
    store = EventStore(tmp_path, max_events=5)
    assert store.record(_events("e1", 4)).stored == 4
    again = store.record(_events("e1", 4))  # SMTP2GO retrying the same posts
    assert (again.stored, again.duplicates) == (0, 4)
    store.record(_events("e2", 3))
    kept = store.query(limit=100)
    assert len(kept) == 5
    # The two oldest arrivals went; the rest come newest first (by the event's time, then by arrival).
    assert [(e.email_id, e.rcpt) for e in kept] == [("e1", "r3@example.com"), ("e2", "r2@example.com"),
                                                    ("e1", "r2@example.com"), ("e2", "r1@example.com"),
                                                    ("e2", "r0@example.com")]
    counts = EventStore(tmp_path).counts()  # persisted: another instance (or process) sees the same
    assert (counts.accepted_posts, counts.accepted_events, counts.duplicate_events) == (3, 11, 4)
    assert counts.last_post_at is not None and counts.rejected_unauthorized == 0
    assert (tmp_path / "events.sqlite3").stat().st_mode & 0o777 == 0o600


def test_store_queries(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    store.record(_events("e1", 3))
    store.record(_events("e2", 2, event="open"))
    assert {e.email_id for e in store.query(email_id="e1")} == {"e1"}
    # Case-insensitive; at the same second, the later arrival first.
    assert [e.email_id for e in store.query(rcpt="R1@EXAMPLE.COM")] == ["e2", "e1"]
    assert [e.event for e in store.query(rcpt="r1@example.com", events=["open"])] == ["open"]
    since = datetime(2026, 3, 1, 12, 0, 2, tzinfo=timezone.utc)
    assert [e.rcpt for e in store.query(since=since)] == ["r2@example.com"]
    assert len(store.query(limit=2)) == 2
    for reason in ("unauthorized", "unauthorized", "malformed", "oversized"):
        store.count_rejection(reason)
    counts = store.counts()
    assert (counts.rejected_unauthorized, counts.rejected_malformed, counts.rejected_oversized) == (2, 1, 1)


def test_another_process_reads_what_this_one_recorded(tmp_path: Path) -> None:
    EventStore(tmp_path).record(_events("shared-1", 2))
    script = ("import sys; from pathlib import Path; from smtp2go_mcp.events import EventStore; "
              "s = EventStore(Path(sys.argv[1])); print(len(s.query(email_id='shared-1')), s.counts().accepted_posts)")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["2", "1"], done.stderr


# --- the receiver over a real socket -----------------------------------------------------------

async def _mcp_stand_in(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b"mcp"})


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[tuple[str, EventStore]]:
    store = EventStore(tmp_path)
    app = WebhookDispatcher(_mcp_stand_in, WebhookReceiver(store, SECRET, max_body=64 * 1024))
    with ThreadedServer(app, lifespan="off") as server:
        yield server.url, store


def test_receiver_accepts_good_posts_and_rejects_the_rest(receiver, caplog) -> None:
    url, store = receiver
    caplog.set_level(logging.INFO)
    with httpx2.Client(base_url=url, timeout=10, trust_env=False) as http:
        good = http.post(f"/webhooks/smtp2go/{SECRET}", json=DELIVERED)
        assert (good.status_code, good.json()) == (200, {"accepted": 1})
        form = http.post(f"/webhooks/smtp2go/{SECRET}", content=urlencode({**PROCESSED, "event": "processed"},
                                                                          doseq=True), headers={"Content-Type": FORM})
        assert form.json() == {"accepted": 2}
        # SMTP2GO can send the secret as a bearer token instead (auth_header_type/value).
        bearer = http.post("/webhooks/smtp2go", json={**DELIVERED, "event": "open"},
                           headers={"Authorization": f"Bearer {SECRET}"})
        assert bearer.status_code == 200
        for path in ("/webhooks/smtp2go/wrong-secret-0123456789", "/webhooks/smtp2go", f"/webhooks/smtp2go/{SECRET}x",
                     f"/webhooks/smtp2go/{SECRET}/more"):
            refused = http.post(path, json=DELIVERED)
            assert (refused.status_code, refused.text) == (404, "Not Found")  # as if the route did not exist
        malformed = http.post(f"/webhooks/smtp2go/{SECRET}", content=b"{oops", headers={"Content-Type": "application/json"})
        assert malformed.status_code == 400 and malformed.json()["error"] == "malformed"
        big = http.post(f"/webhooks/smtp2go/{SECRET}", content=b"x" * (64 * 1024 + 1), headers={"Content-Type": FORM})
        assert big.status_code == 413
        assert http.get(f"/webhooks/smtp2go/{SECRET}").json()["ready"] is True
        assert http.put(f"/webhooks/smtp2go/{SECRET}", json={}).status_code == 405
        assert http.post("/mcp", json={}).status_code == 418  # everything else is the MCP app's
    counts = store.counts()
    assert (counts.accepted_posts, counts.accepted_events) == (3, 4)
    assert (counts.rejected_unauthorized, counts.rejected_malformed, counts.rejected_oversized) == (4, 1, 1)
    assert len(store.query(limit=100)) == 4
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("smtp2go_mcp")]
    assert any("wrong or missing secret" in m for m in ours) and not any(SECRET in m for m in ours)


def test_access_log_lines_are_masked() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "POST", f"/webhooks/smtp2go/{SECRET}", "1.1", 200), None)
    MaskWebhookPaths().filter(record)
    assert SECRET not in record.getMessage() and "/webhooks/smtp2go/***" in record.getMessage()


# --- the loop, through a real MCP client ------------------------------------------------------

class Loop:
    def __init__(self, url: str, simulator: Any) -> None:
        self.url, self.simulator = url, simulator

    @contextlib.asynccontextmanager
    async def client(self) -> AsyncIterator[Client]:
        async with Client(f"{self.url}/mcp") as client:
            yield client


@contextlib.contextmanager
def events_server(simulator: Any, data_dir: Path, *, receiving: bool) -> Iterator[Loop]:
    """Our server as `serve()` composes it (MCP, and with a secret the receiver), on a port known beforehand
    so that its public URL can name it."""
    port = free_port()
    extra = {"webhook_secret": SECRET, "public_url": f"http://127.0.0.1:{port}"} if receiving else {}
    settings = settings_for(simulator, data_dir=data_dir, port=port, **extra)
    runtime = Runtime.create(settings)
    app, _ = http_app(mcp_server.build_server(TOOLS.values(), runtime), settings, runtime)
    with ThreadedServer(ClosingRuntime(app, runtime), port=port) as server:
        yield Loop(server.url, simulator)


@pytest.fixture
def loop(simulator, tmp_path) -> Iterator[Loop]:
    with events_server(simulator, tmp_path, receiving=True) as srv:
        yield srv


async def call(client: Client, name: str, args: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(name, args)
    structured = result.structured_content
    assert_matches_output_schema(name, structured)
    assert SECRET not in text_of(result) and SECRET not in json.dumps(structured)
    return structured


async def wait_for(client: Client, args: dict[str, Any], done: Any, seconds: float = 15) -> dict[str, Any]:
    """Ask SMTP2GO_EVENTS_RECENT until `done(result)` holds (the posts arrive in the background)."""
    deadline = time.monotonic() + seconds
    while True:
        result = await call(client, RECENT, args)
        assert result["successful"], result
        if done(result) or time.monotonic() > deadline:
            return result
        await anyio.sleep(0.1)


def events_of(result: dict[str, Any]) -> list[tuple[str, str | None]]:
    return sorted((e["event"], e.get("rcpt")) for e in result["events"])


def status_of(result: dict[str, Any], rcpt: str) -> dict[str, Any]:
    return next(r for r in result["recipients"] if r["rcpt"] == rcpt)


SEND = {"sender": "billing@example.com", "to": ["jo@customer.example", "bounce@customer.example"],
        "subject": "Invoice INV-2301", "text_body": "Your invoice is attached."}
ALL_EVENTS = ["processed", "delivered", "open", "click", "bounce", "spam", "unsubscribe", "resubscribe", "reject"]


@pytest.mark.anyio
async def test_send_then_ask_what_happened(loop: Loop, simulator) -> None:
    async with loop.client() as client:
        before = await call(client, RECENT, {})
        assert before["events"] == [] and before["receiver"]["listening"] is True
        assert "SMTP2GO_WEBHOOK_ADD" in before["hint"]
        added = await call(client, "SMTP2GO_WEBHOOK_ADD", {"this_server": True, "events": ALL_EVENTS,
                                                           "output_format": "json"})
        assert added["successful"], added
        assert added["data"]["url"] == f"{loop.url}/webhooks/smtp2go/{WEBHOOK_SECRET_PLACEHOLDER}"
        [hook] = simulator.api("webhook/view")
        assert hook["url"] == f"{loop.url}/webhooks/smtp2go/{SECRET}"  # SMTP2GO got the real address
        viewed = await call(client, "SMTP2GO_WEBHOOK_VIEW", {})
        assert viewed["data"][0]["url"].endswith(WEBHOOK_SECRET_PLACEHOLDER)
        request = next(r for r in simulator.requests() if r["endpoint"] == "webhook/add")
        assert "this_server" not in request["body"]

        sent = await call(client, "SMTP2GO_EMAIL_SEND", SEND)
        email_id = sent["data"]["email_id"]
        result = await wait_for(client, {"email_id": email_id}, lambda r: len(r["events"]) >= 4)
        assert events_of(result) == [("bounce", "bounce@customer.example"), ("delivered", "jo@customer.example"),
                                     ("processed", "bounce@customer.example"), ("processed", "jo@customer.example")]
        bounce = next(e for e in result["events"] if e["event"] == "bounce")
        assert bounce["bounce"] == "hard" and bounce["message"].startswith("550") and bounce["host"]
        assert bounce["subject"] == "Invoice INV-2301" and bounce["time"].endswith("Z")
        assert status_of(result, "jo@customer.example")["status"] == "delivered"
        bounced = status_of(result, "bounce@customer.example")
        assert (bounced["status"], bounced["bounce"], bounced["reason"]) == ("bounced", "hard", "550 5.1.1 No such user")

        # Engagement, as SMTP2GO would post it later.
        for spec in ({"event": "open"}, {"event": "click", "url": "https://example.com/pay/2301"}):
            response = httpx2.post(f"{simulator.url}/_sim/events", timeout=10, trust_env=False,
                                   json={"email_id": email_id, "rcpt": "jo@customer.example", **spec})
            assert response.status_code == 200 and response.json()["posts"] == 1, response.text
        result = await wait_for(client, {"rcpt": "JO@customer.example"},
                                lambda r: status_of(r, "jo@customer.example")["status"] == "clicked")
        jo = status_of(result, "jo@customer.example")
        assert jo["status"] == "clicked" and jo["seen"] == ["processed", "delivered", "open", "click"]
        click = next(e for e in result["events"] if e["event"] == "click")
        assert click["url"] == "https://example.com/pay/2301" and click["user_agent"]
        clicks = await call(client, RECENT, {"email_id": email_id, "events": ["click"], "limit": 5})
        assert [e["event"] for e in clicks["events"]] == ["click"]
        # One post for processed (naming both recipients), then one per event per recipient.
        assert clicks["receiver"]["accepted_posts"] == 5 and "hint" not in clicks

        # The activity log tells the same story.
        activity = await call(client, "SMTP2GO_ACTIVITY_SEARCH", {"search_email_id": email_id, "start_date": "2020-01-01"})
        assert sorted(e["event"] for e in activity["data"]["events"]) == ["clicked", "delivered", "hard-bounced",
                                                                          "opened", "processed"]


@pytest.mark.anyio
async def test_form_posts_with_an_authorization_header(loop: Loop, simulator) -> None:
    async with loop.client() as client:
        added = await call(client, "SMTP2GO_WEBHOOK_ADD", {"this_server": True, "events": ["processed", "delivered"],
                                                           "output_format": "form", "auth_header_type": "bearer",
                                                           "auth_header_value": "unrelated-token"})
        hook_id = added["data"]["id"]
        sent = await call(client, "SMTP2GO_EMAIL_SEND", {**SEND, "to": ["sam@customer.example"]})
        email_id = sent["data"]["email_id"]
        result = await wait_for(client, {"email_id": email_id}, lambda r: len(r["events"]) >= 2)
        assert events_of(result) == [("delivered", "sam@customer.example"), ("processed", "sam@customer.example")]
        posts = httpx2.get(f"{simulator.url}/_sim/webhook_posts", timeout=10, trust_env=False).json()
        assert {(p["content_type"], p["status"], p["authorization"]) for p in posts} == {
            (FORM, 200, "Bearer unrelated-token")}
        # An edit can point an existing webhook here too; url and this_server together are refused.
        edited = await call(client, "SMTP2GO_WEBHOOK_EDIT", {"id": hook_id, "this_server": True, "events": ["open"]})
        assert edited["successful"] and edited["data"]["url"].endswith(WEBHOOK_SECRET_PLACEHOLDER)
        both = await call(client, "SMTP2GO_WEBHOOK_ADD", {"this_server": True, "url": "https://hooks.example.com/in"})
        assert both["error_code"] == "invalid_arguments" and "not both" in both["error"]


@pytest.mark.anyio
async def test_refused_posts_are_counted_and_reported(loop: Loop, caplog) -> None:
    caplog.set_level(logging.INFO)
    with httpx2.Client(base_url=loop.url, timeout=10, trust_env=False) as http:
        assert http.post("/webhooks/smtp2go/not-the-secret-at-all", json=DELIVERED).status_code == 404
        assert http.post(f"/webhooks/smtp2go/{SECRET}", content=b"nonsense",
                         headers={"Content-Type": FORM}).status_code == 400
        # The MCP endpoint is not opened by the webhook route: it still checks Host and Origin.
        assert http.post("/mcp", json={}, headers={"Host": "evil.example"}).status_code == 421
    async with loop.client() as client:
        result = await call(client, RECENT, {})
    receiver = result["receiver"]
    assert (receiver["rejected_unauthorized"], receiver["rejected_malformed"], receiver["accepted_posts"]) == (1, 1, 0)
    # The server's own logs (this test's HTTP client logs its URLs itself) never show the secret.
    logged = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    assert any("/webhooks/smtp2go/***" in m for m in logged) and not any(SECRET in m for m in logged)


@pytest.mark.anyio
async def test_this_server_needs_the_settings(simulator, tmp_path) -> None:
    with events_server(simulator, tmp_path, receiving=False) as srv:
        async with srv.client() as client:
            refused = await call(client, "SMTP2GO_WEBHOOK_ADD", {"this_server": True})
            recent = await call(client, RECENT, {"rcpt": "jo@customer.example"})
    assert refused["error_code"] == "invalid_arguments"
    assert "SMTP2GO_MCP_PUBLIC_URL" in refused["error"] and "SMTP2GO_MCP_WEBHOOK_SECRET" in refused["error"]
    assert not any(r["endpoint"] == "webhook/add" for r in simulator.requests())
    assert recent["receiver"]["listening"] is False and "SMTP2GO_MCP_WEBHOOK_SECRET" in recent["hint"]


def test_the_command_serves_the_receiver_beside_mcp_and_masks_its_logs(tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(SMTP2GO_MCP_WEBHOOK_SECRET=SECRET, SMTP2GO_MCP_DATA_DIR=str(tmp_path),
                    SMTP2GO_MCP_PUBLIC_URL="https://mcp.example.com")
    with open(tmp_path / "stderr.log", "w+b") as errlog:
        proc = subprocess.Popen([str(COMMAND), "--transport", "streamable-http", "--port", str(port)], env=env,
                                stdout=subprocess.PIPE, stderr=errlog)
        try:
            with httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=10, trust_env=False) as http:
                deadline = time.monotonic() + 30
                while True:
                    with contextlib.suppress(httpx2.TransportError):
                        posted = http.post(f"/webhooks/smtp2go/{SECRET}", json=DELIVERED)
                        break
                    assert time.monotonic() < deadline and proc.poll() is None, "the server did not start"
                    time.sleep(0.05)
                assert posted.json() == {"accepted": 1}
                assert http.post(f"/webhooks/smtp2go/{SECRET[:-1]}", json=DELIVERED).status_code == 404
                assert http.post("/mcp", json={}).status_code != 404  # the MCP app is still there
        finally:
            proc.terminate()
            proc.wait(timeout=15)
        assert proc.stdout.read() == b""
        errlog.seek(0)
        logs = errlog.read().decode()
    assert "Accepting SMTP2GO webhook posts at" in logs and "https://mcp.example.com" in logs
    assert logs.count("/webhooks/smtp2go/***") >= 3 and SECRET not in logs and SECRET[:-1] not in logs
    assert [e.email_id for e in EventStore(tmp_path).query()] == ["1vomg2-abc123"]


# --- the sandbox: events with no setup ---------------------------------------------------------

@pytest.mark.anyio
async def test_sandbox_over_stdio_shows_events_with_no_setup(tmp_path: Path) -> None:
    params = StdioServerParameters(command=str(COMMAND), args=["--sandbox"],
                                   env=clean_env(SMTP2GO_MCP_DATA_DIR=str(tmp_path)))
    with open(tmp_path / "stderr.log", "w+") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            sent = await call(client, "SMTP2GO_EMAIL_SEND", {**SEND, "to": ["jo@customer.example"]})
            email_id = sent["data"]["email_id"]
            result = await wait_for(client, {"email_id": email_id}, lambda r: len(r["events"]) >= 2)
            hooks = await call(client, "SMTP2GO_WEBHOOK_VIEW", {})
        errlog.seek(0)
        logs = errlog.read()
    assert events_of(result) == [("delivered", "jo@customer.example"), ("processed", "jo@customer.example")]
    assert result["receiver"]["listening"] is True
    assert [h["url"].endswith(f"/webhooks/smtp2go/{WEBHOOK_SECRET_PLACEHOLDER}") for h in hooks["data"]] == [True]
    assert "/webhooks/smtp2go/***" in logs
    assert not re.search(r"/webhooks/smtp2go/(?!\*\*\*)", logs), logs
