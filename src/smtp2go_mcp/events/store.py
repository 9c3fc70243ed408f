"""Delivery events from webhook posts, kept in SQLite under the data directory.

One file (`events.sqlite3`, WAL) that several processes may share: an HTTP
server instance records what SMTP2GO posts, and a stdio server started by a
desktop client with the same data directory reads it. The store is bounded
(the newest `max_events` stay) and idempotent: SMTP2GO retries a post whose
answer it did not get, so the same event (name, email, recipient, time, link)
is stored once. The receiver's counters live in the same file, so every
process reports the same numbers.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from smtp2go_mcp.events.payload import WebhookEvent, address_key
from smtp2go_mcp.localdb import LocalDb

FILE_NAME = "events.sqlite3"
REJECTIONS = ("unauthorized", "malformed", "oversized")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe TEXT NOT NULL UNIQUE,   -- the same event posted again is not stored again
    received_at REAL NOT NULL,
    ts REAL NOT NULL,              -- the event's own time, unix seconds
    kind TEXT NOT NULL,            -- email | sms
    event TEXT NOT NULL,           -- normalized name
    raw_event TEXT NOT NULL,
    email_id TEXT,
    rcpt TEXT,
    rcpt_key TEXT,                 -- the bare address, lower-cased
    bounce TEXT,
    payload TEXT NOT NULL          -- the posted item, as JSON
);
CREATE INDEX IF NOT EXISTS events_email ON events(email_id, ts);
CREATE INDEX IF NOT EXISTS events_rcpt ON events(rcpt_key, ts);
CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value REAL NOT NULL);
"""


@dataclass(frozen=True)
class StoredEvent:
    id: int
    time: datetime
    received_at: datetime
    kind: str
    event: str
    raw_event: str
    email_id: str | None
    rcpt: str | None
    bounce: str | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class Recorded:
    stored: int  # new events
    duplicates: int  # events already stored (a retried post)


@dataclass(frozen=True)
class ReceiverCounts:
    accepted_posts: int = 0
    accepted_events: int = 0
    duplicate_events: int = 0
    rejected_unauthorized: int = 0
    rejected_malformed: int = 0
    rejected_oversized: int = 0
    last_post_at: datetime | None = None
    last_rejected_at: datetime | None = None


class EventStore:
    def __init__(self, data_dir: Path, max_events: int = 10_000) -> None:
        # WAL: a stdio server reading never waits for the HTTP receiver writing, nor blocks it.
        self._db = LocalDb(data_dir / FILE_NAME, _SCHEMA, wal=True)
        self.path = self._db.path
        self.max_events = max_events

    def record(self, events: Sequence[WebhookEvent]) -> Recorded:
        """Store one accepted post's events, count the post, and drop the oldest beyond the bound."""
        now = time.time()
        stored = 0
        with self._db.transaction() as db:
            for event in events:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO events (dedupe, received_at, ts, kind, event, raw_event, email_id, rcpt, "
                    "rcpt_key, bounce, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (_dedupe_key(event), now, event.time.timestamp(), event.kind, event.event, event.raw_event,
                     event.email_id, event.rcpt, event.rcpt_key, event.bounce,
                     json.dumps(dict(event.payload), ensure_ascii=False, default=str)))
                stored += cursor.rowcount
            db.execute("DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?)",
                       (self.max_events,))
            _add(db, "accepted_posts", 1)
            _add(db, "accepted_events", len(events))
            _add(db, "duplicate_events", len(events) - stored)
            _set(db, "last_post_at", now)
        return Recorded(stored=stored, duplicates=len(events) - stored)

    def count_rejection(self, reason: str) -> None:
        if reason not in REJECTIONS:
            raise ValueError(f"unknown rejection {reason!r}")
        with self._db.transaction() as db:
            _add(db, f"rejected_{reason}", 1)
            _set(db, "last_rejected_at", time.time())

    def counts(self) -> ReceiverCounts:
        with self._db.transaction(write=False) as db:
            values = {row["name"]: row["value"] for row in db.execute("SELECT name, value FROM counters")}
        times = {k: _utc(values.pop(k)) for k in ("last_post_at", "last_rejected_at") if k in values}
        known = set(ReceiverCounts.__dataclass_fields__)
        return ReceiverCounts(**{k: int(v) for k, v in values.items() if k in known}, **times)

    def query(self, *, email_id: str | None = None, rcpt: str | None = None, events: Sequence[str] | None = None,
              since: datetime | None = None, limit: int = 50) -> list[StoredEvent]:
        """Matching events, newest first (by the event's time, then by arrival)."""
        where, params = [], []
        if email_id:
            where.append("email_id = ?")
            params.append(email_id)
        if rcpt:
            where.append("rcpt_key = ?")
            params.append(address_key(rcpt))
        if events:
            where.append(f"event IN ({', '.join('?' * len(events))})")
            params.extend(events)
        if since is not None:
            where.append("ts >= ?")
            params.append(since.timestamp())
        sql = "SELECT * FROM events" + (" WHERE " + " AND ".join(where) if where else "")
        with self._db.transaction(write=False) as db:
            rows = db.execute(sql + " ORDER BY ts DESC, id DESC LIMIT ?", (*params, limit)).fetchall()
        return [_stored(row) for row in rows]

    def clear(self) -> None:
        """Forget every event and counter (the sandbox starts afresh each run)."""
        with self._db.transaction() as db:
            db.execute("DELETE FROM events")
            db.execute("DELETE FROM counters")


def _dedupe_key(event: WebhookEvent) -> str:
    if event.payload.get("time") in (None, ""):
        # No time to tell a retry from a new event by: only the identical post is the same.
        identity: Any = ["payload", event.rcpt_key, dict(event.payload)]
    else:
        url = event.payload.get("click_url") or event.payload.get("link") or event.payload.get("url")
        identity = [event.kind, event.event, event.bounce, event.email_id, event.rcpt_key, event.time.isoformat(),
                    url]
    text = json.dumps(identity, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _add(db: sqlite3.Connection, name: str, amount: float) -> None:
    db.execute("INSERT INTO counters (name, value) VALUES (?, ?) "
               "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value", (name, amount))


def _set(db: sqlite3.Connection, name: str, value: float) -> None:
    db.execute("INSERT INTO counters (name, value) VALUES (?, ?) "
               "ON CONFLICT(name) DO UPDATE SET value = excluded.value", (name, value))


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def _stored(row: sqlite3.Row) -> StoredEvent:
    return StoredEvent(id=row["id"], time=_utc(row["ts"]), received_at=_utc(row["received_at"]), kind=row["kind"],
                       event=row["event"], raw_event=row["raw_event"], email_id=row["email_id"], rcpt=row["rcpt"],
                       bounce=row["bounce"], payload=json.loads(row["payload"]))
