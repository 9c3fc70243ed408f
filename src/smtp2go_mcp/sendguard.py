"""Guards every send: the user's send policy, idempotency keys and the duplicate window.

Agents retry, loop and repeat themselves; an email cannot be unsent. Before a
send goes out, its messages are checked against the policy (allowed senders
and recipients, recipients per message, sends per hour) and against the send
log: a repeat of an idempotency key, or an identical message within the
window, gets the first result back (`duplicate: true`) and sends nothing. The
log is SQLite under the data directory, so this holds across restarts, and a
send in flight is reserved first, so two concurrent identical calls cannot
both go out.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from smtp2go_mcp.api.errors import Smtp2goError
from smtp2go_mcp.localdb import LocalDb

log = logging.getLogger(__name__)

# Error codes that prove nothing left: such results are not remembered, so fixing and repeating works.
NOTHING_SENT = frozenset({
    "invalid_arguments", "missing_api_key", "invalid_api_key", "policy_violation", "idempotency_key_reused",
    "send_in_progress", "send_failed", "rate_limited", "server_error", "connection_error", "bad_response", "timeout",
    "auth_failed", "tls_failed", "connection_failed", "sender_refused", "recipients_refused", "data_refused",
    "smtputf8_unsupported", "not_configured",
})


@dataclass(frozen=True)
class Outgoing:
    """One message about to be sent: who from, to whom, and what (for duplicate detection)."""

    sender: str
    recipients: Sequence[str]
    content: Any  # anything JSON-serialisable that identifies the message's content


@dataclass(frozen=True)
class SendPolicy:
    allowed_senders: tuple[str, ...] = ()  # addresses or domains; empty: any
    allowed_recipients: tuple[str, ...] = ()
    max_recipients: int | None = None  # per message
    max_sends_per_hour: int | None = None  # messages, across all send tools
    duplicate_window: float = 600.0  # seconds; 0 turns identical-message detection off

    def violation(self, items: Sequence[Outgoing], sent_last_hour: int) -> str | None:
        """The rule a send breaks, in words an agent can act on; None when it may go."""
        for index, item in enumerate(items):
            where = f"message {index + 1}: " if len(items) > 1 else ""
            if self.allowed_senders and not _matches(item.sender, self.allowed_senders):
                return (f"{where}the sender {item.sender} is not allowed; this server may send only from "
                        f"{', '.join(self.allowed_senders)}")
            outside = [r for r in item.recipients if self.allowed_recipients and not _matches(r, self.allowed_recipients)]
            if outside:
                return (f"{where}{', '.join(outside[:5])} {'is' if len(outside) == 1 else 'are'} not among the allowed "
                        f"recipients ({', '.join(self.allowed_recipients)})")
            if self.max_recipients is not None and len(item.recipients) > self.max_recipients:
                return (f"{where}{len(item.recipients)} recipients exceed the limit of {self.max_recipients} per message; "
                        "split the send")
        if self.max_sends_per_hour is not None and sent_last_hour + len(items) > self.max_sends_per_hour:
            return (f"the limit is {self.max_sends_per_hour} messages per hour and {sent_last_hour} were sent in the "
                    f"last hour, so {len(items)} more would exceed it; wait, or ask the user to raise the limit")
        return None


def _matches(address: str, allowed: Sequence[str]) -> bool:
    address = parseaddr(address)[1].lower() or address.lower()
    domain = address.rpartition("@")[2]
    for entry in allowed:
        entry = entry.lower().strip()
        if "@" in entry and address == entry:
            return True
        if "@" not in entry and (domain == entry or domain.endswith("." + entry)):
            return True
    return False


def fingerprint(tool_family: str, items: Sequence[Outgoing]) -> str:
    canonical = [{"sender": parseaddr(i.sender)[1].lower(),
                  "recipients": sorted({parseaddr(r)[1].lower() for r in i.recipients}),
                  "content": i.content} for i in items]
    text = json.dumps([tool_family, canonical], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS sends (
    id TEXT PRIMARY KEY,
    family TEXT NOT NULL,
    idempotency_key TEXT,
    fingerprint TEXT NOT NULL,
    created_at REAL NOT NULL,
    messages INTEGER NOT NULL,
    status TEXT NOT NULL,          -- pending | done
    result TEXT                    -- the structured result, for repeats
);
CREATE UNIQUE INDEX IF NOT EXISTS sends_key ON sends(family, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS sends_fingerprint ON sends(fingerprint, created_at);
"""

PENDING_TTL = 15 * 60  # a reservation older than this is from a process that died mid-send


@dataclass(frozen=True)
class Earlier:
    """A previous send that answers this one."""

    status: str
    result: dict[str, Any] | None
    same_message: bool


class SendLog:
    def __init__(self, data_dir: Path) -> None:
        self._db = LocalDb(data_dir / "send_log.sqlite3", _SCHEMA)
        self.path = self._db.path

    def sent_last_hour(self) -> int:
        with self._db.transaction() as db:
            row = db.execute("SELECT COALESCE(SUM(messages), 0) FROM sends WHERE created_at > ? AND status = 'done'",
                             (time.time() - 3600,)).fetchone()
        return int(row[0])

    def reserve(self, family: str, key: str | None, print_: str, messages: int,
                window: float) -> tuple[str | None, Earlier | None]:
        """Reserve this send, or return the earlier one that answers it (then nothing is reserved)."""
        now = time.time()
        with self._db.transaction() as db:
            db.execute("DELETE FROM sends WHERE status = 'pending' AND created_at < ?", (now - PENDING_TTL,))
            if key is not None:
                row = db.execute("SELECT * FROM sends WHERE family = ? AND idempotency_key = ?", (family, key)).fetchone()
                if row:
                    return None, _earlier(row, print_)
            elif window > 0:
                row = db.execute("SELECT * FROM sends WHERE fingerprint = ? AND created_at > ? "
                                 "ORDER BY created_at DESC LIMIT 1", (print_, now - window)).fetchone()
                if row:
                    return None, _earlier(row, print_)
            reservation = uuid.uuid4().hex
            db.execute("INSERT INTO sends VALUES (?, ?, ?, ?, ?, ?, 'pending', NULL)",
                       (reservation, family, key, print_, now, messages))
        return reservation, None

    def complete(self, reservation: str, result: dict[str, Any] | None) -> None:
        """Remember a send that may have gone out; forget one that certainly did not (result None)."""
        with self._db.transaction() as db:
            if result is None:
                db.execute("DELETE FROM sends WHERE id = ?", (reservation,))
            else:
                db.execute("UPDATE sends SET status = 'done', result = ? WHERE id = ?",
                           (json.dumps(result, ensure_ascii=False), reservation))


async def guarded_send(spec: Any, args: Any, ctx: Any, run: Any) -> Any:
    """Run a send tool under the policy and the duplicate guard; `run(spec, args, ctx)` does the send."""
    output_model = spec.output_model
    try:
        items = await spec.outgoing(args, ctx)
    except Smtp2goError as exc:
        return output_model.failure(exc.code, exc.message)
    policy: SendPolicy = ctx.settings.send_policy
    send_log: SendLog = ctx.runtime.send_log
    rule = policy.violation(items, send_log.sent_last_hour() if policy.max_sends_per_hour is not None else 0)
    if rule:
        return output_model.failure("policy_violation", f"Refused by this server's send policy: {rule}. "
                                    "Nothing was sent.", duplicate=False)
    key = getattr(args, "idempotency_key", None)
    reservation, earlier = send_log.reserve(spec.name, key, fingerprint(spec.name, items), len(items),
                                            policy.duplicate_window)
    if earlier is not None:
        if key is not None and not earlier.same_message:
            return output_model.failure(
                "idempotency_key_reused", f"The idempotency_key {key!r} was already used for a different message. "
                "Use a new key for a new message; nothing was sent.", duplicate=False)
        if earlier.status == "pending" or earlier.result is None:
            return output_model.failure("send_in_progress", "An identical send is still in progress; wait for its "
                                        "result instead of sending again. Nothing was sent now.", duplicate=False)
        log.info("%s: duplicate of an earlier send; answering with its result", spec.name)
        return output_model.model_validate({**earlier.result, "duplicate": True})
    assert reservation is not None
    try:
        output = await run(spec, args, ctx)
    except BaseException:
        # Interrupted mid-send (cancelled): whether it went out is unknown, so repeats are held back.
        interrupted = output_model.failure("outcome_unknown", "An identical send was interrupted while in "
                                           "progress and may or may not have gone out: check before sending again.",
                                           duplicate=False)
        send_log.complete(reservation, interrupted.model_dump(mode="json"))
        raise
    output = output.model_copy(update={"duplicate": False})
    went_out = output.successful or output.error_code not in NOTHING_SENT
    send_log.complete(reservation, output.model_dump(mode="json", exclude_unset=True) if went_out else None)
    return output


def _earlier(row: sqlite3.Row, print_: str) -> Earlier:
    return Earlier(status=row["status"], result=json.loads(row["result"]) if row["result"] else None,
                   same_message=row["fingerprint"] == print_)
