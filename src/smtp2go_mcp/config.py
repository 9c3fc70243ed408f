"""Settings: command-line flags win over the environment, the environment over defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from smtp2go_mcp.api.client import DEFAULT_API_URL

TRANSPORTS = ("stdio", "sse", "streamable-http")
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
    EnvVar("SMTP2GO_MCP_ATTACHMENT_DIRS", "Directories whose files the send tools may attach by `path`, "
           "separated like PATH (':' on Linux and macOS, ';' on Windows). Unset: local files are refused.",
           format="filepath"),
    EnvVar("SMTP2GO_MCP_TOOLSETS", "Offer only these toolsets, comma-separated (e.g. email,activity,stats); "
           "default all."),
    EnvVar("SMTP2GO_MCP_READ_ONLY", "1 to offer only tools that read (no sending, no changes).", format="boolean",
           default="0"),
    EnvVar("SMTP2GO_MCP_TOOLS", "Offer only these tools, comma-separated (an allow-list within the toolsets)."),
    EnvVar("SMTP2GO_MCP_EXCLUDE_TOOLS", "Never offer these tools, comma-separated."),
    EnvVar("SMTP2GO_MCP_LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR; logs go to stderr.", default="INFO"),
    EnvVar("SMTP2GO_MCP_ALLOWED_HOSTS", "HTTP transports: extra Host values to accept, comma-separated "
           "(e.g. mcp.example.com:*), for a reverse proxy."),
    EnvVar("SMTP2GO_MCP_ALLOWED_ORIGINS", "HTTP transports: extra Origin values to accept, comma-separated "
           "(e.g. https://app.example.com)."),
)


@dataclass(frozen=True)
class Settings:
    api_key: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    timeout: float = 30.0
    transport: str = "stdio"
    host: str = "127.0.0.1"
    port: int = 8000
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    sandbox: bool = False
    attachment_dirs: tuple[Path, ...] = ()
    toolsets: tuple[str, ...] = ()  # empty: all
    read_only: bool = False
    tools: tuple[str, ...] = ()  # empty: no allow-list
    exclude_tools: tuple[str, ...] = ()
    log_level: str = "INFO"

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
            "toolsets": _split(env.get("SMTP2GO_MCP_TOOLSETS")),
            "read_only": _flag("SMTP2GO_MCP_READ_ONLY", env.get("SMTP2GO_MCP_READ_ONLY")),
            "tools": _split(env.get("SMTP2GO_MCP_TOOLS")),
            "exclude_tools": _split(env.get("SMTP2GO_MCP_EXCLUDE_TOOLS")),
            "attachment_dirs": tuple(Path(p).expanduser() for p in
                                     (env.get("SMTP2GO_MCP_ATTACHMENT_DIRS") or "").split(os.pathsep) if p.strip()),
        }
        if env.get("SMTP2GO_MCP_TIMEOUT"):
            values["timeout"] = _number("SMTP2GO_MCP_TIMEOUT", env["SMTP2GO_MCP_TIMEOUT"])
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
                raise ConfigError(f"SMTP2GO_MCP_ATTACHMENT_DIRS: {directory} is not a directory")
        if self.log_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ConfigError("SMTP2GO_MCP_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **changes)


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
