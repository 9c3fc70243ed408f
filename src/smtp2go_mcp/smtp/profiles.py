"""SMTP connection profiles: the default one from SMTP_* variables, named ones from the config file.

Passwords come from the environment (`password_env` in the file), so the
config file can be shared and committed; an inline `password` works but is
discouraged (it is logged as a warning, never the value).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

Security = Literal["starttls", "tls", "none"]
SECURITY_MODES: tuple[Security, ...] = ("starttls", "tls", "none")
DEFAULT_PORTS: dict[str, int] = {"tls": 465, "starttls": 587, "none": 25}


class ProfileError(ValueError):
    """A profile is misconfigured; the message names the setting."""


@dataclass(frozen=True)
class SmtpProfile:
    name: str
    host: str
    port: int
    security: Security = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    from_address: str | None = None  # the From used when a message gives none
    ca_file: Path | None = None  # extra certificates to trust (e.g. an internal CA)
    # What a result may say about where a message went (never a password).
    source: str = "profile"

    @property
    def ip_relay(self) -> bool:
        """No AUTH at all: the server trusts the client's address (an internal relay)."""
        return self.username is None

    def describe(self) -> dict[str, Any]:
        return {"source": self.source, "name": self.name, "host": self.host, "port": self.port,
                "security": self.security, "auth": "ip_relay" if self.ip_relay else "password",
                "username": self.username}


def security_for(value: str | None, port: int | None, where: str) -> Security:
    if value is None or value == "":
        return "tls" if port == 465 else "starttls"
    text = value.strip().lower()
    if text in ("ssl", "implicit"):
        text = "tls"
    if text not in SECURITY_MODES:
        raise ProfileError(f"{where}: security must be starttls, tls (implicit TLS, port 465) or none, not {value!r}")
    return text  # type: ignore[return-value]


def _port(value: Any, where: str) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise ProfileError(f"{where}: port must be a number, not {value!r}") from None
    if not 0 < port < 65536:
        raise ProfileError(f"{where}: port must be between 1 and 65535, not {port}")
    return port


def build_profile(name: str, values: Mapping[str, Any], env: Mapping[str, str], where: str,
                  source: str = "profile") -> SmtpProfile:
    host = str(values.get("host") or "").strip()
    if not host:
        raise ProfileError(f"{where}: host is required")
    given_port = _port(values["port"], where) if values.get("port") not in (None, "") else None
    security = security_for(values.get("security"), given_port, where)
    port = given_port or DEFAULT_PORTS[security]
    username = str(values["username"]).strip() if values.get("username") else None
    password = values.get("password")
    if values.get("password_env"):
        variable = str(values["password_env"])
        if variable not in env:
            raise ProfileError(f"{where}: password_env names {variable}, which is not set in the environment")
        password = env[variable]
    elif password:
        log.warning("%s: the password is written in the config file; prefer password_env", where)
    if username and not password:
        raise ProfileError(f"{where}: username is set but no password (set password_env, or leave out username "
                           "for a relay that authenticates by IP address)")
    if password and not username:
        raise ProfileError(f"{where}: a password needs a username")
    ca_file = Path(str(values["ca_file"])).expanduser() if values.get("ca_file") else None
    if ca_file and not ca_file.is_file():
        raise ProfileError(f"{where}: ca_file {ca_file} does not exist")
    from_address = str(values["from"]).strip() if values.get("from") else None
    return SmtpProfile(name=name, host=host, port=port, security=security, username=username,
                       password=str(password) if password else None, from_address=from_address,
                       ca_file=ca_file, source=source)


def default_profile(env: Mapping[str, str]) -> SmtpProfile | None:
    """The SMTP_* variables, if SMTP_HOST is set."""
    if not env.get("SMTP_HOST"):
        for name in ("SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_PORT"):
            if env.get(name):
                raise ProfileError(f"{name} is set but SMTP_HOST is not; set SMTP_HOST to use the default SMTP profile")
        return None
    values = {"host": env["SMTP_HOST"], "port": env.get("SMTP_PORT"), "security": env.get("SMTP_SECURITY"),
              "username": env.get("SMTP_USERNAME"), "password": env.get("SMTP_PASSWORD"), "from": env.get("SMTP_FROM")}
    # SMTP_PASSWORD is already an environment variable: no warning about inline passwords here.
    password = values.pop("password")
    return build_profile("default", {**values, "password_env": "SMTP_PASSWORD" if password else None},
                         env, "SMTP_* variables", source="default")


def profiles_from_file(data: Mapping[str, Any], env: Mapping[str, str], path: Path) -> dict[str, SmtpProfile]:
    section = data.get("profiles", {})
    if not isinstance(section, dict):
        raise ProfileError(f"{path}: [profiles] must be a table of named profiles")
    profiles = {}
    for name, values in section.items():
        if not isinstance(values, dict):
            raise ProfileError(f"{path}: profiles.{name} must be a table")
        unknown = set(values) - {"host", "port", "security", "username", "password", "password_env", "from", "ca_file"}
        if unknown:
            raise ProfileError(f"{path}: profiles.{name} has unknown setting(s) {', '.join(sorted(unknown))}")
        profiles[name] = build_profile(name, values, env, f"{path}: profiles.{name}")
    return profiles
