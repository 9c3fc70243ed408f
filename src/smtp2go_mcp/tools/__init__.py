"""The tool declarations, one module per area.

Importing this package imports none of them: the server imports a module when one of its tools
is first called (see catalog.py). `load_all()` registers every declaration, for the manifests
and the tests.
"""

import importlib

MODULES = (
    "access", "activity", "credentials", "discovery", "domains", "email", "events", "senders", "sms", "smtp_send",
    "smtp_senders", "stats", "subaccounts", "suppressions", "templates", "webhooks",
)


def load_all() -> None:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
