"""email/send, email/mime, email/batch, email/scheduled/* and archive/*.

A send is checked the way the API checks it (fields, verified sender), then
"delivered": the simulator builds the MIME message with the stdlib, keeps it in
the archive (served at /_sim/archive/<email_id>.eml) and writes the activity
events, so activity/search, the stats and archive/* all see it. Suppressed
recipients, and recipients outside an enabled allowed-recipients list, get a
`rejected` event instead of `delivered`; a recipient whose local part is
`bounce` (or `bounce+anything`) hard-bounces. Each event is also posted to the
account's webhooks (see webhook_posts.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.parser import BytesHeaderParser
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid, parseaddr
from typing import Any

from smtp2go_mcp.simulator.core import Body, api_exception, invalid, is_address, route
from smtp2go_mcp.simulator.routes.matching import contains, parse_time, time_range
from smtp2go_mcp.simulator.routes.paging import page
from smtp2go_mcp.simulator.state import SimState, iso, new_email_id, record_email, utcnow
from smtp2go_mcp.simulator.webhook_posts import post_email_events

FORBIDDEN_HEADERS = {"content-type", "content-transfer-encoding", "mime-version"}
MAX_RECIPIENTS = 100
_VARIABLE = re.compile(r"\{\{\s*([\w.-]+)\s*\}\}")


# -- checks ------------------------------------------------------------------------------
_LINE_BREAKS = frozenset("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00")


def _one_line(field: str, value: str) -> str:
    """A header value must stay one line (the API refuses what would break the header)."""
    if not _LINE_BREAKS.isdisjoint(value):
        raise invalid(field, f"The field '{field}' must not contain line breaks.")
    return value


def _addresses(body: Body, name: str, prefix: str, *, required: bool = False) -> list[str]:
    values = body.strs(name, required=required) or []
    if required and not values:
        raise invalid(prefix + name, f"The field '{name}' needs at least one recipient.")
    if len(values) > MAX_RECIPIENTS:
        raise invalid(prefix + name, f"The field '{name}' accepts at most {MAX_RECIPIENTS} recipients.")
    for value in values:
        _one_line(prefix + name, value)
        if not is_address(value):
            raise invalid(prefix + name, f"The field '{name}' was expecting a valid RFC-822 formatted email field "
                                         f"but found '{value}', Please correct your JSON payload and try again.")
    return values


def parse_schedule(value: Any, field: str) -> datetime:
    """The reference's 'YYYY-MM-DD HH:MM:SS +HHMM', ISO 8601, or a unix time (as PHP sends)."""
    if isinstance(value, int) and not isinstance(value, bool):
        when = datetime.fromtimestamp(value, timezone.utc)
    elif isinstance(value, str):
        text = value.strip()
        try:
            when = datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")
        except ValueError:
            try:
                when = parse_time(field, text)
            except Exception:
                raise invalid(field, f"The field 'schedule' could not be read as a time: '{value}'.") from None
    else:
        raise invalid(field, "The field 'schedule' was expecting a time.")
    now = datetime.now(timezone.utc)
    if when <= now:
        raise invalid(field, "The scheduled time must be in the future.")
    if when > now + timedelta(days=3):
        raise invalid(field, "The scheduled time must be within the next 3 days.")
    return when


def _files(body: Body, name: str, prefix: str) -> list[dict[str, Any]]:
    items = body.data.get(name) or []
    if not isinstance(items, list):
        raise invalid(prefix + name, f"The field '{name}' was expecting a list.")
    files = []
    for index, item in enumerate(items):
        where = f"{prefix}{name}[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("filename"), str) or not item["filename"]:
            raise invalid(where, f"Each entry of '{name}' needs a filename.")
        _one_line(where, item["filename"])
        if bool(item.get("fileblob")) == bool(item.get("url")):
            raise invalid(where, f"Each entry of '{name}' needs either a fileblob or a url.")
        content = b""
        if item.get("fileblob"):
            try:
                content = base64.b64decode(item["fileblob"], validate=True)
            except (binascii.Error, ValueError, TypeError):
                raise invalid(where, "The fileblob is not valid base64.") from None
        elif not str(item["url"]).startswith(("http://", "https://")):
            raise invalid(where, "The url must be an http(s) URL.")
        files.append({"filename": item["filename"], "mimetype": item.get("mimetype") or "application/octet-stream",
                      "content": content, "url": item.get("url")})
    return files


def _render(text: str, values: dict[str, Any]) -> str:
    return _VARIABLE.sub(lambda m: str(values.get(m.group(1), "")), text)


def _verified(state: SimState, sender: str) -> bool:
    address = parseaddr(sender)[1].lower()
    domain = address.rsplit("@", 1)[-1]
    if any(d["domain"]["dkim_verified"] and (domain == name or domain.endswith("." + name))
           for name, d in state.domains.items()):
        return True
    single = state.single_senders.get(address)
    return bool(single and single.get("verified"))


def _rejection(state: SimState, recipient: str) -> str | None:
    """Why SMTP2GO would refuse to send to `recipient`, or None."""
    address = parseaddr(recipient)[1].lower()
    domain = address.rsplit("@", 1)[-1]
    suppression = next((s for s in state.suppressions if s["email_address"] in (address, domain)), None)
    if suppression:
        return f"The recipient is suppressed ({suppression['reason']})"
    allowed = [a.lower() for a in state.allowed_recipients]
    if state.allowed_recipients_enabled and address not in allowed and domain not in allowed:
        return "The recipient is not on the allowed recipients list"
    return None


def _hard_bounces(address: str) -> bool:
    """The simulator's convention for an undeliverable mailbox: local part `bounce` or `bounce+tag`."""
    local = address.rsplit("@", 1)[0].lower()
    return local == "bounce" or local.startswith("bounce+")


# -- sending -----------------------------------------------------------------------------
def email_from_json(state: SimState, body: Body, prefix: str = "") -> dict[str, Any]:
    """Validate an email/send body and build the message it describes."""
    sender = _one_line(prefix + "sender", body.str("sender", required=True))
    if not is_address(sender):
        raise invalid(prefix + "sender", f"The field 'sender' was expecting a valid RFC-822 formatted email field "
                                         f"but found '{sender}', Please correct your JSON payload and try again.")
    to = _addresses(body, "to", prefix, required=True)
    cc, bcc = _addresses(body, "cc", prefix), _addresses(body, "bcc", prefix)
    template_id = body.str("template_id")
    if template_id:
        template = state.templates.get(template_id)
        if template is None:
            raise api_exception(f"The template '{template_id}' does not exist")
        data = body.data.get("template_data") or {}
        if isinstance(data, str):  # the spec types it as a JSON string; clients send an object
            try:
                data = json.loads(data)
            except ValueError:
                raise invalid(prefix + "template_data", "The field 'template_data' is not valid JSON.") from None
        if not isinstance(data, dict):
            raise invalid(prefix + "template_data", "The field 'template_data' was expecting an object.")
        values = {**(template.get("template_variables") or {}), **data}
        subject = _render(template["subject"], values)
        html, text = _render(template["html_body"], values), _render(template["text_body"], values)
    else:
        subject = _one_line(prefix + "subject", body.str("subject", required=True))
        html, text = body.str("html_body"), body.str("text_body")
        if not html and not text:
            raise invalid(prefix + "text_body", "Either 'html_body' or 'text_body' is required.")
    headers = body.data.get("custom_headers") or []
    if not isinstance(headers, list):
        raise invalid(prefix + "custom_headers", "The field 'custom_headers' was expecting a list.")
    for index, header in enumerate(headers):
        if not (isinstance(header, dict) and isinstance(header.get("header"), str) and isinstance(header.get("value"), str)):
            raise invalid(f"{prefix}custom_headers[{index}]", "Each custom header needs 'header' and 'value'.")
        _one_line(f"{prefix}custom_headers[{index}]", header["header"] + header["value"])
        if header["header"].lower() in FORBIDDEN_HEADERS:
            raise invalid(f"{prefix}custom_headers[{index}]", f"The header {header['header']} is not allowed.")
    attachments, inlines = _files(body, "attachments", prefix), _files(body, "inlines", prefix)
    schedule = body.data.get("schedule")
    return {
        "sender": sender, "to": to, "cc": cc, "bcc": bcc, "subject": subject, "html": html, "text": text,
        "headers": {h["header"]: h["value"] for h in headers}, "attachments": attachments, "inlines": inlines,
        "schedule": parse_schedule(schedule, prefix + "schedule") if schedule is not None else None,
        "fastaccept": body.bool("fastaccept", default=False),
    }


def _mime(email: dict[str, Any]) -> bytes:
    message = EmailMessage()
    message["From"] = email["sender"]
    message["To"] = ", ".join(email["to"])
    if email["cc"]:
        message["Cc"] = ", ".join(email["cc"])
    message["Subject"] = email["subject"]
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="smtp2go.example")
    for name, value in email["headers"].items():
        message[name] = value
    message.set_content(email["text"] or "")
    if email["html"]:
        message.add_alternative(email["html"], subtype="html")
    for item in email["inlines"] + email["attachments"]:
        maintype, _, subtype = item["mimetype"].partition("/")
        message.add_attachment(item["content"], maintype=maintype or "application",
                               subtype=subtype or "octet-stream", filename=item["filename"])
    return bytes(message)


def deliver(state: SimState, email: dict[str, Any], *, username: str, raw: bytes | None = None,
            email_id: str | None = None) -> str:
    """Record a sent email: the archive copy and the activity events."""
    raw = raw if raw is not None else _mime(email)
    recipients = email["to"] + email["cc"] + email["bcc"]
    addresses = [parseaddr(r)[1] for r in recipients]
    # A key in sandbox status has its mail accepted (processed) but never delivered.
    sandboxed = state.caller is not None and state.caller.status == "sandbox"
    reasons = {a: _rejection(state, a) for a in addresses}
    outcomes = {a: ([] if sandboxed else ["rejected"] if reasons[a] else ["hard-bounced"] if _hard_bounces(a)
                    else ["delivered"]) for a in addresses}
    sent = utcnow()
    email_id = record_email(state, sender=parseaddr(email["sender"])[1], recipients=addresses,
                            subject=email["subject"], sent=sent, username=username, outcomes=outcomes,
                            byte_size=len(raw), email_id=email_id, headers=email["headers"], delivery_seconds=0)
    state.sent_emails.insert(0, {
        "email_id": email_id, "sent": iso(sent), "sender": email["sender"],
        "envelope_from": parseaddr(email["sender"])[1], "recipient": addresses[0],
        "to": ", ".join(email["to"]), "subject": email["subject"], "username": username,
        "byte_count": len(raw), "attachment_count": len(email["attachments"]),
        "attachments": [a["filename"] for a in email["attachments"]],
        "headers": raw.split(b"\n\n", 1)[0].decode("utf-8", "replace"), "raw": raw,
    })
    post_email_events(state, email_id, message_id=BytesHeaderParser().parsebytes(raw)["Message-ID"],
                      reasons=reasons)
    return email_id


def accept(state: SimState, email: dict[str, Any], username: str, raw: bytes | None = None) -> dict[str, Any]:
    """What email/send answers: sent now, queued for later, or a failure inside a 200."""
    email_id = new_email_id(state.rng)
    if not _verified(state, email["sender"]):
        address = parseaddr(email["sender"])[1]
        return {"succeeded": 0, "failed": 1, "email_id": email_id,
                "failures": [f"unable to verify sender address {address}: it is not on a verified sender "
                             "domain or a verified single sender email"]}
    result: dict[str, Any] = {"succeeded": 1, "failed": 0, "failures": [], "email_id": email_id}
    if email["schedule"] is not None:
        schedule_id = str(uuid.uuid4())
        state.scheduled[schedule_id] = {"schedule_id": schedule_id, "email": email, "username": username,
                                        "raw": raw, "email_id": email_id, "client_ip": "127.0.0.1"}
        result["schedule_id"] = schedule_id
    else:
        deliver(state, email, username=username, raw=raw, email_id=email_id)
    if email["fastaccept"]:
        result = {k: v for k, v in result.items() if k in ("email_id", "schedule_id")}
    return result


def release_due(state: SimState) -> None:
    """Send the scheduled emails whose time has come (called before every request)."""
    now = datetime.now(timezone.utc)
    for schedule_id, item in list(state.scheduled.items()):
        if item["email"]["schedule"] <= now:
            del state.scheduled[schedule_id]
            deliver(state, item["email"], username=item["username"], raw=item["raw"], email_id=item["email_id"])


@route("email/send")
def email_send(state: SimState, body: Body) -> dict[str, Any]:
    return accept(state, email_from_json(state, body), state.caller_username)


@route("email/mime")
def email_mime(state: SimState, body: Body) -> dict[str, Any]:
    encoded = body.str("mime_email", required=True)
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise invalid("mime_email", "The field 'mime_email' was expecting the base64-encoded MIME message.") from None
    message = message_from_bytes(raw)
    recipients = [a for _, a in getaddresses(message.get_all("To", []) + message.get_all("Cc", []) +
                                             message.get_all("Bcc", [])) if a]
    if not message["From"] or not recipients:
        raise invalid("mime_email", "The MIME message needs a From header and at least one recipient.")
    schedule = body.data.get("schedule")
    email = {"sender": str(message["From"]), "to": recipients, "cc": [], "bcc": [],
             "subject": str(message["Subject"] or ""), "headers": {}, "attachments": [], "inlines": [],
             "schedule": parse_schedule(schedule, "schedule") if schedule is not None else None,
             "fastaccept": body.bool("fastaccept", default=False)}
    return accept(state, email, state.caller_username, raw=raw)


@route("email/batch")
def email_batch(state: SimState, body: Body) -> list[dict[str, Any]]:
    items = body.data.get("emails")
    if not isinstance(items, list) or not items:
        raise invalid("emails", "The field 'emails' was expecting a non-empty list of emails.")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise invalid(f"emails[{index}]", "Each entry of 'emails' must be an object.")
    # Validate every email first: a bad one refuses the whole batch, so nothing is half-sent.
    emails = [email_from_json(state, Body(item), f"emails[{i}].") for i, item in enumerate(items)]
    results = []
    for email in emails:
        answer = accept(state, email, state.caller_username)
        # The reference's example answers each entry with just its id (email_id, or schedule_id).
        if answer.get("failed"):
            results.append(answer)
        elif "schedule_id" in answer:
            results.append({"schedule_id": answer["schedule_id"]})
        else:
            results.append({"email_id": answer["email_id"]})
    return results


@route("email/scheduled/search")
def scheduled_search(state: SimState, body: Body) -> list[dict[str, Any]]:
    wanted = body.str("schedule_id")
    filters = {name: body.str(f"search_{name}") for name in ("subject", "recipient", "sender")}
    limit = body.int("limit", default=1000, lo=1)
    number = body.int("page", default=1, lo=1)
    rows = []
    for schedule_id, item in sorted(state.scheduled.items(), key=lambda kv: kv[1]["email"]["schedule"]):
        email = item["email"]
        row = {"schedule_id": schedule_id, "schedule": iso(email["schedule"]), "sender": email["sender"],
               "subject": email["subject"], "recipients": ", ".join(email["to"] + email["cc"] + email["bcc"]),
               "client_ip": item["client_ip"]}
        if wanted and schedule_id != wanted:
            continue
        if any(value and not contains(row[name + "s" if name == "recipient" else name], value)
               for name, value in filters.items()):
            continue
        rows.append(row)
    return rows[(number - 1) * limit: number * limit]


@route("email/scheduled/remove")
def scheduled_remove(state: SimState, body: Body) -> dict[str, Any]:
    schedule_id = body.str("schedule_id", required=True)
    if state.scheduled.pop(schedule_id, None) is None:
        raise api_exception(f"No scheduled email has the schedule_id {schedule_id} (it may have been sent already)")
    return {}


# -- archive -----------------------------------------------------------------------------
def _archive_view(state: SimState, entry: dict[str, Any]) -> dict[str, Any]:
    view = {k: v for k, v in entry.items() if k != "raw"}
    view["url"] = f"{state.base_url}/_sim/archive/{entry['email_id']}.eml"
    return view


@route("archive/search")
def archive_search(state: SimState, body: Body) -> dict[str, Any]:
    now = utcnow()
    start, end = time_range(body, now - timedelta(days=30), now + timedelta(seconds=1))
    limit = body.int("limit", default=5000, lo=1, hi=5000)
    filters = {name: body.str(name) for name in ("sender", "envelope_from", "recipient", "subject", "headers",
                                                 "username")}
    found = [
        e for e in state.sent_emails
        if start <= parse_time("sent", e["sent"]) < end
        and all(not value or contains(e[name] if name != "recipient" else f"{e['recipient']} {e['to']}", value)
                for name, value in filters.items())
    ]
    chunk, token = page(found, limit, body.str("continue_token"))
    return {"email_count": len(found), "emails": [_archive_view(state, e) for e in chunk], "continue_token": token}


@route("archive/email")
def archive_email(state: SimState, body: Body) -> dict[str, Any]:
    email_id = body.str("email_id", required=True)
    for entry in state.sent_emails:
        if entry["email_id"] == email_id:
            return _archive_view(state, entry)
    raise api_exception(f"No archived email has the email_id {email_id}")


def archived_message(state: SimState, email_id: str) -> bytes | None:
    return next((e["raw"] for e in state.sent_emails if e["email_id"] == email_id), None)

