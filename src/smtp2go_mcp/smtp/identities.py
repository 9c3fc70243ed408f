"""Sender identities: a From address with the SMTP configuration to send it through.

They are created at run time (the way integration platforms provision a
custom sender) and kept in SQLite under the data directory, so they survive
restarts. The file is created 0600 in a 0700 directory: it holds SMTP
passwords. Nothing read from here ever returns a password to a caller.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import formataddr
from pathlib import Path
from typing import Any

from smtp2go_mcp.localdb import LocalDb
from smtp2go_mcp.smtp.profiles import Security, SmtpProfile, security_for

_SCHEMA = """
CREATE TABLE IF NOT EXISTS senders (
    id TEXT PRIMARY KEY,
    sender_name TEXT NOT NULL,
    email_address TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL,
    config_id TEXT NOT NULL,
    host TEXT NOT NULL,
    port_json TEXT NOT NULL,
    security TEXT NOT NULL,
    ip_relay_auth INTEGER NOT NULL,
    username TEXT,
    password TEXT,
    password_env TEXT
)
"""


class DuplicateSender(ValueError):
    pass


@dataclass(frozen=True)
class SenderIdentity:
    id: str
    sender_name: str
    email_address: str
    created_at: str
    config_id: str
    host: str
    port: int | str  # kept as given: a number, or digits in a string
    security: Security
    ip_relay_auth: bool
    username: str | None
    password: str | None = field(default=None, repr=False)
    password_env: str | None = None

    def public(self) -> dict[str, Any]:
        """The identity as tools show it: ids and configuration, never the password."""
        return {
            "id": self.id, "sender_name": self.sender_name, "email_address": self.email_address,
            "created_at": self.created_at,
            "smtp_configuration": {
                "id": self.config_id, "host": self.host, "port": self.port, "security": self.security,
                "ip_relay_auth": self.ip_relay_auth, "username": self.username,
                "password_set": bool(self.password or self.password_env), "password_env": self.password_env,
            },
        }

    def profile(self) -> SmtpProfile:
        password = os.environ.get(self.password_env) if self.password_env else self.password
        return SmtpProfile(name=self.email_address, host=self.host, port=int(self.port), security=self.security,
                           username=None if self.ip_relay_auth else self.username,
                           password=None if self.ip_relay_auth else password,
                           from_address=formataddr((self.sender_name, self.email_address)), source="sender")


class SenderStore:
    """The identities file; each call opens it briefly, so several server processes can share it."""

    def __init__(self, data_dir: Path) -> None:
        self._db = LocalDb(data_dir / "senders.sqlite3", _SCHEMA)
        self.path = self._db.path

    def create(self, *, sender_name: str, email_address: str, host: str, port: int | str, security: str | None,
               ip_relay_auth: bool, username: str | None, password: str | None,
               password_env: str | None) -> SenderIdentity:
        identity = SenderIdentity(
            id=f"snd_{uuid.uuid4().hex[:16]}", sender_name=sender_name, email_address=email_address,
            created_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), config_id=f"cfg_{uuid.uuid4().hex[:16]}",
            host=host, port=port, security=security_for(security, int(port), "smtp_configuration"),
            ip_relay_auth=ip_relay_auth, username=None if ip_relay_auth else username,
            password=None if ip_relay_auth else password, password_env=None if ip_relay_auth else password_env)
        with self._db.transaction() as db:
            try:
                db.execute(
                    "INSERT INTO senders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (identity.id, identity.sender_name, identity.email_address, identity.created_at, identity.config_id,
                     identity.host, json.dumps(identity.port), identity.security, int(identity.ip_relay_auth),
                     identity.username, identity.password, identity.password_env))
            except sqlite3.IntegrityError:
                raise DuplicateSender(email_address) from None
        return identity

    def list(self) -> list[SenderIdentity]:
        with self._db.transaction(write=False) as db:
            rows = db.execute("SELECT * FROM senders ORDER BY created_at, email_address").fetchall()
        return [_identity(row) for row in rows]

    def get(self, email_address: str) -> SenderIdentity | None:
        with self._db.transaction(write=False) as db:
            row = db.execute("SELECT * FROM senders WHERE email_address = ?", (email_address,)).fetchone()
        return _identity(row) if row else None

    def delete(self, *, email_address: str | None = None, sender_id: str | None = None) -> SenderIdentity | None:
        with self._db.transaction() as db:
            row = db.execute("SELECT * FROM senders WHERE email_address = ? OR id = ?",
                             (email_address or "", sender_id or "")).fetchone()
            if row:
                db.execute("DELETE FROM senders WHERE id = ?", (row["id"],))
        return _identity(row) if row else None


def _identity(row: sqlite3.Row) -> SenderIdentity:
    return SenderIdentity(
        id=row["id"], sender_name=row["sender_name"], email_address=row["email_address"], created_at=row["created_at"],
        config_id=row["config_id"], host=row["host"], port=json.loads(row["port_json"]), security=row["security"],
        ip_relay_auth=bool(row["ip_relay_auth"]), username=row["username"], password=row["password"],
        password_env=row["password_env"])
