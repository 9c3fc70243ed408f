"""Settings: command-line flags win over the environment, the environment over defaults."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from smtp2go_mcp.api.client import DEFAULT_API_URL
from smtp2go_mcp.http_auth import MIN_TOKEN_LENGTH
from smtp2go_mcp.sendguard import SendPolicy
from smtp2go_mcp.smtp.profiles import ProfileError, SmtpProfile, default_profile, profiles_from_file

TRANSPORTS = ("stdio", "sse", "streamable-http")
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{16,200}")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class ConfigError(ValueError):
    """A setting is wrong; the message names the setting and how to fix it."""


@dataclass(frozen=True)
class EnvVar:
    name: str
    description: str
    secret: bool = False
    format: str = "string"
    default: str | None = None


# Every variable the server reads; server.json and the README's table are generated from this.
ENVIRONMENT = (
    EnvVar("SMTP2GO_API_KEY", "Your SMTP2GO API key (api-...). Without it the server still starts and "
           "lists its tools; SMTP2GO tools then answer missing_api_key.", secret=True),
    EnvVar("SMTP2GO_API_URL", "SMTP2GO API base URL; regional hosts are https://us-api.smtp2go.com/v3, "
           "https://eu-api.smtp2go.com/v3 and https://au-api.smtp2go.com/v3.", default=DEFAULT_API_URL),
    EnvVar("SMTP2GO_MCP_TIMEOUT", "Seconds to wait for an SMTP2GO answer before reporting a timeout.",
           format="number", default="30"),
    EnvVar("SMTP2GO_MCP_RETRIES", "How many times a read is retried after a 429, a 5xx or a connection error, "
           "with exponential backoff (sends and changes are never retried).", format="number", default="2"),
    EnvVar("SMTP2GO_MCP_ATTACHMENT_DIRS", "Directories whose files the send tools may attach by `path`, "
           "separated like PATH (':' on Linux and macOS, ';' on Windows). Unset: local files are refused.",
           format="filepath"),
    EnvVar("SMTP2GO_MCP_TOOLSETS", "Offer only these toolsets, comma-separated (e.g. email,activity,stats); "
           "default all."),
    EnvVar("SMTP2GO_MCP_READ_ONLY", "1 to offer only tools that read (no sending, no changes).", format="boolean",
           default="0"),
    EnvVar("SMTP2GO_MCP_TOOLS", "Offer only these tools, comma-separated (an allow-list within the toolsets)."),
    EnvVar("SMTP2GO_MCP_EXCLUDE_TOOLS", "Never offer these tools, comma-separated."),
    EnvVar("SMTP2GO_MCP_DYNAMIC_TOOLSETS", "1 to start with only the toolset discovery tools (and any --toolsets) "
           "and add toolsets when the agent asks for them.", format="boolean", default="0"),
    EnvVar("SMTP_HOST", "The default SMTP server for the SMTP_* tools, e.g. smtp.gmail.com or mail.smtp2go.com."),
    EnvVar("SMTP_PORT", "Its port; default 587 for starttls, 465 for tls, 25 for none.", format="number"),
    EnvVar("SMTP_SECURITY", "starttls (default), tls (implicit TLS, usually port 465) or none (only on a "
           "trusted network)."),
    EnvVar("SMTP_USERNAME", "Login for SMTP AUTH; leave unset for a relay that trusts this machine's IP address."),
    EnvVar("SMTP_PASSWORD", "Password for SMTP AUTH (for Gmail, an app password).", secret=True),
    EnvVar("SMTP_FROM", "From used when a message gives none, e.g. 'Sales <sales@example.com>'."),
    EnvVar("SMTP2GO_MCP_CONFIG", "A TOML file with named SMTP profiles and attachment directories "
           "(see the README).", format="filepath"),
    EnvVar("SMTP2GO_MCP_DATA_DIR", "Where local state lives (sender identities, the sandbox's mail); default "
           "~/.local/share/smtp2go-mcp.", format="filepath"),
    EnvVar("SMTP2GO_MCP_SMTP_TIMEOUT", "Seconds to wait for each SMTP step before reporting a timeout.",
           format="number", default="30"),
    EnvVar("SMTP2GO_MCP_SMTP_CA_FILE", "Extra CA certificates (PEM) to trust for SMTP TLS, e.g. an internal CA.",
           format="filepath"),
    EnvVar("SMTP2GO_MCP_ALLOW_PRIVATE_URLS", "1 to let attachment URLs point at private, loopback or link-local "
           "addresses (refused by default).", format="boolean", default="0"),
    EnvVar("SMTP2GO_MCP_ALLOWED_RECIPIENTS", "Send policy: the only recipient addresses or domains the send tools "
           "may use, comma-separated (a domain includes its subdomains); default any."),
    EnvVar("SMTP2GO_MCP_ALLOWED_SENDERS", "Send policy: the only From addresses or domains, comma-separated; "
           "default any."),
    EnvVar("SMTP2GO_MCP_MAX_RECIPIENTS", "Send policy: most recipients (to+cc+bcc) per message.", format="number"),
    EnvVar("SMTP2GO_MCP_MAX_SENDS_PER_HOUR", "Send policy: most messages sent per hour, all send tools together.",
           format="number"),
    EnvVar("SMTP2GO_MCP_DUPLICATE_WINDOW", "Seconds in which an identical message is answered as a duplicate "
           "instead of being sent again; 0 turns this off.", format="number", default="600"),
    EnvVar("SMTP2GO_MCP_ALLOWED_URL_HOSTS", "Host names attachment URLs may use even though they are private "
           "(e.g. an intranet file server), comma-separated."),
    EnvVar("SMTP2GO_MCP_LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR; logs go to stderr.", default="INFO"),
    EnvVar("SMTP2GO_MCP_AUTH_TOKEN", "HTTP transports: a bearer token every request must carry "
           "(Authorization: Bearer ...); required to bind an address other than loopback.", secret=True),
    EnvVar("SMTP2GO_MCP_MAX_REQUEST_BYTES", "HTTP transports: largest request body accepted (413 beyond); "
           "send bigger attachments by path or url.", format="number", default="4194304"),
    EnvVar("SMTP2GO_MCP_ALLOWED_HOSTS", "HTTP transports: extra Host values to accept, comma-separated "
           "(e.g. mcp.example.com:*), for a reverse proxy."),
    EnvVar("SMTP2GO_MCP_ALLOWED_ORIGINS", "HTTP transports: extra Origin values to accept, comma-separated "
           "(e.g. https://app.example.com)."),
    EnvVar("SMTP2GO_MCP_WEBHOOK_SECRET", "HTTP transports: accept SMTP2GO webhook posts at "
           "/webhooks/smtp2go/<this secret> (letters, digits, - and _; at least 16). The sandbox makes one up.",
           secret=True),
    EnvVar("SMTP2GO_MCP_PUBLIC_URL", "The address SMTP2GO reaches this server at (e.g. https://mcp.example.com), "
           "so SMTP2GO_WEBHOOK_ADD can point a webhook at it."),
    EnvVar("SMTP2GO_MCP_EVENTS_MAX", "Most delivery events kept from webhook posts (the oldest go first).",
           format="number", default="10000"),
)


@dataclass(frozen=True)
class Settings:
    api_key: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    timeout: float = 30.0
    retries: int = 2
    retry_base_delay: float = 0.5
    retry_budget: float = 15.0
    transport: str = "stdio"
    host: str = "127.0.0.1"
    port: int = 8000
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    auth_token: str | None = field(default=None, repr=False)
    insecure_no_auth: bool = False
    max_request_bytes: int = 4 * 1024 * 1024
    sandbox: bool = False
    attachment_dirs: tuple[Path, ...] = ()
    data_dir: Path = field(default_factory=lambda: default_data_dir(os.environ))
    config_path: Path | None = None
    smtp_default: SmtpProfile | None = None
    smtp_profiles: Mapping[str, SmtpProfile] = field(default_factory=dict)
    smtp_timeout: float = 30.0
    smtp_ca_file: Path | None = None
    allow_private_urls: bool = False
    allowed_url_hosts: tuple[str, ...] = ()
    # Sandbox mode: every SMTP connection goes to this local sink instead, whatever the configuration.
    smtp_sandbox: SmtpProfile | None = None
    send_policy: SendPolicy = field(default_factory=SendPolicy)
    toolsets: tuple[str, ...] = ()  # empty: all
    read_only: bool = False
    tools: tuple[str, ...] = ()  # empty: no allow-list
    exclude_tools: tuple[str, ...] = ()
    dynamic_toolsets: bool = False
    log_level: str = "INFO"
    webhook_secret: str | None = field(default=None, repr=False)
    public_url: str | None = None
    events_max: int = 10_000

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **flags: Any) -> "Settings":
        """Build settings from `env` (default: os.environ) and CLI `flags` (None = not given)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {
            "api_key": env.get("SMTP2GO_API_KEY", "").strip() or None,
            "api_url": env.get("SMTP2GO_API_URL", "").strip() or DEFAULT_API_URL,
            "log_level": env.get("SMTP2GO_MCP_LOG_LEVEL", "INFO").upper(),
            "allowed_hosts": _split(env.get("SMTP2GO_MCP_ALLOWED_HOSTS")),
            "allowed_origins": _split(env.get("SMTP2GO_MCP_ALLOWED_ORIGINS")),
            "auth_token": env.get("SMTP2GO_MCP_AUTH_TOKEN", "").strip() or None,
            "toolsets": _split(env.get("SMTP2GO_MCP_TOOLSETS")),
            "read_only": _flag("SMTP2GO_MCP_READ_ONLY", env.get("SMTP2GO_MCP_READ_ONLY")),
            "tools": _split(env.get("SMTP2GO_MCP_TOOLS")),
            "exclude_tools": _split(env.get("SMTP2GO_MCP_EXCLUDE_TOOLS")),
            "dynamic_toolsets": _flag("SMTP2GO_MCP_DYNAMIC_TOOLSETS", env.get("SMTP2GO_MCP_DYNAMIC_TOOLSETS")),
            "webhook_secret": env.get("SMTP2GO_MCP_WEBHOOK_SECRET", "").strip() or None,
            "public_url": env.get("SMTP2GO_MCP_PUBLIC_URL", "").strip().rstrip("/") or None,
            "attachment_dirs": tuple(Path(p).expanduser() for p in
                                     (env.get("SMTP2GO_MCP_ATTACHMENT_DIRS") or "").split(os.pathsep) if p.strip()),
        }
        if env.get("SMTP2GO_MCP_TIMEOUT"):
            values["timeout"] = _number("SMTP2GO_MCP_TIMEOUT", env["SMTP2GO_MCP_TIMEOUT"])
        if env.get("SMTP2GO_MCP_MAX_REQUEST_BYTES"):
            values["max_request_bytes"] = int(_number("SMTP2GO_MCP_MAX_REQUEST_BYTES",
                                                      env["SMTP2GO_MCP_MAX_REQUEST_BYTES"]))
        if env.get("SMTP2GO_MCP_RETRIES"):
            values["retries"] = int(_number("SMTP2GO_MCP_RETRIES", env["SMTP2GO_MCP_RETRIES"]))
        if env.get("SMTP2GO_MCP_EVENTS_MAX"):
            values["events_max"] = int(_number("SMTP2GO_MCP_EVENTS_MAX", env["SMTP2GO_MCP_EVENTS_MAX"]))
        values.update(_smtp_settings(env))
        values["send_policy"] = _send_policy(env, values.pop("config_policy", {}))
        values["attachment_dirs"] = values["attachment_dirs"] + values.pop("config_attachment_dirs", ())
        values.update({k: v for k, v in flags.items() if v is not None})
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        if self.transport not in TRANSPORTS:
            raise ConfigError(f"--transport must be one of {', '.join(TRANSPORTS)}, not {self.transport!r}")
        if not self.api_url.startswith(("https://", "http://")):
            raise ConfigError(f"SMTP2GO_API_URL must be an http(s) URL such as {DEFAULT_API_URL}, not {self.api_url!r}")
        if not 0 < self.timeout <= 600:
            raise ConfigError("SMTP2GO_MCP_TIMEOUT must be a number of seconds between 0 and 600")
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"--port must be between 0 and 65535, not {self.port}")
        for directory in self.attachment_dirs:
            if not directory.is_dir():
                raise ConfigError(f"attachment directory {directory} (SMTP2GO_MCP_ATTACHMENT_DIRS or the config "
                              "file) is not a directory")
        if self.auth_token is not None and len(self.auth_token) < MIN_TOKEN_LENGTH:
            raise ConfigError(f"the auth token must have at least {MIN_TOKEN_LENGTH} characters "
                              "(e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)")
        exposed = self.transport != "stdio" and self.host not in LOOPBACK_HOSTS
        if exposed and not self.auth_token and not self.insecure_no_auth:
            raise ConfigError(f"--host {self.host} makes the server reachable from other machines: set "
                              "SMTP2GO_MCP_AUTH_TOKEN (or --auth-token) so clients must authenticate, or pass "
                              "--insecure-no-auth if something in front of it (a reverse proxy) does that")
        if self.max_request_bytes < 1024:
            raise ConfigError("SMTP2GO_MCP_MAX_REQUEST_BYTES must be at least 1024")
        if not 0 <= self.retries <= 10:
            raise ConfigError("SMTP2GO_MCP_RETRIES must be a whole number from 0 to 10")
        if not 0 < self.smtp_timeout <= 600:
            raise ConfigError("SMTP2GO_MCP_SMTP_TIMEOUT must be a number of seconds between 0 and 600")
        if self.smtp_ca_file and not self.smtp_ca_file.is_file():
            raise ConfigError(f"SMTP2GO_MCP_SMTP_CA_FILE: {self.smtp_ca_file} is not a file")
        if self.webhook_secret is not None and not _WEBHOOK_SECRET.fullmatch(self.webhook_secret):
            raise ConfigError("SMTP2GO_MCP_WEBHOOK_SECRET must be at least 16 letters, digits, - or _ (it is part "
                              "of a URL), e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`")
        if self.public_url is not None and not self.public_url.startswith(("https://", "http://")):
            raise ConfigError(f"SMTP2GO_MCP_PUBLIC_URL must be an http(s) URL such as https://mcp.example.com, "
                              f"not {self.public_url!r}")
        if not 100 <= self.events_max <= 10_000_000:
            raise ConfigError("SMTP2GO_MCP_EVENTS_MAX must be a whole number from 100 to 10000000")
        if self.log_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ConfigError("SMTP2GO_MCP_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **changes)


def default_data_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "smtp2go-mcp"


def _smtp_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """SMTP profiles, data dir and the config file, which may add profiles and attachment directories."""
    values: dict[str, Any] = {
        "data_dir": Path(env["SMTP2GO_MCP_DATA_DIR"]).expanduser() if env.get("SMTP2GO_MCP_DATA_DIR")
        else default_data_dir(env),
        "allow_private_urls": _flag("SMTP2GO_MCP_ALLOW_PRIVATE_URLS", env.get("SMTP2GO_MCP_ALLOW_PRIVATE_URLS")),
        "allowed_url_hosts": _split(env.get("SMTP2GO_MCP_ALLOWED_URL_HOSTS")),
    }
    if env.get("SMTP2GO_MCP_SMTP_TIMEOUT"):
        values["smtp_timeout"] = _number("SMTP2GO_MCP_SMTP_TIMEOUT", env["SMTP2GO_MCP_SMTP_TIMEOUT"])
    if env.get("SMTP2GO_MCP_SMTP_CA_FILE"):
        values["smtp_ca_file"] = Path(env["SMTP2GO_MCP_SMTP_CA_FILE"]).expanduser()
    try:
        values["smtp_default"] = default_profile(env)
        if env.get("SMTP2GO_MCP_CONFIG"):
            path = Path(env["SMTP2GO_MCP_CONFIG"]).expanduser()
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise ConfigError(f"SMTP2GO_MCP_CONFIG: cannot read {path} ({exc.strerror})") from None
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"SMTP2GO_MCP_CONFIG: {path} is not valid TOML ({exc})") from None
            unknown = set(data) - {"profiles", "attachments", "policy"}
            if unknown:
                raise ConfigError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}; "
                                  "known: [profiles.<name>], [attachments], [policy]")
            values["config_policy"] = data.get("policy", {})
            values["config_path"] = path
            values["smtp_profiles"] = profiles_from_file(data, env, path)
            dirs = data.get("attachments", {}).get("allowed_dirs", [])
            if not isinstance(dirs, list) or not all(isinstance(d, str) for d in dirs):
                raise ConfigError(f"{path}: attachments.allowed_dirs must be a list of directory paths")
            values["config_attachment_dirs"] = tuple(Path(d).expanduser() for d in dirs)
    except ProfileError as exc:
        raise ConfigError(str(exc)) from None
    return values


_POLICY_KEYS = {"allowed_recipients", "allowed_senders", "max_recipients", "max_sends_per_hour", "duplicate_window"}


def _send_policy(env: Mapping[str, str], table: Any) -> SendPolicy:
    """[policy] in the config file, each setting overridden by its SMTP2GO_MCP_* variable."""
    if not isinstance(table, dict) or set(table) - _POLICY_KEYS:
        raise ConfigError(f"[policy] takes only {', '.join(sorted(_POLICY_KEYS))}")
    values = dict(table)
    for key, variable in (("allowed_recipients", "SMTP2GO_MCP_ALLOWED_RECIPIENTS"),
                          ("allowed_senders", "SMTP2GO_MCP_ALLOWED_SENDERS")):
        if env.get(variable):
            values[key] = list(_split(env[variable]))
        if not isinstance(values.get(key, []), list):
            raise ConfigError(f"[policy] {key} must be a list of addresses or domains")
        values[key] = tuple(str(v).strip() for v in values.get(key, []))
    for key, variable in (("max_recipients", "SMTP2GO_MCP_MAX_RECIPIENTS"),
                          ("max_sends_per_hour", "SMTP2GO_MCP_MAX_SENDS_PER_HOUR"),
                          ("duplicate_window", "SMTP2GO_MCP_DUPLICATE_WINDOW")):
        if env.get(variable):
            values[key] = _number(variable, env[variable])
        if key in values and (isinstance(values[key], bool) or not isinstance(values[key], (int, float))
                              or values[key] < 0):
            raise ConfigError(f"{variable} ([policy] {key}) must be a number of 0 or more")
    for key in ("max_recipients", "max_sends_per_hour"):
        if key in values:
            values[key] = int(values[key])
    return SendPolicy(**values)


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _flag(name: str, value: str | None) -> bool:
    text = (value or "").strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return False
    if text in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1/true/yes or 0/false/no, not {value!r}")


def _number(name: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {value!r}") from None
