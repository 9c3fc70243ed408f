"""Resources: account facts an agent or a user can attach to a conversation without a tool call.

Each resource reads through this server's own tools (same validation, same per-client API key,
same errors), and is offered only when the tools it reads through are: a server narrowed to
some toolsets, or denied some tools, does not hand out the same data another way. One
declaration per resource; nothing here imports the MCP SDK.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

# Runs one tool with these arguments and returns its structured result (see `ResourceFailed`).
CallTool = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


class ResourceFailed(Exception):
    """A tool behind a resource failed; `error_code` and the message are the tool's own."""

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(message)
        self.error_code = error_code


class NoSuchResource(LookupError):
    """The URI is none of this server's resources."""


@dataclass(frozen=True)
class ResourceSpec:
    uri: str  # a URI, or a URI template whose {placeholders} each match one path segment
    name: str
    title: str
    description: str
    tools: tuple[str, ...]  # the tools it reads through
    read: Callable[[dict[str, str], CallTool], Awaitable[Any]]
    mime_type: str = "application/json"

    @property
    def templated(self) -> bool:
        return "{" in self.uri

    def match(self, uri: str) -> dict[str, str] | None:
        """The placeholder values if `uri` is this resource, else None."""
        if not self.templated:
            return {} if uri == self.uri else None
        pattern = re.escape(self.uri).replace(r"\{", "{").replace(r"\}", "}")
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/?#]+)", pattern)
        found = re.fullmatch(pattern, uri)
        return found.groupdict() if found else None

    def available(self, tools: Collection[str]) -> bool:
        return all(t in tools for t in self.tools)


async def _data(call: CallTool, name: str, arguments: dict[str, Any]) -> Any:
    result = await call(name, arguments)
    if not result.get("successful"):
        raise ResourceFailed(result.get("error_code") or "failed", result.get("error") or f"{name} failed")
    return result


async def _usage(params: dict[str, str], call: CallTool) -> Any:
    cycle = await _data(call, "SMTP2GO_STATS_EMAIL_CYCLE", {})
    summary = await _data(call, "SMTP2GO_STATS_EMAIL_SUMMARY", {})
    return {"cycle": cycle["data"], "summary": summary["data"]}


async def _template(params: dict[str, str], call: CallTool) -> Any:
    template = (await _data(call, "SMTP2GO_TEMPLATE_VIEW", {"id": params["id"]}))["data"] or {}
    keep = ("id", "name", "subject", "html_body", "text_body", "template_variables", "tags")
    return {k: template[k] for k in keep if k in template}


async def _senders(params: dict[str, str], call: CallTool) -> Any:
    listing = await _data(call, "SMTP_SENDER_LIST", {})
    return {k: listing[k] for k in ("senders", "profiles", "default_profile")}


RESOURCES: tuple[ResourceSpec, ...] = (
    ResourceSpec("smtp2go://account/usage", "account-usage", "SMTP2GO account usage",
                 "The billing cycle (emails used, left, dates) and the last 30 days' sending statistics.",
                 ("SMTP2GO_STATS_EMAIL_CYCLE", "SMTP2GO_STATS_EMAIL_SUMMARY"), _usage),
    ResourceSpec("smtp2go://templates/{id}", "template", "SMTP2GO template",
                 "One email template: its subject, HTML and text bodies, and variables.",
                 ("SMTP2GO_TEMPLATE_VIEW",), _template),
    ResourceSpec("smtp://senders", "smtp-senders", "SMTP sender identities",
                 "The sender identities and SMTP profiles this server can send as (no passwords).",
                 ("SMTP_SENDER_LIST",), _senders),
)


def find(uri: str, tools: Collection[str]) -> tuple[ResourceSpec, dict[str, str]]:
    """The resource `uri` names among those offered with `tools`, and its placeholder values."""
    for spec in RESOURCES:
        params = spec.match(uri)
        if params is not None and spec.available(tools):
            return spec, params
    raise NoSuchResource(uri)


async def read(uri: str, tools: Collection[str], call: CallTool) -> tuple[ResourceSpec, str]:
    """The resource and its content as JSON text; NoSuchResource or ResourceFailed otherwise."""
    spec, params = find(uri, tools)
    return spec, json.dumps(await spec.read(params, call), ensure_ascii=False, indent=1)
