"""Field types shared by many tools, each validated locally before any request.

A value that fails here never reaches the API: the agent gets an
`invalid_arguments` result naming the field, which is cheaper and clearer than
SMTP2GO's generic NON_VALIDATING_IN_PAYLOAD.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from email.utils import parseaddr, parsedate_to_datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, PlainSerializer

from smtp2go_mcp.schema import unpublished_length

_ADDR = re.compile(r"^[^@\s<>\"(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_MAILBOX = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<addr>[^<>]+)>\s*$")
# Everything str.splitlines() breaks on (the email package refuses all of it in a header), and NUL.
_LINE_BREAKS = frozenset("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00")
# RFC 5322 specials: a display name that contains one must be quoted, or the address is misread.
_SPECIALS = frozenset('()<>@,;:\\".[]')


def _no_control_chars(value: str) -> str:
    if not _LINE_BREAKS.isdisjoint(value):
        raise ValueError("must not contain line breaks or NUL characters")
    return value


def _address(value: str) -> str:
    value = _no_control_chars(value).strip()
    if not _ADDR.match(value):
        raise ValueError(f"{value!r} is not an email address (expected name@example.com)")
    return value


def _mailbox(value: str) -> str:
    """'Name <addr>' or a bare address, returned in a form every parser reads the same way.

    The name is quoted when it needs to be ("Doe, Jane" <jane@...>): unquoted, a comma or an @ in it
    would make the address read as something else than the one checked here.
    """
    value = _no_control_chars(value).strip()
    match = _MAILBOX.match(value)
    if not match:
        return _address(value)
    name, addr = match.group("name").strip(), _address(match.group("addr"))
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = re.sub(r'\\(.)', r"\1", name[1:-1])
    if not name:
        return addr
    if not _SPECIALS.isdisjoint(name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    mailbox = f"{name} <{addr}>"
    if parseaddr(mailbox)[1] != addr:
        raise ValueError(f"{value!r} cannot be read as one address; give the address alone")
    return mailbox


def _address_or_domain(value: str) -> str:
    value = _no_control_chars(value).strip()
    if "@" in value:
        return _address(value)
    if not _DOMAIN.match(value):
        raise ValueError(f"{value!r} is neither an email address nor a domain name")
    return value


def _domain(value: str) -> str:
    value = _no_control_chars(value).strip().lower()
    if not _DOMAIN.match(value):
        raise ValueError(f"{value!r} is not a domain name (expected e.g. example.com)")
    return value


def _ip_address(value: str) -> str:
    value = value.strip()
    try:
        if "/" in value:
            ipaddress.ip_network(value, strict=False)
        else:
            ipaddress.ip_address(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 or IPv6 address") from None
    return value


# The layouts activity/search documents (Go reference-time notation in the reference).
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _datetime_text(value: str) -> str:
    value = _no_control_chars(value).strip()
    if _DATE_ONLY.match(value):
        datetime.strptime(value, "%Y-%m-%d")
        return value
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value
    except ValueError:
        pass
    try:
        parsedate_to_datetime(value)
        return value
    except (TypeError, ValueError, IndexError):
        pass
    raise ValueError(
        f"{value!r} is not a date; use ISO 8601 in UTC, e.g. 2026-11-01 or 2026-11-01T09:30:00Z"
    )


def _cap(length: int) -> Any:
    """The length cap of a formatted value: a safety net, enforced but not published."""
    return Field(max_length=length, json_schema_extra=unpublished_length)


EmailAddress = Annotated[str, AfterValidator(_address), _cap(320)]
Mailbox = Annotated[str, AfterValidator(_mailbox), _cap(500)]
AddressOrDomain = Annotated[str, AfterValidator(_address_or_domain), _cap(320)]
DomainName = Annotated[str, AfterValidator(_domain), _cap(253)]
IpAddress = Annotated[str, AfterValidator(_ip_address), _cap(64)]
DateTimeText = Annotated[str, AfterValidator(_datetime_text), _cap(64)]
SingleLine = Annotated[str, AfterValidator(_no_control_chars)]


def _redact(value: Any) -> Any:
    return "[redacted]" if value else value


def _mask_api_key(value: Any) -> Any:
    # The API's own masking (api_keys/view): the 16-character "username" part stays visible.
    return value[:16] + "*" * 20 if isinstance(value, str) and len(value) > 16 else value


# An API key value the API returns: masked like SMTP2GO's views mask it, never shown whole.
MaskedApiKey = Annotated[str, PlainSerializer(_mask_api_key, return_type=str)]

# A secret the API returns (an SMTP user's password, a webhook's auth header):
# kept out of tool results so it never lands in a transcript or a log.
Redacted = Annotated[str, PlainSerializer(_redact, return_type=str)]


def subaccount_id_field() -> Any:
    return Field(
        None,
        min_length=1,
        max_length=64,
        description="Subaccount id to act as.",
        json_schema_extra=unpublished_length,
    )


def idempotency_key_field() -> Any:
    # exclude=True: it is this server's, never sent to SMTP2GO.
    return Field(None, min_length=1, max_length=200, exclude=True,
                 description="Unique per send, e.g. 'invoice-1042'; a repeat returns the first result, "
                 "sends nothing.")


def continue_token_field() -> Any:
    return Field(
        None,
        min_length=1,
        max_length=8192,
        description="From the previous page.",
        json_schema_extra=unpublished_length,
    )
