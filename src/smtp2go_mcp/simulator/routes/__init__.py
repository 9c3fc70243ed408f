"""One module per API area; importing this package registers every endpoint."""

from smtp2go_mcp.simulator.routes import (  # noqa: F401  (imported for their routes)
    access,
    activity,
    credentials,
    domains,
    email,
    senders,
    sms,
    stats,
    subaccounts,
    suppressions,
    templates,
    webhooks,
)
