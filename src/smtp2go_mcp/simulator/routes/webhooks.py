"""webhook/add|edit|remove|view."""

from __future__ import annotations

from typing import Any

from smtp2go_mcp.simulator.core import Body, api_exception, invalid, route
from smtp2go_mcp.simulator.state import SimState

EMAIL_EVENTS = ("processed", "delivered", "open", "click", "bounce", "spam", "unsubscribe", "resubscribe", "reject")
SMS_EVENTS = ("delivered", "failed", "rejected", "sending", "submitted", "opt-out")
MAX_WEBHOOKS = 10  # paid plans (free plans: 1)


def _settings(body: Body, webhook: dict[str, Any]) -> None:
    if body.has("url"):
        url = body.str("url")
        if not url.startswith(("http://", "https://")):
            raise invalid("url", f"The field 'url' was expecting an http(s) URL but found '{url}'.")
        webhook["url"] = url
    if body.has("events"):
        webhook["events"] = body.strs("events", choices=EMAIL_EVENTS)
    if body.has("sms_events"):
        webhook["sms_events"] = body.strs("sms_events", choices=SMS_EVENTS)
    for name in ("headers", "usernames"):
        if body.has(name):
            webhook[name] = body.strs(name)
    if body.has("output_format"):
        webhook["output_format"] = body.str("output_format", choices=("form", "json"))
    if body.has("auth_header_type"):
        webhook["auth_header_type"] = body.str("auth_header_type", choices=("bearer", "basic", ""))
    if body.has("auth_header_value"):
        webhook["auth_header_value"] = body.str("auth_header_value")
    if body.has("disabled"):
        webhook["disabled"] = body.bool("disabled")


def _existing(state: SimState, body: Body) -> dict[str, Any]:
    webhook_id = body.int("id", required=True)
    if webhook_id not in state.webhooks:
        raise api_exception(f"No webhook with the id {webhook_id} exists")
    return state.webhooks[webhook_id]


@route("webhook/add")
def webhook_add(state: SimState, body: Body) -> dict[str, Any]:
    body.str("url", required=True)
    return new_webhook(state, body.data)


def new_webhook(state: SimState, settings: dict[str, Any]) -> dict[str, Any]:
    """Add a webhook with these settings (validated like webhook/add) over the API's defaults."""
    if len(state.webhooks) >= MAX_WEBHOOKS:
        raise api_exception(f"You have reached the maximum of {MAX_WEBHOOKS} webhooks for your plan")
    webhook: dict[str, Any] = {"id": state.next_webhook_id, "url": "", "events": [], "sms_events": [],
                               "headers": [], "usernames": [], "output_format": "form",
                               "auth_header_type": "", "auth_header_value": ""}
    _settings(Body(settings), webhook)
    state.webhooks[webhook["id"]] = webhook
    state.next_webhook_id += 1
    return dict(webhook)


@route("webhook/edit")
def webhook_edit(state: SimState, body: Body) -> dict[str, Any]:
    webhook = _existing(state, body)
    _settings(body, webhook)
    return dict(webhook)


@route("webhook/remove")
def webhook_remove(state: SimState, body: Body) -> dict[str, Any]:
    webhook = _existing(state, body)
    del state.webhooks[webhook["id"]]
    return dict(webhook)


@route("webhook/view")
def webhook_view(state: SimState, body: Body) -> list[dict[str, Any]]:
    body.str("subaccount_id")
    # An array, as a live-tested client observed (the spec's example shows one object).
    return [dict(w) for w in state.webhooks.values()]
