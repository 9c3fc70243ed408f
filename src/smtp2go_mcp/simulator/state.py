"""The simulated account: in-memory state, seeded with a small believable demo account.

Everything a route changes lives here, so flows work end to end (a template
edited can be viewed, a webhook added is listed, an address suppressed shows
up in suppression/view) and a reset gives every test the same start.
"""

from __future__ import annotations

import fnmatch
import math
import random
import string
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

# The key the sandbox and the tests use; it has every permission.
SANDBOX_API_KEY = "api-5A4D80C5E5D34B6A8B1F0C2D3E4F5A6B"

ALL_ENDPOINTS = "*"


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(ts: datetime) -> str:
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_email_id(rng: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits
    return "-".join("".join(rng.choice(alphabet) for _ in range(n)) for n in (6, 12, 4))


@dataclass
class ApiKeyRecord:
    key: str
    endpoints: list[str]
    description: str = ""
    status: str = "allowed"
    # The credential settings shared with SMTP users (reference §2.5), as the API names them.
    settings: dict[str, Any] = field(default_factory=dict)

    def may_call(self, path: str) -> bool:
        """Whether this key's endpoint permissions (wildcards allowed) cover `path`, e.g. "/email/send"."""
        return any(p == ALL_ENDPOINTS or fnmatch.fnmatchcase(path, p) for p in self.endpoints)


@dataclass
class SimState:
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    keys: dict[str, ApiKeyRecord] = field(default_factory=dict)
    allowed_senders: list[str] = field(default_factory=list)
    sender_mode: str = "disabled"
    domains: dict[str, dict[str, Any]] = field(default_factory=dict)
    ip_allow_lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    sms_received: list[dict[str, Any]] = field(default_factory=list)
    subaccounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    suppressions: list[dict[str, Any]] = field(default_factory=list)
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    smtp_users: dict[str, dict[str, Any]] = field(default_factory=dict)
    webhooks: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_webhook_id: int = 1
    single_senders: dict[str, dict[str, Any]] = field(default_factory=dict)  # address -> {email_address, verified}
    allowed_recipients: list[str] = field(default_factory=list)
    allowed_recipients_enabled: bool = False
    ip_auth: dict[str, dict[str, Any]] = field(default_factory=dict)  # ip_address -> IP-auth settings
    dedicated_ips: list[dict[str, Any]] = field(default_factory=list)
    sms_sent: list[dict[str, Any]] = field(default_factory=list)
    sent_emails: list[dict[str, Any]] = field(default_factory=list)  # the archive, newest first
    scheduled: dict[str, dict[str, Any]] = field(default_factory=dict)  # schedule_id -> queued email
    # Webhook posts queued by the routes, sent by the app after it answers (webhook_posts.Post).
    webhook_outbox: list[Any] = field(default_factory=list)
    # Set by the app for the request being handled: who is calling, and the simulator's own address.
    caller: ApiKeyRecord | None = None
    base_url: str = "http://127.0.0.1"
    cycle_max: int = 10000
    cycle_start: datetime = field(default_factory=lambda: utcnow().replace(day=1, hour=0, minute=0, second=0))

    @classmethod
    def seeded(cls) -> "SimState":
        state = cls()
        state.keys[SANDBOX_API_KEY] = ApiKeyRecord(SANDBOX_API_KEY, [ALL_ENDPOINTS], "Sandbox key")
        state.ip_allow_lists = {"smtp": {"enabled": False, "ip_addresses": []},
                                "api": {"enabled": False, "ip_addresses": []}}
        state.dedicated_ips = [{"id": 1234, "name": "Main Pool", "ip_addresses": ["203.0.113.10", "203.0.113.11"]}]
        _seed_account(state)
        return state

    def key_username(self, key: str) -> str:
        return key[:16]

    @property
    def caller_username(self) -> str:
        """The calling key's 16-character username, as activity and stats report it."""
        return self.caller.key[:16] if self.caller else ""


def _seed_account(state: SimState) -> None:
    now = utcnow()
    state.domains["example.com"] = domain_object(state, "example.com", verified=True)
    state.smtp_users["webshop"] = smtp_user("webshop", "Kq8#vX2m!pL9zR4t", description="Web shop order mail")
    # The API cannot add IP-auth entries (that happens in the app), so the demo account has one.
    state.ip_auth["198.51.100.20"] = ip_auth_entry("198.51.100.20", description="Office scanner relay")
    for template in (
        ("welcome-email", "Welcome email", "Welcome to {{ company }}, {{ name }}!",
         "<p>Hi {{ name }},</p><p>Welcome to {{ company }}.</p>", "Hi {{ name }}, welcome to {{ company }}.",
         {"name": "there", "company": "Example Co"}, ["onboarding"]),
        ("invoice-reminder", "Invoice reminder", "Invoice {{ invoice_number }} is due on {{ due_date }}",
         "<p>Dear {{ name }},</p><p>Invoice {{ invoice_number }} for {{ amount }} is due on {{ due_date }}.</p>",
         "Dear {{ name }}, invoice {{ invoice_number }} for {{ amount }} is due on {{ due_date }}.",
         {"name": "customer"}, ["billing"]),
    ):
        tid, name, subject, html, text, variables, tags = template
        state.templates[tid] = {"id": tid, "template_name": name, "subject": subject, "html_body": html,
                                "text_body": text, "template_variables": variables, "tags": tags,
                                "last_updated": (now - timedelta(days=12)).strftime("%Y-%m-%d %H:%M:%S")}
    for sid, name, email, state_name, size, used in (
        ("34l8oj", "Acme Retail", "ops@acme-retail.example", "Active", 10000, 4210),
        ("7pq2xw", "Bolt Logistics", "it@bolt.example", "Active", 20000, 19350),
        ("9zz1aa", "Old Brand", "admin@oldbrand.example", "Closed", 2000, 0),
    ):
        state.subaccounts[sid] = {"id": sid, "name": name, "email": email, "state": state_name,
                                  "plan_size": size, "plan_used": used, "plan_remaining": size - used,
                                  "dedicated_ip": False, "archiving": False, "enforce_2fa": False,
                                  "sms_enabled": False, "sms_limit": 1000}
    state.suppressions.extend([
        {"email_address": "gone@nowhere.example", "reason": "bounce", "block_description": "",
         "complaint": "550 5.1.1 No such user", "subject": "Your order has shipped",
         "timestamp": (now - timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")},
        {"email_address": "nomore@example.org", "reason": "unsubscribe", "block_description": "",
         "complaint": "Unsubscribed via footer link", "subject": "November newsletter",
         "timestamp": (now - timedelta(days=5)).strftime("%Y-%m-%d %H:%M:%S")},
    ])
    state.sms_received.extend([
        {"message_id": "8a3c1f0e-0b1d-4c55-9a2e-4f6d7e8f9a01", "timestamp": _sms_ts(now - timedelta(hours=3)),
         "source_address": "+6421555013", "destination_address": "+6498870123", "content": "YES confirm my booking",
         "username": state.key_username(SANDBOX_API_KEY)},
        {"message_id": "0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f", "timestamp": _sms_ts(now - timedelta(days=2)),
         "source_address": "+447700900123", "destination_address": "+6498870123", "content": "STOP",
         "username": state.key_username(SANDBOX_API_KEY)},
    ])
    # The booking reminders that the received replies above answer.
    for number, hours in (("+6421555013", 5), ("+447700900123", 50)):
        record_sms(state, number, "Reminder: your booking is tomorrow at 10:00. Reply YES to confirm or STOP to opt out.",
                   "shared", now - timedelta(hours=hours), "Message sent", state.key_username(SANDBOX_API_KEY))
    outcomes = [
        ("orders@example.com", "jo@customer.example", "Your order #1042 has shipped", ["delivered", "opened", "clicked"]),
        ("orders@example.com", "sam@customer.example", "Your order #1043 has shipped", ["delivered", "opened"]),
        ("billing@example.com", "ap@bigco.example", "Invoice INV-2201 is due", ["delivered"]),
        ("orders@example.com", "gone@nowhere.example", "Your order has shipped", ["hard-bounced"]),
        ("news@example.com", "full@mailbox.example", "November newsletter", ["soft-bounced", "delivered"]),
        ("news@example.com", "nomore@example.org", "November newsletter", ["delivered", "unsubscribed"]),
        ("news@example.com", "angry@example.net", "November newsletter", ["delivered", "spam"]),
        ("billing@example.com", "late@payer.example", "Reminder: invoice INV-2188 overdue", ["delivered", "opened"]),
    ]
    for index, (sender, recipient, subject, events) in enumerate(outcomes):
        sent = now - timedelta(hours=2 + index * 9)
        record_email(state, sender=sender, recipients=[recipient], subject=subject, sent=sent,
                     username=state.key_username(SANDBOX_API_KEY), outcomes={recipient: events})


def _sms_ts(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.000Z")


SMS_UNIT_CHARS = 160
# Calling codes of the countries the demo account texts, longest first; the real API reports ISO codes ("US").
_COUNTRIES = (("64", "NZ"), ("61", "AU"), ("44", "GB"), ("49", "DE"), ("33", "FR"), ("1", "US"))


def record_sms(state: SimState, destination: str, content: str, sender: str, at: datetime, status: str,
               username: str) -> dict[str, Any]:
    """Add one message to the sent-SMS log, shaped like an sms/view-sent row."""
    digits = destination.lstrip("+")
    message = {"id": str(uuid.UUID(int=state.rng.getrandbits(128), version=4)), "timestamp": _sms_ts(at),
               "username": username, "sender": sender,
               "sender_email": "",  # only set for messages sent by email-to-SMS
               "destination_address": f"+{digits}",
               "destination_address_country": next((c for p, c in _COUNTRIES if digits.startswith(p)), ""),
               "format": "SMS", "status": status, "content": content,
               "units": math.ceil(len(content) / SMS_UNIT_CHARS)}
    state.sms_sent.append(message)
    return message


def record_email(state: SimState, *, sender: str, recipients: list[str], subject: str, sent: datetime,
                 username: str, outcomes: dict[str, list[str]] | None = None, byte_size: int = 2048,
                 email_id: str | None = None, headers: dict[str, str] | None = None,
                 delivery_seconds: int = 4) -> str:
    """Add one sent email's events to the activity log (newest first).

    Live sends pass delivery_seconds=0: their events must not lie in the future.
    """
    email_id = email_id or new_email_id(state.rng)
    base = {"email_id": email_id, "sender": sender, "from": sender, "subject": subject, "username": username,
            "subaccount_name": "Master account", "recipients": recipients, "byte_size": byte_size,
            "headers": headers or {}}
    new = [{**base, "event": "processed", "date": iso(sent), "recipient": recipients[0],
            "to": ", ".join(recipients)}]
    for recipient in recipients:
        at = sent
        for event in (outcomes or {}).get(recipient, ["delivered"]):
            at = at + timedelta(seconds=delivery_seconds if event in ("delivered", "soft-bounced", "hard-bounced", "rejected")
                                else 900)
            item = {**base, "event": event, "date": iso(at), "recipient": recipient}
            if event == "delivered":
                item.update(smtp_response="250 2.0.0 OK queued", host="mx.customer.example [203.0.113.25]")
            elif event.endswith("bounced"):
                item.update(smtp_response="550 5.1.1 No such user" if event == "hard-bounced" else "452 4.2.2 Mailbox full",
                            reason="hard bounce" if event == "hard-bounced" else "soft bounce",
                            host="mx.customer.example [203.0.113.25]")
            new.append(item)
    state.events.extend(new)
    state.events.sort(key=lambda e: e["date"], reverse=True)
    return email_id


def domain_object(state: SimState, name: str, *, verified: bool = False, tracking: str = "link",
                  returnpath: str | None = None) -> dict[str, Any]:
    labels = name.split(".")
    suffix = labels[-1]
    base = labels[-2] if len(labels) > 1 else labels[0]
    sub = ".".join(labels[:-2]) or None
    selector = f"s{state.rng.randint(100000, 999999)}"
    rpath = returnpath or f"em{state.rng.randint(100000, 999999)}"
    lookup = "" if verified else f"Lookup CNAME({{}}.{name}.) returned no results"
    return {
        "domain": {"fulldomain": name, "subdomain": sub, "domain": base, "suffix": suffix,
                   "dkim_selector": selector, "dkim_verified": verified,
                   "dkim_status": lookup.format(f"{selector}._domainkey"), "dkim_value": "dkim.smtp2go.net",
                   "rpath_selector": rpath, "rpath_verified": verified, "rpath_status": lookup.format(rpath),
                   "rpath_value": "return.smtp2go.net",
                   "setup_link": f"https://app.smtp2go.com/settings/sender_domains/setup/{selector}/"},
        "trackers": [{"fulldomain": f"{tracking}.{name}", "subdomain": tracking, "domain": base, "suffix": suffix,
                      "cname_verified": verified, "cname_status": lookup.format(tracking),
                      "cname_value": "track.smtp2go.net", "enabled": verified}],
        "subaccount_access": {"subaccounts": [], "future_subaccounts": False},
    }


SMTP_USER_DEFAULTS: dict[str, Any] = {
    "description": "", "status": "allowed", "custom_ratelimit": False, "custom_ratelimit_value": None,
    "custom_ratelimit_period": "0:00:00", "open_tracking_enabled": False, "click_tracking_enabled": False,
    "archive_enabled": False, "audit_email": None, "bounce_notifications": "from", "feedback_enabled": False,
    "feedback_html": "", "feedback_text": "", "feedback_domain": "default", "ippool": None,
}


def ip_auth_entry(ip_address: str, **settings: Any) -> dict[str, Any]:
    """An IP-authenticated sender: the SMTP-user settings, keyed by address instead of login."""
    entry = {"ip_address": ip_address, **SMTP_USER_DEFAULTS, **settings}
    entry["sending_allowed"] = entry["status"] == "allowed"
    return entry


def smtp_user(username: str, password: str, **settings: Any) -> dict[str, Any]:
    user = {"username": username, "email_password": password, **SMTP_USER_DEFAULTS, **settings}
    user["sending_allowed"] = user["status"] == "allowed"
    return user
