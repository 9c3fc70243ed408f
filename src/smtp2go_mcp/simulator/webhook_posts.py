"""Webhook posts for the mail the simulator "sends" (reference §5), so the webhook loop can be tested end to end.

Every activity event the simulator records for a send (`processed`, then per
recipient `delivered`, `hard-bounced` or `rejected`), and every engagement event
asked for on /_sim/events (opens, clicks, spam, unsubscribes, soft bounces...),
is also posted to each webhook of the account that subscribes to it: one post
per event per recipient (`processed`: one per email, naming `recipients`), in
the webhook's `output_format` (form or JSON) and with its Authorization header.
Payloads use the documented names and formats: `time` as …Z, `sendtime` with
microseconds and +00:00.

Routes only queue posts (under the simulator's lock); the app sends them after
answering, in the background, in order, with a short timeout. The simulator
posts only to loopback addresses: nothing leaves the machine, as the sandbox
promises. Every attempt is recorded for GET /_sim/webhook_posts.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx2

from smtp2go_mcp.simulator.core import Body, SimError, invalid
from smtp2go_mcp.simulator.state import SimState, iso, utcnow

log = logging.getLogger(__name__)

POST_TIMEOUT = 5.0
# Activity names (activity/search) -> the webhook event names (§5.2) and bounce type.
WEBHOOK_NAMES: dict[str, tuple[str, str | None]] = {
    "processed": ("processed", None), "delivered": ("delivered", None), "hard-bounced": ("bounce", "hard"),
    "soft-bounced": ("bounce", "soft"), "rejected": ("reject", None), "opened": ("open", None),
    "clicked": ("click", None), "spam": ("spam", None), "unsubscribed": ("unsubscribe", None),
    "resubscribed": ("resubscribe", None),
}
# The events /_sim/events can produce, by webhook name -> activity name.
TRIGGERS = {"delivered": "delivered", "open": "opened", "click": "clicked", "spam": "spam",
            "unsubscribe": "unsubscribed", "resubscribe": "resubscribed", "reject": "rejected"}
BOUNCE_REPLIES = {"hard": "550 5.1.1 No such user", "soft": "452 4.2.2 Mailbox full"}
USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36"


@dataclass
class Post:
    webhook_id: int
    url: str
    event: str
    email_id: str | None
    rcpt: str | None
    body: bytes
    headers: dict[str, str] = field(repr=False)


def post_email_events(state: SimState, email_id: str, *, message_id: str | None = None,
                      reasons: dict[str, str | None] | None = None) -> None:
    """Queue the posts for the activity just recorded for `email_id` (a send or a due scheduled send)."""
    items = sorted((e for e in state.events if e["email_id"] == email_id),
                   key=lambda e: (e["date"], e["event"] != "processed"))
    for item in items:
        extra: dict[str, Any] = {"message-id": message_id} if message_id else {}
        if item["event"] == "rejected":
            extra["message"] = (reasons or {}).get(item["recipient"]) or "The recipient is suppressed"
        queue(state, item, extra)


def trigger(state: SimState, body: Body) -> dict[str, Any]:
    """POST /_sim/events: record an event for one recipient of a sent email, and post it."""
    email_id = body.str("email_id", required=True)
    rcpt = body.str("rcpt", required=True)
    name = body.str("event", required=True, choices=(*TRIGGERS, "bounce"))
    processed = next((e for e in state.events if e["email_id"] == email_id and e["event"] == "processed"), None)
    if processed is None:
        raise SimError(404, "NOT_FOUND", f"No sent email has the email_id {email_id}")
    recipient = next((r for r in processed["recipients"] if r.lower() == rcpt.lower()), None)
    if recipient is None:
        raise invalid("rcpt", f"{rcpt} is not a recipient of {email_id}")
    base = {k: v for k, v in processed.items() if k not in ("event", "date", "recipient", "to")}
    item: dict[str, Any] = {**base, "event": "", "date": iso(utcnow()), "recipient": recipient}
    extra: dict[str, Any] = {}
    if name == "bounce":
        kind = body.str("bounce", default="soft", choices=("hard", "soft"))
        item.update(event=f"{kind}-bounced", smtp_response=BOUNCE_REPLIES[kind], reason=f"{kind} bounce",
                    host="mx.customer.example [203.0.113.25]")
    else:
        item["event"] = TRIGGERS[name]
        if name == "delivered":
            item.update(smtp_response="250 2.0.0 OK queued", host="mx.customer.example [203.0.113.25]")
    if name == "click":
        extra.update(click_url=body.str("url", default="https://example.com/offer"))
        extra["link"] = extra["click_url"]
    if name in ("open", "click"):
        extra.update({"user-agent": body.str("user_agent", default=USER_AGENT), "srchost": "198.51.100.7"})
        if name == "open":
            extra["read-secs"] = 15
    state.events.append(item)
    state.events.sort(key=lambda e: e["date"], reverse=True)
    return {"email_id": email_id, "event": item["event"], "posts": queue(state, item, extra)}


def queue(state: SimState, item: dict[str, Any], extra: dict[str, Any]) -> int:
    """Queue the post of one activity event to every webhook that wants it; returns how many."""
    name, bounce = WEBHOOK_NAMES[item["event"]]
    count = 0
    for webhook in state.webhooks.values():
        if webhook.get("disabled") or name not in (webhook.get("events") or []):
            continue
        usernames = webhook.get("usernames") or []
        if usernames and item.get("username") not in usernames:
            continue
        payload = _payload(item, name, bounce, extra, webhook["id"], _sendtime(state, item))
        state.webhook_outbox.append(Post(webhook["id"], webhook["url"], name, item["email_id"], payload.get("rcpt"),
                                         *_encoded(payload, webhook)))
        count += 1
    return count


def _sendtime(state: SimState, item: dict[str, Any]) -> str:
    """When the email reached SMTP2GO (its processed event), as webhooks write it: microseconds and +00:00."""
    processed = item if item["event"] == "processed" else next(
        (e for e in state.events if e["email_id"] == item["email_id"] and e["event"] == "processed"), item)
    return datetime.fromisoformat(processed["date"].replace("Z", "+00:00")).isoformat(timespec="microseconds")


def _payload(item: dict[str, Any], name: str, bounce: str | None, extra: dict[str, Any], webhook_id: int,
             sendtime: str) -> dict[str, Any]:
    payload: dict[str, Any] = {"id": webhook_id, "event": name, "time": item["date"], "sendtime": sendtime,
                               "email_id": item["email_id"], "sender": item["sender"],
                               "from": item.get("from", item["sender"]), "subject": item["subject"],
                               "auth": item.get("username", "")}
    if name == "processed":
        payload.update(recipients=list(item["recipients"]), srchost="127.0.0.1")
    else:
        payload["rcpt"] = item["recipient"]
    if item.get("host"):
        payload["host"] = item["host"]
    if item.get("smtp_response"):
        payload["message"] = item["smtp_response"]
    if bounce:
        payload.update(bounce=bounce, context=f"RCPT TO:<{item['recipient']}>")
    payload.update(extra)
    return {k: v for k, v in payload.items() if v is not None}


def _encoded(payload: dict[str, Any], webhook: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    headers = {"User-Agent": "SMTP2GO-simulator webhooks"}
    if webhook.get("output_format") == "json":
        body, headers["Content-Type"] = json.dumps(payload).encode(), "application/json"
    else:
        # Lists (recipients) repeat their key, as an HTML form would.
        body = urlencode({k: v if isinstance(v, list) else str(v) for k, v in payload.items()}, doseq=True).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    kind, value = webhook.get("auth_header_type"), webhook.get("auth_header_value")
    if kind in ("bearer", "basic") and value:
        headers["Authorization"] = f"{kind.capitalize()} {value}"
    return body, headers


def loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


Record = Callable[[Post, "int | None", "str | None"], None]


async def send(posts: list[Post], record: Record) -> None:
    """Post in order; never raises (a failed post is logged and recorded, as SMTP2GO would list it)."""
    # trust_env=False: a proxy from the environment must not get (or swallow) posts to loopback.
    async with httpx2.AsyncClient(timeout=POST_TIMEOUT, trust_env=False) as client:
        for post in posts:
            where = f"webhook {post.webhook_id} ({_origin(post.url)})"  # the path may hold a secret: not logged
            if not loopback(post.url):
                record(post, None, "not posted: the simulator posts only to loopback addresses")
                continue
            try:
                response = await client.post(post.url, content=post.body, headers=post.headers)
            except httpx2.HTTPError as exc:
                log.warning("Simulator: posting %s to %s failed: %s", post.event, where, type(exc).__name__)
                record(post, None, type(exc).__name__)
                continue
            if response.status_code >= 300:
                log.warning("Simulator: %s answered %d to a %s post", where, response.status_code, post.event)
            record(post, response.status_code, None)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
