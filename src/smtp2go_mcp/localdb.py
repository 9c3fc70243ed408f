"""The SQLite files under the data directory: sender identities, the send log, delivery events.

Each call opens its file briefly, so several server processes with the same data directory
(an HTTP instance and the stdio one a desktop client starts) share it safely. The files hold
credentials, addresses or what was sent: this user's eyes only.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from smtp2go_mcp.attachments import private_dir


class LocalDb:
    def __init__(self, path: Path, schema: str, *, wal: bool = False) -> None:
        self.path = path
        self._schema = schema
        self._wal = wal  # readers never wait for the writer, nor block it (for a file written and read at once)
        self._ready = False
        self._creating = threading.Lock()  # the receiver and a tool call may open a new file at once

    def _create(self) -> None:
        with self._creating:
            private_dir(self.path.parent)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            os.chmod(self.path, 0o600)
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            try:
                # Switching to WAL needs the file to itself (a busy file answers "locked" at once); it is a
                # property of the file, so it is switched only while it is not set yet.
                if self._wal and connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    connection.execute("PRAGMA journal_mode=WAL")
                connection.executescript(self._schema)
            finally:
                connection.close()
            self._ready = True

    @contextlib.contextmanager
    def transaction(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """A short transaction: committed on success, rolled back on error, always closed.

        A write transaction takes the write lock at once (one writer at a time, across processes too).
        """
        if not self._ready or not self.path.exists():  # the file may have been removed since
            self._create()
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            connection.row_factory = sqlite3.Row
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        finally:
            connection.close()
