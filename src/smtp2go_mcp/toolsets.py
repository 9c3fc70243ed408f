"""Choosing which tools a server offers: toolsets, read-only mode, allow and deny lists.

Some clients cope badly with many tools (one sends only the first 40), so a
user narrows the list at startup. Every name is checked: a typo is a startup
error listing the valid names, never a silently smaller server.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, Protocol, TypeVar

from smtp2go_mcp.config import ConfigError, Settings
from smtp2go_mcp.registry import Hints

TOOLSETS: dict[str, str] = {
    "email": "Send email (JSON, MIME, batch), schedule it, and cancel scheduled sends.",
    "activity": "What happened to sent mail: activity search, webhook delivery events, the deprecated email "
    "search, the archive.",
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
        if t.toolset in toolsets and t.toolset != DISCOVERY
        and (not settings.tools or t.name in settings.tools)
        and t.name not in settings.exclude_tools
        and (not settings.read_only or t.hints.read_only)
    ]
    if not chosen:
        raise ConfigError("this selection leaves no tools; check --toolsets, --tools, --exclude-tools and --read-only")
    return chosen


# The toolset of the two tools that switch toolsets on; offered only with --dynamic-toolsets.
DISCOVERY = "discovery"


class UnknownToolset(ValueError):
    """A name that is not a toolset this server can offer."""


class DynamicToolsets(Generic[T]):
    """--dynamic-toolsets: the server starts with the discovery tools and adds toolsets on request.

    Some clients handle a long tool list badly, and every tool costs context; here the agent
    sees what there is (`TOOLSETS_LIST`) and switches on what the task needs (`TOOLSETS_ENABLE`).
    Toolsets only ever switch on, for the whole server process: over HTTP every client sees the
    same list. `version` counts the changes, so the MCP layer knows when to say the list changed.
    """

    def __init__(self, discovery: list[T], available: list[T], enabled: Iterable[str] = ()) -> None:
        self.discovery = discovery
        self.available = available  # what the settings allow (read-only, allow and deny lists applied)
        self.enabled: set[str] = set()
        self.version = 0
        self.enable(enabled)

    @classmethod
    def select(cls, tools: Iterable[T], settings: Settings) -> DynamicToolsets[T]:
        """The discovery tools, and every other tool the settings allow; --toolsets start switched on."""
        tools = list(tools)
        discovery = [t for t in tools if t.toolset == DISCOVERY]
        # --toolsets only says which start switched on; --tools, --exclude-tools and --read-only still apply.
        available = select_tools(tools, settings.with_(toolsets=()))
        try:
            return cls(discovery, available, settings.toolsets)
        except UnknownToolset as exc:
            raise ConfigError(f"--toolsets/SMTP2GO_MCP_TOOLSETS with --dynamic-toolsets: {exc}") from None

    def offered(self) -> list[T]:
        return self.discovery + [t for t in self.available if t.toolset in self.enabled]

    def offers(self, name: str) -> bool:
        return any(t.name == name for t in self.discovery) or self.toolset_of(name) in self.enabled

    def toolsets(self) -> dict[str, list[T]]:
        """Each toolset that has tools here, with them (a toolset emptied by the settings is left out)."""
        found: dict[str, list[T]] = {}
        for spec in self.available:
            found.setdefault(spec.toolset, []).append(spec)
        return {name: found[name] for name in TOOLSETS if name in found}

    def toolset_of(self, name: str) -> str | None:
        """The toolset a tool this server could offer is in, or None."""
        return next((t.toolset for t in self.available if t.name == name), None)

    def enable(self, names: Iterable[str]) -> list[str]:
        """Switch toolsets on; returns those that were off. UnknownToolset names the valid ones."""
        names = list(dict.fromkeys(names))
        offered = self.toolsets()
        unknown = [n for n in names if n not in offered]
        if unknown:
            raise UnknownToolset(f"unknown toolset(s) {', '.join(unknown)}; this server offers: "
                                 f"{', '.join(offered)}")
        added = [n for n in names if n not in self.enabled]
        if added:
            self.enabled.update(added)
            self.version += 1
        return added
