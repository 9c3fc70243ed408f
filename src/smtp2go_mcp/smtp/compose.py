"""Composing a message with the stdlib `email` package (no hand-built MIME).

Layout: multipart/mixed( multipart/alternative( text/plain, multipart/related(text/html, inline
images) ), attachments ), with each level present only when needed. Bodies are 7-bit clean
(quoted-printable or base64), so any server takes them; non-ASCII subjects and names are
RFC 2047-encoded unless the message is sent with SMTPUTF8.
"""

from __future__ import annotations

import functools
import html as html_lib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage, Message
from email.utils import format_datetime, make_msgid, parseaddr
from html.parser import HTMLParser
from typing import Any

class _CachedHeaderRegistry(HeaderRegistry):
    """The stdlib registry builds a new header class on every lookup; one per header name is enough.

    Parsing a header is most of the cost of composing a message, and a batch repeats many of them
    (MIME-Version, Content-Type, Content-Transfer-Encoding, the Date within a second...): a header
    given as text is parsed once per distinct recent value. Header objects are immutable, so
    messages may share them.
    """

    @functools.cache  # noqa: B019  (one registry for the process: the cache lives as long as it)
    def __getitem__(self, name: str) -> Any:
        return super().__getitem__(name)

    def __call__(self, name: str, value: Any) -> Any:
        if isinstance(value, str):
            return self._parsed(name, value)
        return super().__call__(name, value)  # addresses come as objects: parsed each time

    @functools.lru_cache(maxsize=512)  # noqa: B019  (as above)
    def _parsed(self, name: str, value: str) -> Any:
        return super().__call__(name, value)


# Bodies stay 7-bit (qp/base64): no server needs 8BITMIME for what we send.
_BUILD = policy.default.clone(cte_type="7bit", header_factory=_CachedHeaderRegistry())
_WIRE = policy.SMTP.clone(cte_type="7bit")
_WIRE_UTF8 = policy.SMTPUTF8.clone(cte_type="7bit")

# Headers the composer sets itself; custom headers may not replace them.
RESERVED_HEADERS = frozenset({
    "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "in-reply-to", "references",
    "sender", "return-path", "mime-version", "content-type", "content-transfer-encoding", "content-disposition",
    "content-id", "received", "dkim-signature",
})


@dataclass(frozen=True)
class Part:
    filename: str
    content: bytes
    mimetype: str
    content_id: str | None = None  # set: an inline image referenced as cid:<content_id>


@dataclass
class Draft:
    sender: str
    to: list[str]
    subject: str
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    reply_to: list[str] = field(default_factory=list)
    text: str | None = None
    html: str | None = None
    parts: list[Part] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)


@dataclass
class Composed:
    message: EmailMessage
    message_id: str
    envelope_from: str
    recipients: list[str]  # to + cc + bcc, deduplicated; bcc never appears in a header
    needs_smtputf8: bool  # an address has a non-ASCII local part

    def to_bytes(self, smtputf8: bool = False) -> bytes:
        return self.message.as_bytes(policy=_WIRE_UTF8 if smtputf8 else _WIRE)

    def describe(self) -> dict[str, Any]:
        """What a dry run shows: headers, the MIME tree with sizes, the envelope."""
        raw = self.to_bytes(self.needs_smtputf8)
        return {
            "message_id": self.message_id,
            "headers": [{"name": name, "value": str(value)} for name, value in self.message.items()],
            "mime_tree": _tree(self.message),
            "size_bytes": len(raw),
            "envelope_from": self.envelope_from,
            "envelope_recipients": self.recipients,
            "smtputf8_required": self.needs_smtputf8,
        }


def address(mailbox: str) -> Address:
    """'Name <local@domain>' or a bare address, with an internationalised domain turned into IDNA."""
    name, addr = parseaddr(mailbox)
    local, _, domain = addr.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    return Address(display_name=name, username=local, domain=domain)


def compose(draft: Draft) -> Composed:
    sender = address(draft.sender)
    message = EmailMessage(policy=_BUILD)
    message["From"] = sender
    if draft.to:
        message["To"] = [address(a) for a in draft.to]
    if draft.cc:
        message["Cc"] = [address(a) for a in draft.cc]
    if draft.reply_to:
        message["Reply-To"] = [address(a) for a in draft.reply_to]
    message["Subject"] = draft.subject
    message["Date"] = format_datetime(datetime.now(timezone.utc))
    message_id = make_msgid(domain=sender.domain or None)
    message["Message-ID"] = message_id
    if draft.in_reply_to:
        message["In-Reply-To"] = draft.in_reply_to
    if draft.references:
        message["References"] = " ".join(draft.references)
    for name, value in draft.headers:
        message[name] = value

    text = draft.text if draft.text is not None else html_to_text(draft.html or "")
    message.set_content(text, subtype="plain")
    inline = [p for p in draft.parts if p.content_id]
    if draft.html is not None:
        message.add_alternative(draft.html, subtype="html")
        html_part = message.get_payload()[-1] if message.is_multipart() else message
        for part in inline:
            maintype, subtype = _split_type(part.mimetype)
            html_part.add_related(part.content, maintype=maintype, subtype=subtype, cid=f"<{part.content_id}>",
                                  filename=part.filename, disposition="inline")
    for part in draft.parts:
        if part.content_id and draft.html is not None:
            continue
        maintype, subtype = _split_type(part.mimetype)
        message.add_attachment(part.content, maintype=maintype, subtype=subtype, filename=part.filename)

    recipients = list(dict.fromkeys(a.addr_spec for a in map(address, draft.to + draft.cc + draft.bcc)))
    needs_utf8 = any(not a.isascii() for a in [sender.addr_spec, *recipients])
    return Composed(message=message, message_id=message_id, envelope_from=sender.addr_spec,
                    recipients=recipients, needs_smtputf8=needs_utf8)


def _split_type(mimetype: str) -> tuple[str, str]:
    maintype, _, subtype = mimetype.partition("/")
    return (maintype, subtype) if maintype and subtype else ("application", "octet-stream")


def _tree(part: Message) -> dict[str, Any]:
    node: dict[str, Any] = {"content_type": part.get_content_type()}
    if part.get_filename():
        node["filename"] = part.get_filename()
    if part.get("Content-ID"):
        node["content_id"] = part["Content-ID"].strip("<>")
    if part.is_multipart():
        node["parts"] = [_tree(child) for child in part.get_payload()]
    else:
        node["size_bytes"] = len(part.get_payload(decode=True) or b"")
    return node


class _TextExtractor(HTMLParser):
    """HTML to readable plain text: paragraphs and breaks kept, links shown as 'text (url)'."""

    _BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote"}
    _SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.href: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in self._BLOCKS:
            self.out.append("\n")
        if tag == "a":
            self.href.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCKS:
            self.out.append("\n")
        if tag == "a" and self.href:
            href = self.href.pop()
            if href and not href.startswith(("mailto:", "#")):
                self.out.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = html_lib.unescape("".join(parser.out))
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
