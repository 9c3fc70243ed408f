"""Attachment content from a local file or base64, checked before anything is sent.

Local files are read only from the directories the user allowed
(SMTP2GO_MCP_ATTACHMENT_DIRS), after resolving symlinks and `..`, so an agent
cannot be talked into mailing ~/.ssh/id_rsa or /etc/passwd.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from smtp2go_mcp.api.errors import InvalidArguments

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class LoadedFile:
    filename: str
    content: bytes
    mimetype: str


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by this user only: it holds credentials or mail."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def guess_mimetype(filename: str) -> str:
    return mimetypes.guess_type(filename, strict=False)[0] or "application/octet-stream"


def decode_base64(text: str, field: str, max_bytes: int = MAX_ATTACHMENT_BYTES) -> bytes:
    try:
        content = base64.b64decode(_WHITESPACE.sub("", text), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidArguments(f"'{field}' is not valid base64 (only A-Z, a-z, 0-9, +, / and = padding, "
                               "length a multiple of 4). Nothing was sent.") from None
    _check_size(len(content), field, max_bytes)
    return content


def read_local_file(path_text: str, allowed_dirs: tuple[Path, ...], field: str,
                    max_bytes: int = MAX_ATTACHMENT_BYTES) -> LoadedFile:
    if not allowed_dirs:
        raise InvalidArguments(
            f"'{field}': attaching local files is turned off. The user can allow directories with "
            "SMTP2GO_MCP_ATTACHMENT_DIRS in the server's environment; otherwise pass the content as "
            "base64 `fileblob` or an https `url`. Nothing was sent.")
    candidate = Path(path_text).expanduser()
    if not candidate.is_absolute():
        candidate = allowed_dirs[0] / candidate
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        raise InvalidArguments(f"'{field}': no such file {path_text!r}. Nothing was sent.") from None
    roots = [d.resolve() for d in allowed_dirs]
    if not any(resolved.is_relative_to(root) for root in roots):
        raise InvalidArguments(
            f"'{field}': {path_text!r} is outside the directories allowed for attachments "
            f"({', '.join(str(r) for r in roots)}). Nothing was sent.")
    if not resolved.is_file():
        raise InvalidArguments(f"'{field}': {path_text!r} is not a regular file. Nothing was sent.")
    _check_size(resolved.stat().st_size, field, max_bytes)
    try:
        content = resolved.read_bytes()
    except OSError as exc:
        raise InvalidArguments(f"'{field}': cannot read {path_text!r} ({exc.strerror}). Nothing was sent.") from None
    _check_size(len(content), field, max_bytes)
    return LoadedFile(resolved.name, content, guess_mimetype(resolved.name))


def _check_size(size: int, field: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise InvalidArguments(f"'{field}' is {size / 1048576:.1f} MiB; the limit is "
                               f"{max_bytes / 1048576:.0f} MiB per attachment. Nothing was sent.")
