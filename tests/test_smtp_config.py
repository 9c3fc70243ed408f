"""Where SMTP settings come from: SMTP_* variables, the TOML config file, the sandbox."""

from __future__ import annotations

import subprocess
import sys
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from smtp2go_mcp.config import ConfigError, Settings
from tests.processes import COMMAND, clean_env

SMTP_ENV = {"SMTP_HOST": "smtp.gmail.com", "SMTP_USERNAME": "me@gmail.com", "SMTP_PASSWORD": "app-pass-1234",
            "SMTP_FROM": "Me <me@gmail.com>"}


def test_default_profile_from_the_environment() -> None:
    settings = Settings.load(SMTP_ENV)
    profile = settings.smtp_default
    assert (profile.host, profile.port, profile.security, profile.username, profile.password) == \
        ("smtp.gmail.com", 587, "starttls", "me@gmail.com", "app-pass-1234")
    assert profile.from_address == "Me <me@gmail.com>" and profile.source == "default"
    assert "app-pass-1234" not in repr(settings)
    implicit = Settings.load({**SMTP_ENV, "SMTP_SECURITY": "tls"}).smtp_default
    assert (implicit.port, implicit.security) == (465, "tls")
    relay = Settings.load({"SMTP_HOST": "relay.internal", "SMTP_PORT": "25", "SMTP_SECURITY": "none"}).smtp_default
    assert relay.ip_relay and relay.port == 25
    assert Settings.load({}).smtp_default is None


@pytest.mark.parametrize(("env", "phrase"), [
    ({**SMTP_ENV, "SMTP_SECURITY": "ssl3"}, "security must be starttls, tls"),
    ({"SMTP_HOST": "smtp.example.com", "SMTP_USERNAME": "u"}, "username is set but no password"),
    ({"SMTP_PORT": "587"}, "SMTP_PORT is set but SMTP_HOST is not"),
    ({**SMTP_ENV, "SMTP_PORT": "smtp"}, "port must be a number"),
    ({"SMTP2GO_MCP_SMTP_TIMEOUT": "0"}, "SMTP2GO_MCP_SMTP_TIMEOUT must be"),
])
def test_bad_smtp_settings(env: dict[str, str], phrase: str) -> None:
    with pytest.raises(ConfigError, match=phrase):
        Settings.load(env)


CONFIG = """
[profiles.office365]
host = "smtp.office365.com"
port = 587
username = "sales@contoso.example"
password_env = "O365_PASSWORD"
from = "Contoso Sales <sales@contoso.example>"

[profiles.relay]
host = "relay.corp.example"
port = 25
security = "none"

[attachments]
allowed_dirs = ["{dir}"]
"""


def test_profiles_from_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "smtp2go-mcp.toml"
    path.write_text(CONFIG.format(dir=tmp_path))
    settings = Settings.load({"SMTP2GO_MCP_CONFIG": str(path), "O365_PASSWORD": "from-the-env"})
    office = settings.smtp_profiles["office365"]
    assert (office.host, office.security, office.password, office.from_address) == \
        ("smtp.office365.com", "starttls", "from-the-env", "Contoso Sales <sales@contoso.example>")
    assert settings.smtp_profiles["relay"].ip_relay
    assert tmp_path in settings.attachment_dirs and settings.config_path == path


@pytest.mark.parametrize(("text", "env", "phrase"), [
    (CONFIG, {}, "password_env names O365_PASSWORD, which is not set"),
    ("[profiles.x]\nhost = 'h'\nportt = 25\n", {}, "unknown setting"),
    ("[profiles.x]\nport = 25\n", {}, "host is required"),
    ("[smtp]\nhost = 'h'\n", {}, "unknown section"),
    ("[profiles.x\n", {}, "not valid TOML"),
])
def test_bad_config_files(text: str, env: dict[str, str], phrase: str, tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text.format(dir=tmp_path) if "{dir}" in text else text)
    with pytest.raises(ConfigError, match=phrase):
        Settings.load({"SMTP2GO_MCP_CONFIG": str(path), **env})


def test_a_bad_config_stops_the_server_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(CONFIG.format(dir=tmp_path))
    done = subprocess.run([str(COMMAND)], env=clean_env(SMTP2GO_MCP_CONFIG=str(path)), capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 2 and "O365_PASSWORD, which is not set" in done.stderr


@pytest.mark.anyio
async def test_sandbox_keeps_smtp_mail_as_eml_files(tmp_path: Path) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "smtp2go_mcp", "--sandbox"],
                                   env=clean_env(SMTP2GO_MCP_DATA_DIR=str(tmp_path), **SMTP_ENV))
    log_path = tmp_path / "stderr.log"
    with log_path.open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            tested = await client.call_tool("SMTP_TEST_CONNECTION", {})
            sent = await client.call_tool("SMTP_SEND_EMAIL", {"to": ["jo@example.org"], "bcc": ["audit@example.org"],
                                                              "subject": "Sandbox hello", "text_body": "Hi Jo"})
            created = await client.call_tool("SMTP_SENDER_CREATE", {
                "sender_name": "Real", "email_address": "real@example.com",
                "smtp_configuration": {"host": "smtp.gmail.com", "port": 587, "username": "u", "password": "p"}})
            via_identity = await client.call_tool("SMTP_SEND_EMAIL", {"sender": "real@example.com", "to": ["jo@example.org"],
                                                                      "subject": "Still sandboxed", "text_body": "x"})
    mail_dir = tmp_path / "sandbox" / "mail"
    assert f"kept as an .eml file in {mail_dir}" in log_path.read_text()
    assert not tested.is_error and tested.structured_content["verdict"].startswith("OK")
    assert not sent.is_error, sent.content
    assert not created.is_error and not via_identity.is_error
    assert "not sent to smtp.gmail.com:587" in via_identity.structured_content["used"]["sandbox"]
    mail = sorted(mail_dir.glob("*.eml"))
    assert len(mail) == 2
    first = message_from_bytes(mail[0].read_bytes(), policy=default_policy)
    assert first["Subject"] == "Sandbox hello" and first["Bcc"] is None
    assert first["X-Sandbox-Rcpt-To"] is not None and "audit@example.org" in mail[0].read_text()
    assert (tmp_path / "sandbox" / "senders.sqlite3").exists()
    assert not (tmp_path / "senders.sqlite3").exists()  # sandbox identities stay apart from real ones
