"""The sandbox's SMTP server: accepts everything on loopback and keeps each message as an .eml file."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP

from smtp2go_mcp.attachments import private_dir
from smtp2go_mcp.http_server import bind

log = logging.getLogger(__name__)


class SaveToDirectory:
    """aiosmtpd handler: each message to <directory>/<time>-<n>.eml, envelope first as X-Sandbox-* headers."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._counter = itertools.count(1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        path = self.directory / f"{stamp}-{next(self._counter):04d}.eml"
        envelope_lines = [f"X-Sandbox-Mail-From: {envelope.mail_from}\r\n"]
        envelope_lines += [f"X-Sandbox-Rcpt-To: {rcpt}\r\n" for rcpt in envelope.rcpt_tos]
        with os.fdopen(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600), "wb") as file:
            file.write("".join(envelope_lines).encode("utf-8") + envelope.original_content)
        log.info("Sandbox SMTP: kept a message for %d recipient(s) as %s", len(envelope.rcpt_tos), path)
        return f"250 2.0.0 Kept by the sandbox as {path.name}"


@contextlib.asynccontextmanager
async def running_sink(directory: Path) -> AsyncIterator[tuple[str, int]]:
    """An SMTP server on 127.0.0.1 (no TLS, no AUTH) saving into `directory`; yields (host, port)."""
    private_dir(directory.parent)
    private_dir(directory)
    handler = SaveToDirectory(directory)
    sock = bind("127.0.0.1", 0)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sandbox.smtp2go-mcp.local", enable_SMTPUTF8=True), sock=sock)
    try:
        yield "127.0.0.1", sock.getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()
