"""Delivery events from SMTP2GO webhooks: parsing posts, storing them, and the receiver (no MCP here)."""

from smtp2go_mcp.events.store import EventStore

# What tool results show instead of the webhook secret (e.g. in a webhook URL pointing at this server).
WEBHOOK_SECRET_PLACEHOLDER = "<SMTP2GO_MCP_WEBHOOK_SECRET>"

__all__ = ["WEBHOOK_SECRET_PLACEHOLDER", "EventStore"]
