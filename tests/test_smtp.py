"""The SMTP_* tools through a real MCP client against real SMTP servers on loopback."""

from __future__ import annotations

import base64
import contextlib
import copy
import dataclasses
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from smtp2go_mcp.config import Settings
from smtp2go_mcp.sendguard import SendPolicy
from smtp2go_mcp.smtp.profiles import SmtpProfile
from tests.conftest import ATTACHMENT_DIR, assert_matches_output_schema, running_server, text_of
from tests.smtp_servers import PASSWORD, USERNAME, ScriptedServer, SmtpServer, make_certificate
from tests.web_servers import pdf_file, serving_http

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==")


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def servers(certs) -> Iterator[dict[str, Any]]:
    cert, key = certs
    with contextlib.ExitStack() as stack:
        yield {
            "starttls": stack.enter_context(SmtpServer("starttls", auth=True, cert=cert, key=key)),
            "tls": stack.enter_context(SmtpServer("tls", auth=True, cert=cert, key=key)),
            "relay": stack.enter_context(SmtpServer("plain", auth=False)),
            "ascii_only": stack.enter_context(SmtpServer("plain", auth=False, smtputf8=False)),
            "hang": stack.enter_context(ScriptedServer("hang")),
            "drop": stack.enter_context(ScriptedServer("drop_in_data")),
            "flaky": stack.enter_context(ScriptedServer("drop_after_first")),
        }


def profile(name: str, port: int, security: str, cert: Path | None, *, username: str | None = USERNAME,
            password: str | None = PASSWORD) -> SmtpProfile:
    return SmtpProfile(name=name, host="localhost" if security != "none" else "127.0.0.1", port=port,
                       security=security, username=username, password=password if username else None,
                       from_address="Mailer <mailer@example.com>", ca_file=cert)


@pytest.fixture(scope="module")
def smtp_server(servers, certs, tmp_path_factory):
    """Our MCP server: the STARTTLS+AUTH server as default, the others as named profiles."""
    cert, _ = certs
    s = servers
    profiles = {
        "implicit": profile("implicit", s["tls"].port, "tls", cert),
        "relay": profile("relay", s["relay"].port, "none", None, username=None),
        "ascii_only": profile("ascii_only", s["ascii_only"].port, "none", None, username=None),
        "wrong_password": profile("wrong_password", s["starttls"].port, "starttls", cert, password="nope-nope-nope"),
        "untrusted": profile("untrusted", s["starttls"].port, "starttls", None),
        "no_starttls": profile("no_starttls", s["relay"].port, "starttls", cert),
        "tls_on_plain_port": profile("tls_on_plain_port", s["relay"].port, "tls", cert),
        "hang": profile("hang", s["hang"].port, "none", None, username=None),
        "drop": profile("drop", s["drop"].port, "none", None, username=None),
        "flaky": profile("flaky", s["flaky"].port, "none", None, username=None),
    }
    default = dataclasses.replace(profile("default", s["starttls"].port, "starttls", cert), source="default")
    settings = Settings(api_url="http://127.0.0.1:9/v3", transport="streamable-http", smtp_default=default,
                        smtp_profiles=profiles, smtp_timeout=2.0, attachment_dirs=(ATTACHMENT_DIR,),
                        data_dir=tmp_path_factory.mktemp("data"), allow_private_urls=True,
                        send_policy=SendPolicy(duplicate_window=0))
    with running_server(settings) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clear(request) -> None:
    if "servers" in request.fixturenames:
        for server in request.getfixturevalue("servers").values():
            if isinstance(server, SmtpServer):
                server.messages.clear()


async def call(server: Any, name: str, args: dict[str, Any], **kw: Any) -> Any:
    async with server.client() as client:
        result = await client.call_tool(name, args, **kw)
    assert_matches_output_schema(name, result.structured_content)
    return result


def ok(result: Any) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert result.structured_content["successful"] is True
    return result.structured_content


def refused(result: Any, code: str, *phrases: str) -> dict[str, Any]:
    assert result.is_error
    structured = result.structured_content
    assert structured["successful"] is False and structured["error_code"] == code, structured
    for phrase in phrases:
        assert phrase in structured["error"], structured["error"]
    assert PASSWORD not in text_of(result) and "nope-nope-nope" not in text_of(result)
    return structured


@pytest.fixture(scope="module")
def web() -> Iterator[str]:
    """A local web server for URL attachments."""
    with serving_http(pdf_file(b"%PDF-1.4 terms and conditions")) as url:
        yield url


@pytest.mark.anyio
async def test_starttls_auth_full_message(smtp_server, servers, web) -> None:
    args = {
        "from": "Zoë Müller <mailer@example.com>", "to": ["Jo Bloggs <jo@example.org>"], "cc": ["sam@example.org"],
        "bcc": ["audit@example.org"], "reply_to": ["help@example.com"], "subject": "Grüße – Rechnung €40 📎",
        "text_body": "Hallo Jo,\nanbei die Rechnung.", "html_body": "<p>Hallo <b>Jo</b><img src=\"cid:logo\"></p>",
        "attachments": [{"path": "receipt.txt"},
                        {"content_base64": base64.b64encode(b"a,b\n1,2\n").decode(), "filename": "data.csv"},
                        {"url": f"{web}/docs/terms.pdf"},
                        {"content_base64": base64.b64encode(PNG).decode(), "filename": "logo.png", "content_id": "logo"}],
        "custom_headers": [{"name": "X-Campaign", "value": "november"}],
        "in_reply_to": "<thread-1@example.org>", "references": ["<thread-0@example.org>", "thread-1@example.org"],
    }
    structured = ok(await call(smtp_server, "SMTP_SEND_EMAIL", args))
    assert structured["accepted"] == ["jo@example.org", "sam@example.org", "audit@example.org"]
    assert structured["refused"] == [] and structured["server_reply"].startswith("250")
    assert structured["used"] == {"source": "default", "name": "default", "host": "localhost",
                                  "port": servers["starttls"].port, "security": "starttls", "auth": "password",
                                  "username": USERNAME}
    [received] = servers["starttls"].messages
    assert received.authenticated and received.mail_from == "mailer@example.com"
    assert received.rcpt_tos == ["jo@example.org", "sam@example.org", "audit@example.org"]
    message = received.message
    assert message["Subject"] == "Grüße – Rechnung €40 📎"
    assert "=?utf-8?" in received.data.decode("ascii").split("\r\n\r\n")[0]  # RFC 2047 on the wire
    assert message["From"] == "Zoë Müller <mailer@example.com>"
    assert message["Bcc"] is None and b"audit@example.org" not in received.data
    assert message["Reply-To"] == "help@example.com" and message["X-Campaign"] == "november"
    assert message["In-Reply-To"] == "<thread-1@example.org>"
    assert message["References"] == "<thread-0@example.org> <thread-1@example.org>"
    assert message["Message-ID"] == structured["message_id"] and message["Date"]
    assert message.get_content_type() == "multipart/mixed"
    alternative = message.get_payload()[0]
    assert alternative.get_content_type() == "multipart/alternative"
    plain, related = alternative.get_payload()
    assert plain.get_content().replace("\r\n", "\n") == "Hallo Jo,\nanbei die Rechnung.\n"
    assert related.get_content_type() == "multipart/related"
    html, image = related.get_payload()
    assert "cid:logo" in html.get_content() and image["Content-ID"] == "<logo>"
    assert image.get_content() == PNG
    attachments = {part.get_filename(): (part.get_content_type(), part.get_payload(decode=True))
                   for part in message.iter_attachments()}
    assert attachments == {
        "receipt.txt": ("text/plain", (ATTACHMENT_DIR / "receipt.txt").read_bytes()),
        "data.csv": ("text/csv", b"a,b\n1,2\n"),
        "terms.pdf": ("application/pdf", b"%PDF-1.4 terms and conditions"),
    }


@pytest.mark.anyio
async def test_html_only_gets_a_text_part(smtp_server, servers) -> None:
    ok(await call(smtp_server, "SMTP_SEND_EMAIL", {
        "to": ["jo@example.org"], "subject": "Offer",
        "html_body": "<h1>Winter sale</h1><p>Up to <b>40%</b> off. <a href=\"https://shop.example/sale\">Shop now</a></p>"}))
    message = servers["starttls"].messages[0].message
    plain = message.get_body(("plain",)).get_content()
    assert "Winter sale" in plain and "Up to 40% off." in plain and "Shop now (https://shop.example/sale)" in plain
    assert message["From"] == "Mailer <mailer@example.com>"  # the profile's default From


@pytest.mark.anyio
async def test_implicit_tls_profile(smtp_server, servers) -> None:
    structured = ok(await call(smtp_server, "SMTP_SEND_EMAIL", {"profile": "implicit", "to": ["jo@example.org"],
                                                                 "subject": "Hi", "text_body": "over 465"}))
    assert structured["used"]["source"] == "profile" and structured["used"]["security"] == "tls"
    assert servers["tls"].messages[0].authenticated


@pytest.mark.anyio
async def test_ip_relay_identity_sends_without_auth(smtp_server, servers) -> None:
    created = ok(await call(smtp_server, "SMTP_SENDER_CREATE", {
        "sender_name": "Office Scanner", "email_address": "scanner@example.com",
        "smtp_configuration": {"host": "127.0.0.1", "port": servers["relay"].port, "ip_relay_auth": True,
                               "security": "none"}}))
    assert created["sender"]["smtp_configuration"]["ip_relay_auth"] is True
    structured = ok(await call(smtp_server, "SMTP_SEND_EMAIL", {"sender": "scanner@example.com", "to": ["jo@example.org"],
                                                                 "subject": "Scan", "text_body": "attached"}))
    assert structured["used"]["source"] == "sender" and structured["used"]["auth"] == "ip_relay"
    [received] = servers["relay"].messages
    assert not received.authenticated
    assert received.message["From"] == "Office Scanner <scanner@example.com>"
    ok(await call(smtp_server, "SMTP_SENDER_DELETE", {"email_address": "scanner@example.com"}))


@pytest.mark.anyio
@pytest.mark.parametrize(("profile_name", "code", "phrases"), [
    ("wrong_password", "auth_failed", ("refused the login", "535")),
    ("no_starttls", "tls_failed", ("does not offer STARTTLS",)),
    ("untrusted", "tls_failed", ("not trusted", "SMTP2GO_MCP_SMTP_CA_FILE")),
    ("tls_on_plain_port", "tls_failed", ("TLS with",)),
    ("hang", "timeout", ("did not answer within 2 s",)),
])
async def test_connection_failures(profile_name: str, code: str, phrases: tuple[str, ...], smtp_server, servers) -> None:
    result = await call(smtp_server, "SMTP_SEND_EMAIL", {"profile": profile_name, "to": ["jo@example.org"],
                                                          "subject": "Hi", "text_body": "x"})
    structured = refused(result, code, *phrases)
    assert structured["accepted"] == [] and structured["used"]["name"] == profile_name
    assert all(not s.messages for s in servers.values() if isinstance(s, SmtpServer))


@pytest.mark.anyio
async def test_some_recipients_refused_is_reported_as_partial(smtp_server, servers) -> None:
    servers["starttls"].recorder.refuse_recipients = {"gone@example.org"}
    try:
        result = await call(smtp_server, "SMTP_SEND_EMAIL", {"to": ["jo@example.org", "gone@example.org"],
                                                              "subject": "Hi", "text_body": "x"})
    finally:
        servers["starttls"].recorder.refuse_recipients = set()
    structured = refused(result, "recipients_partially_refused", "Sent to 1 of 2 recipients",
                         "Do not resend to the accepted ones")
    assert structured["accepted"] == ["jo@example.org"]
    assert structured["refused"] == [{"recipient": "gone@example.org", "code": 550,
                                      "message": "5.1.1 <gone@example.org>: Recipient address rejected: User unknown"}]
    assert structured["message_id"] and structured["server_reply"].startswith("250")
    assert servers["starttls"].messages[0].rcpt_tos == ["jo@example.org"]


@pytest.mark.anyio
async def test_every_recipient_refused_sends_nothing(smtp_server, servers) -> None:
    servers["starttls"].recorder.refuse_recipients = {"gone@example.org"}
    try:
        result = await call(smtp_server, "SMTP_SEND_EMAIL", {"to": ["gone@example.org"], "subject": "Hi", "text_body": "x"})
    finally:
        servers["starttls"].recorder.refuse_recipients = set()
    refused(result, "recipients_refused", "refused every recipient", "Nothing was sent")
    assert servers["starttls"].messages == []


@pytest.mark.anyio
async def test_data_refused(smtp_server, servers) -> None:
    servers["starttls"].recorder.refuse_data_containing = b"FORBIDDEN-WORD"
    try:
        result = await call(smtp_server, "SMTP_SEND_EMAIL", {"to": ["jo@example.org"], "subject": "Hi",
                                                              "text_body": "FORBIDDEN-WORD"})
    finally:
        servers["starttls"].recorder.refuse_data_containing = None
    structured = refused(result, "data_refused", "554", "Nothing was delivered")
    assert structured["server_reply"].startswith("554")


@pytest.mark.anyio
async def test_dropped_during_data_is_an_unknown_outcome_and_not_retried(smtp_server, servers) -> None:
    before = servers["drop"].data_commands
    result = await call(smtp_server, "SMTP_SEND_EMAIL", {"profile": "drop", "to": ["jo@example.org"],
                                                          "subject": "Hi", "text_body": "x"})
    structured = refused(result, "outcome_unknown", "may or may not have accepted it", "Do not send it again")
    assert structured["message_id"]  # known, to look for it later
    assert servers["drop"].data_commands == before + 1


@pytest.mark.anyio
async def test_dry_run_connects_to_nothing(smtp_server, servers) -> None:
    before = servers["hang"].connections
    structured = ok(await call(smtp_server, "SMTP_SEND_EMAIL", {
        "profile": "hang", "to": ["jo@example.org"], "bcc": ["audit@example.org"], "subject": "Preview",
        "html_body": "<p>Hi</p>", "attachments": [{"path": "receipt.txt"}], "dry_run": True}))
    preview = structured["dry_run"]
    assert preview["envelope_recipients"] == ["jo@example.org", "audit@example.org"]
    assert preview["envelope_from"] == "mailer@example.com"
    assert preview["mime_tree"]["content_type"] == "multipart/mixed"
    assert [p["content_type"] for p in preview["mime_tree"]["parts"]] == ["multipart/alternative", "text/plain"]
    assert {h["name"] for h in preview["headers"]} >= {"From", "To", "Subject", "Date", "Message-ID"}
    assert "Bcc" not in {h["name"] for h in preview["headers"]}
    assert preview["size_bytes"] > 100 and structured["accepted"] == []
    assert servers["hang"].connections == before


@pytest.mark.anyio
async def test_smtputf8_when_the_address_needs_it(smtp_server, servers) -> None:
    ok(await call(smtp_server, "SMTP_SEND_EMAIL", {"profile": "relay", "to": ["jürgen@example.org"],
                                                    "subject": "Hallo", "text_body": "x"}))
    [received] = servers["relay"].messages
    assert received.smtp_utf8 and received.rcpt_tos == ["jürgen@example.org"]
    result = await call(smtp_server, "SMTP_SEND_EMAIL", {"profile": "ascii_only", "to": ["jürgen@example.org"],
                                                          "subject": "Hallo", "text_body": "x"})
    refused(result, "smtputf8_unsupported", "does not support SMTPUTF8")


@pytest.mark.anyio
async def test_connection_test_reports_the_session(smtp_server, servers) -> None:
    structured = ok(await call(smtp_server, "SMTP_TEST_CONNECTION", {}))
    assert structured["banner"].startswith("220") and structured["tls_version"] in ("TLSv1.2", "TLSv1.3")
    assert "auth" in structured["extensions"] and "smtputf8" in structured["extensions"]  # as offered after TLS
    assert set(structured["auth_mechanisms"]) >= {"PLAIN", "LOGIN"}
    assert structured["authenticated_as"] == USERNAME
    assert [s["step"] for s in structured["steps"]] == ["connect", "starttls", "auth"]
    assert structured["verdict"].startswith("OK:") and "nothing was sent" in structured["verdict"]
    assert servers["starttls"].messages == []
    failed = refused(await call(smtp_server, "SMTP_TEST_CONNECTION", {"profile": "wrong_password"}), "auth_failed")
    assert failed["verdict"].startswith("FAILED at auth") and failed["tls_version"]
    assert [s["ok"] for s in failed["steps"]] == [True, True, False]


@pytest.mark.anyio
async def test_batch_over_one_connection_with_progress(smtp_server, servers) -> None:
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append((done, total, message))

    messages = [{"to": [f"customer{i}@example.org"], "subject": f"Invoice {i}", "text_body": f"Amount {i}"}
                for i in range(3)]
    messages.insert(1, {"to": ["x@example.org"], "subject": "bad", "text_body": "x",
                        "attachments": [{"path": "/etc/passwd"}]})
    result = await call(smtp_server, "SMTP_SEND_BATCH", {"messages": messages}, progress_callback=on_progress)
    structured = refused(result, "partially_failed", "1 of 4 messages were not (fully) sent", "messages.1")
    assert [r["successful"] for r in structured["results"]] == [True, False, True, True]
    assert structured["results"][1]["error_code"] == "invalid_arguments"
    assert "messages.1.attachments.0.path" in structured["results"][1]["error"]
    assert structured["sent"] == 3 and structured["failed"] == 1
    assert [m.rcpt_tos[0] for m in servers["starttls"].messages] == [f"customer{i}@example.org" for i in range(3)]
    assert progress[-1][:2] == (4, 4) and len(progress) == 5


def _post(url: str, protocol: str, body: dict[str, Any], **headers: str) -> httpx2.Response:
    headers = {"Accept": "application/json, text/event-stream", "Mcp-Protocol-Version": protocol, **headers}
    body = copy.deepcopy(body)
    if protocol == "2026-07-28":  # every request says who the client is
        body["params"]["_meta"] = {**body["params"].get("_meta", {}),
                                   "io.modelcontextprotocol/protocolVersion": protocol,
                                   "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
                                   "io.modelcontextprotocol/clientCapabilities": {}}
        headers |= {"Mcp-Method": body["method"], "Mcp-Name": body["params"].get("name", "")}
    return httpx2.post(url, json={"jsonrpc": "2.0", **body}, headers=headers, timeout=30)


def _events(response: httpx2.Response) -> list[dict[str, Any]]:
    return [json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:")]


def test_progress_is_streamed_over_http_and_other_calls_are_answered_as_json(smtp_server, servers) -> None:
    """Over streamable HTTP a call that asks for progress gets it as events; the others a plain JSON answer."""
    messages = [{"to": [f"p{i}@example.org"], "subject": f"n{i}", "text_body": "x"} for i in range(3)]
    call = {"id": 1, "method": "tools/call",
            "params": {"name": "SMTP_SEND_BATCH", "arguments": {"messages": messages}, "_meta": {"progressToken": "p"}}}
    streamed = _post(smtp_server.mcp_url, "2026-07-28", call)
    assert streamed.headers["content-type"].startswith("text/event-stream"), streamed.text
    *notes, answer = _events(streamed)
    assert [(n["method"], n["params"]["progressToken"], n["params"]["progress"]) for n in notes] == \
        [("notifications/progress", "p", i) for i in range(4)]
    assert answer["id"] == 1 and answer["result"]["structuredContent"]["sent"] == 3

    del call["params"]["_meta"]
    plain = _post(smtp_server.mcp_url, "2026-07-28", call)
    assert plain.headers["content-type"].startswith("application/json"), plain.text
    assert plain.json()["result"]["structuredContent"]["sent"] == 3

    # A handshake-era client keeps its session, and the same answers.
    init = _post(smtp_server.mcp_url, "2025-11-25", {"id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
    session = {"Mcp-Session-Id": init.headers["mcp-session-id"]}
    _post(smtp_server.mcp_url, "2025-11-25", {"method": "notifications/initialized"}, **session)
    legacy = _post(smtp_server.mcp_url, "2025-11-25", call, **session)
    [answer] = _events(legacy) if legacy.headers["content-type"].startswith("text/event-stream") else [legacy.json()]
    assert answer["result"]["structuredContent"]["sent"] == 3
    assert len(servers["starttls"].messages) >= 9


@pytest.mark.anyio
async def test_batch_reconnects_once_when_the_server_drops(smtp_server, servers) -> None:
    flaky = servers["flaky"]
    before_connections, before_delivered = flaky.connections, flaky.delivered
    messages = [{"to": [f"r{i}@example.org"], "subject": f"n{i}", "text_body": "x"} for i in range(3)]
    result = await call(smtp_server, "SMTP_SEND_BATCH", {"profile": "flaky", "messages": messages})
    # The 1st connection delivers one message and drops at the next MAIL; the one reconnect delivers
    # the second; the third finds the connection dropped again, with no reconnect left.
    structured = refused(result, "partially_failed", "1 of 3 messages were not (fully) sent")
    assert [r["successful"] for r in structured["results"]] == [True, True, False]
    assert structured["results"][2]["message_id"] is None  # nothing of it was sent
    assert flaky.delivered - before_delivered == 2 and flaky.connections - before_connections == 2


@pytest.mark.anyio
async def test_sender_identities(smtp_server, tmp_path) -> None:
    args = {"sender_name": "Acme Billing", "email_address": "billing@acme.example",
            "smtp_configuration": {"host": "smtp.acme.example", "port": "587", "username": "billing@acme.example",
                                   "password": "s3cret-app-password"}}
    created = ok(await call(smtp_server, "SMTP_SENDER_CREATE", args))
    sender = created["sender"]
    assert sender["id"].startswith("snd_") and sender["smtp_configuration"]["id"].startswith("cfg_")
    assert sender["smtp_configuration"]["port"] == "587"  # as given
    assert sender["smtp_configuration"]["password_set"] is True
    again = await call(smtp_server, "SMTP_SENDER_CREATE", {**args, "email_address": "Billing@acme.example"})
    refused(again, "duplicate_sender", "already exists")
    listed = ok(await call(smtp_server, "SMTP_SENDER_LIST", {}))
    assert [s["email_address"] for s in listed["senders"]] == ["billing@acme.example"]
    assert "implicit" in {p["name"] for p in listed["profiles"]} and listed["default_profile"]["source"] == "default"
    async with smtp_server.client() as client:
        for name in ("SMTP_SENDER_CREATE", "SMTP_SENDER_LIST"):
            listing = await client.call_tool(name, {} if name.endswith("LIST") else args)
            assert "s3cret-app-password" not in text_of(listing)
    store_file = smtp_server.settings.data_dir / "senders.sqlite3"
    assert stat.S_IMODE(store_file.stat().st_mode) == 0o600
    # A new process (a new store on the same file) sees the identity.
    from smtp2go_mcp.smtp.identities import SenderStore
    assert SenderStore(smtp_server.settings.data_dir).get("billing@acme.example").password == "s3cret-app-password"
    deleted = ok(await call(smtp_server, "SMTP_SENDER_DELETE", {"id": sender["id"]}))
    assert deleted["sender"]["email_address"] == "billing@acme.example"
    refused(await call(smtp_server, "SMTP_SENDER_DELETE", {"id": sender["id"]}), "not_found")


@pytest.mark.anyio
@pytest.mark.parametrize(("config", "phrase"), [
    ({"host": "smtp.acme.example", "port": 587, "username": "u"}, "password (or password_env) is required"),
    ({"host": "smtp.acme.example", "port": 587}, "username is required unless ip_relay_auth"),
    ({"host": "relay.local", "port": 25, "ip_relay_auth": True, "username": "u"}, "leave out username"),
    ({"host": "smtp://acme.example", "port": 587, "ip_relay_auth": True}, "'smtp_configuration.host'"),
    ({"host": "acme.example", "port": 70000, "ip_relay_auth": True}, "'smtp_configuration.port"),
    ({"host": "acme.example", "port": "5x7", "ip_relay_auth": True}, "'smtp_configuration.port"),
])
async def test_sender_configuration_is_checked(config: dict[str, Any], phrase: str, smtp_server) -> None:
    result = await call(smtp_server, "SMTP_SENDER_CREATE", {"sender_name": "X", "email_address": "x@acme.example",
                                                             "smtp_configuration": config})
    refused(result, "invalid_arguments", phrase)


@pytest.mark.anyio
@pytest.mark.parametrize(("args", "phrase"), [
    ({"subject": "Hi\r\nBcc: evil@example.net"}, "line breaks"),
    ({"custom_headers": [{"name": "Bcc", "value": "evil@example.net"}]}, "set from the message's own fields"),
    ({"custom_headers": [{"name": "X-Id", "value": "1\nBcc: evil@example.net"}]}, "line breaks"),
    ({"to": ["jo@example.org\r\nBcc: evil@example.net"]}, "line breaks"),
    ({"to": None}, "at least one recipient"),
    ({"text_body": None}, "give text_body and/or html_body"),
    ({"sender": "nobody@example.com"}, "No sender identity nobody@example.com"),
    ({"profile": "gmail"}, "No SMTP profile named 'gmail'"),
    ({"attachments": [{"path": "../../etc/passwd"}]}, "outside the directories allowed"),
    ({"attachments": [{"url": "ftp://files.example/x.pdf"}]}, "'attachments.0.url'"),
    ({"in_reply_to": "not a message id"}, "is not a Message-ID"),
])
async def test_bad_messages_are_refused_before_connecting(args: dict[str, Any], phrase: str, smtp_server,
                                                          servers) -> None:
    base = {"to": ["jo@example.org"], "subject": "Hi", "text_body": "x"}
    message = {k: v for k, v in {**base, **args}.items() if v is not None}
    refused(await call(smtp_server, "SMTP_SEND_EMAIL", message), "invalid_arguments", phrase)
    assert servers["starttls"].messages == []
