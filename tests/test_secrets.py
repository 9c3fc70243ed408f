"""Secrets never leave: plant known ones, drive every tool through success and failure over a
real stdio subprocess, and scan every byte the server wrote. Stdout must be JSON-RPC only."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from smtp2go_mcp.api.client import Smtp2goClient
from smtp2go_mcp.config import Settings
from smtp2go_mcp.smtp.identities import SenderStore
from smtp2go_mcp.smtp.profiles import SmtpProfile
from tests.conftest import API_TOOLS, TOOLS
from tests.processes import clean_env
from tests.smtp_servers import PASSWORD, USERNAME, SmtpServer
from tests.tool_cases import CASES

PLANTED_KEY = "api-" + "PLNTDKEY" + "7" * 24
WRONG_PASSWORD = "wr0ng-Planted-Passw0rd-for-auth"
WEBHOOK_SECRET = "Planted-webhook-secret-0123456789"
SECRETS = [PLANTED_KEY, PASSWORD, WRONG_PASSWORD, WEBHOOK_SECRET]


def forms(secret: str) -> list[str]:
    """The secret as written, and as it would look base64-encoded (AUTH PLAIN, Basic)."""
    return [secret, base64.b64encode(secret.encode()).decode(),
            base64.b64encode(f"\0{USERNAME}\0{secret}".encode()).decode()]


class StdioSession:
    """Speaks JSON-RPC to the server's stdin/stdout by hand, so every stdout byte is seen."""

    def __init__(self, env: dict[str, str], stderr: Path) -> None:
        self._stderr = stderr.open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "smtp2go_mcp", "--log-level", "DEBUG"], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr)
        self.stdout = bytearray()
        self._next = 0

    def _line(self) -> dict[str, Any]:
        raw = self.proc.stdout.readline()
        assert raw, "the server closed stdout"
        self.stdout += raw
        message = json.loads(raw)  # every line of stdout must be a JSON-RPC message
        assert message.get("jsonrpc") == "2.0", raw
        return message

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self._next += 1
        self._write({"jsonrpc": "2.0", "id": self._next, "method": method, "params": params})
        while True:
            message = self._line()
            if message.get("id") == self._next:
                return message

    def notify(self, method: str) -> None:
        self._write({"jsonrpc": "2.0", "method": method})

    def _write(self, message: dict[str, Any]) -> None:
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def close(self) -> bytes:
        self.proc.stdin.close()
        rest = self.proc.stdout.read()
        self.proc.wait(timeout=15)
        self._stderr.close()
        self.stdout += rest
        for line in rest.splitlines():
            assert json.loads(line).get("jsonrpc") == "2.0", line
        return bytes(self.stdout)


@pytest.fixture
def smtp() -> Any:
    with SmtpServer("plain", auth=True) as server:
        yield server


def test_no_secret_in_anything_the_server_emits(simulator, smtp, tmp_path: Path) -> None:
    simulator.add_key(PLANTED_KEY, ["*"])
    config = tmp_path / "c.toml"
    config.write_text(f'[profiles.wrong]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n'
                      f'username = "{USERNAME}"\npassword_env = "WRONG_PW"\n')
    env = clean_env(SMTP2GO_API_URL=simulator.api_url, SMTP2GO_API_KEY=PLANTED_KEY, SMTP2GO_MCP_RETRIES="0",
                    SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port), SMTP_SECURITY="none", SMTP_USERNAME=USERNAME,
                    SMTP_PASSWORD=PASSWORD, SMTP_FROM="mailer@example.com", WRONG_PW=WRONG_PASSWORD,
                    SMTP2GO_MCP_CONFIG=str(config), SMTP2GO_MCP_DATA_DIR=str(tmp_path / "data"),
                    SMTP2GO_MCP_DUPLICATE_WINDOW="0", SMTP2GO_MCP_WEBHOOK_SECRET=WEBHOOK_SECRET,
                    SMTP2GO_MCP_PUBLIC_URL="https://mcp.example.com")
    session = StdioSession(env, tmp_path / "stderr.log")
    results: list[dict[str, Any]] = []
    try:
        init = session.request("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                              "clientInfo": {"name": "secrets-test", "version": "1"}})
        assert init["result"]["serverInfo"]["name"] == "smtp2go-mcp"
        session.notify("notifications/initialized")
        assert len(session.request("tools/list", {})["result"]["tools"]) == len(TOOLS)

        def call(name: str, args: dict[str, Any]) -> None:
            results.append(session.request("tools/call", {"name": name, "arguments": args}))

        for name in sorted(API_TOOLS):
            case = CASES[name]
            simulator.reset()
            simulator.add_key(PLANTED_KEY, ["*"])
            created = (case.setup(simulator) if case.setup else None) or {}
            call(name, {**case.args, **created})                              # success
            simulator.fault(endpoint=case.endpoint, status=400, error_code="NON_VALIDATING_IN_PAYLOAD",
                            error="bad", invalid_field=["sender", "The field 'sender' was rejected"])
            call(name, {**case.args, **created})                              # API refusal
            simulator.fault(endpoint=case.endpoint, status=401)
            call(name, {**case.args, **created})                              # "invalid key"
            call(name, {**case.args, "not_a_field": True})                    # invalid arguments
        simulator.reset()
        simulator.add_key(PLANTED_KEY, ["*"])
        call("SMTP2GO_WEBHOOK_ADD", {"this_server": True, "events": ["delivered"]})  # the URL holds the secret
        call("SMTP2GO_WEBHOOK_EDIT", {"id": 1, "this_server": True, "output_format": "json"})
        call("SMTP2GO_WEBHOOK_VIEW", {})
        call("SMTP2GO_EVENTS_RECENT", {})
        assert any(WEBHOOK_SECRET in hook["url"] for hook in simulator.api("webhook/view"))
        message = {"to": ["jo@example.org"], "subject": "Hi", "text_body": "x"}
        call("SMTP_TEST_CONNECTION", {})
        call("SMTP_TEST_CONNECTION", {"profile": "wrong"})
        call("SMTP_SEND_EMAIL", message)
        call("SMTP_SEND_EMAIL", {**message, "profile": "wrong"})
        call("SMTP_SEND_EMAIL", {**message, "dry_run": True})
        call("SMTP_SEND_BATCH", {"messages": [message, message]})
        call("SMTP_SEND_BATCH", {"profile": "wrong", "messages": [message]})
        identity = {"sender_name": "Ops", "email_address": "ops@example.com",
                    "smtp_configuration": {"host": "127.0.0.1", "port": smtp.port, "security": "none",
                                           "username": USERNAME, "password": PASSWORD}}
        call("SMTP_SENDER_CREATE", identity)
        call("SMTP_SENDER_CREATE", identity)                                  # duplicate
        call("SMTP_SENDER_LIST", {})
        call("SMTP_SEND_EMAIL", {**message, "sender": "ops@example.com"})
        call("SMTP_SENDER_CREATE", {**identity, "email_address": "bad@example.com",
                                    "smtp_configuration": {**identity["smtp_configuration"], "password": WRONG_PASSWORD,
                                                           "port": "not-a-port"}})
        call("SMTP_SENDER_DELETE", {"email_address": "ops@example.com"})
    finally:
        stdout = session.close()
    stderr = (tmp_path / "stderr.log").read_bytes()

    # The run did exercise both paths.
    outcomes = {(r["result"]["structuredContent"]["successful"]) for r in results}
    assert outcomes == {True, False}
    codes = {r["result"]["structuredContent"].get("error_code") for r in results}
    assert {"auth_failed", "invalid_arguments", "E_ApiResponseCodes.API_KEY_INVALID"} <= codes
    assert len(smtp.messages) >= 3

    emitted = {"stdout": stdout.decode("utf-8", "replace"), "stderr": stderr.decode("utf-8", "replace")}
    for generated in ("server.json", *[f"tool_manifests/{n}.json" for n in TOOLS]):
        emitted[generated] = (Path(__file__).parent.parent / generated).read_text()
    for where, text in emitted.items():
        for secret in SECRETS:
            for form in forms(secret):
                assert form not in text, f"a secret ({secret[:6]}...) appears in {where}"
    assert "DEBUG" in emitted["stderr"]  # the logs were as verbose as they get


def test_reprs_and_errors_hide_secrets(tmp_path: Path) -> None:
    settings = Settings.load({"SMTP2GO_API_KEY": PLANTED_KEY, "SMTP_HOST": "smtp.example.com", "SMTP_USERNAME": "u",
                              "SMTP_PASSWORD": PASSWORD, "SMTP2GO_MCP_AUTH_TOKEN": WRONG_PASSWORD,
                              "SMTP2GO_MCP_WEBHOOK_SECRET": WEBHOOK_SECRET})
    identity = SenderStore(tmp_path).create(sender_name="A", email_address="a@example.com", host="h", port=587,
                                            security=None, ip_relay_auth=False, username="u", password=PASSWORD,
                                            password_env=None)
    objects = [settings, settings.smtp_default, Smtp2goClient(api_key=PLANTED_KEY), identity, identity.profile(),
               SmtpProfile(name="p", host="h", port=25, username="u", password=PASSWORD)]
    for obj in objects:
        for secret in SECRETS:
            assert secret not in repr(obj) and secret not in str(obj)
    assert stat_mode(tmp_path / "senders.sqlite3") == 0o600


def stat_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777
