"""The tool declarations, one module per area; importing this package registers them all."""

from smtp2go_mcp.tools import (  # noqa: F401  (imported for their declarations)
    access,
    activity,
    credentials,
    domains,
    email,
    senders,
    sms,
    smtp_send,
    smtp_senders,
    stats,
    subaccounts,
    suppressions,
    templates,
    webhooks,
)
