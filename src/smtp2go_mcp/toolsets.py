"""Choosing which tools a server offers: toolsets, read-only mode, allow and deny lists.

Some clients cope badly with many tools (one sends only the first 40), so a
user narrows the list at startup. Every name is checked: a typo is a startup
error listing the valid names, never a silently smaller server.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from smtp2go_mcp.config import ConfigError, Settings
from smtp2go_mcp.registry import Hints

TOOLSETS: dict[str, str] = {
    "email": "Send email (JSON, MIME, batch), schedule it, and cancel scheduled sends.",
    "activity": "What happened to sent mail: activity search, the deprecated email search, the archive.",
    "stats": "Aggregates: billing cycle, bounces, spam, unsubscribes, sending history, summary.",
    "templates": "Create, find, read, change and delete email templates.",
    "senders": "Who may send and to whom: sender domains, single senders, allowed senders and recipients.",
    "webhooks": "Where SMTP2GO posts delivery events.",
    "suppressions": "Addresses and domains SMTP2GO will not send to.",
    "access": "Credentials: SMTP users, API keys, IP authentication, IP allow lists, dedicated IPs.",
    "subaccounts": "Subaccounts: find, create, change, close, reopen, plan usage.",
    "sms": "Send SMS and read sent and received messages.",
    "smtp": "Send through any SMTP server: sender identities, profiles, connection test, single and batch sends.",
}


class Selectable(Protocol):
    name: str
    toolset: str

    @property
    def hints(self) -> Hints: ...


T = TypeVar("T", bound=Selectable)


def select_tools(tools: Iterable[T], settings: Settings) -> list[T]:
    """The tools `settings` asks for, in declaration order; ConfigError on any unknown name."""
    tools = list(tools)
    by_name = {t.name: t for t in tools}
    unknown_sets = [s for s in settings.toolsets if s not in TOOLSETS]
    if unknown_sets:
        raise ConfigError(f"unknown toolset(s) {', '.join(unknown_sets)} in --toolsets/SMTP2GO_MCP_TOOLSETS; "
                          f"valid toolsets: {', '.join(TOOLSETS)}")
    for option, names in (("--tools/SMTP2GO_MCP_TOOLS", settings.tools),
                          ("--exclude-tools/SMTP2GO_MCP_EXCLUDE_TOOLS", settings.exclude_tools)):
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise ConfigError(f"unknown tool(s) {', '.join(unknown)} in {option}; valid tools: {', '.join(by_name)}")
    toolsets = set(settings.toolsets or TOOLSETS)
    for name in settings.tools:
        spec = by_name[name]
        if spec.toolset not in toolsets:
            raise ConfigError(f"{name} is in the {spec.toolset} toolset, which --toolsets leaves out; "
                              f"add {spec.toolset} to --toolsets or drop {name} from --tools")
        if settings.read_only and not spec.hints.read_only:
            raise ConfigError(f"{name} sends or changes something, so --read-only hides it; drop it from --tools")
    chosen = [
        t for t in tools
        if t.toolset in toolsets
        and (not settings.tools or t.name in settings.tools)
        and t.name not in settings.exclude_tools
        and (not settings.read_only or t.hints.read_only)
    ]
    if not chosen:
        raise ConfigError("this selection leaves no tools; check --toolsets, --tools, --exclude-tools and --read-only")
    return chosen
