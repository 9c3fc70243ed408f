"""Who may send: the allowed-senders list and sender domains."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from smtp2go_mcp.envelope import ApiData, ToolInput
from smtp2go_mcp.fields import AddressOrDomain, DomainName, SingleLine, subaccount_id_field
from smtp2go_mcp.registry import api_tool

SenderMode = Literal["whitelist", "blacklist", "disabled"]


class AllowedSendersData(ApiData):
    allowed_senders: list[str] = Field(default_factory=list)
    mode: str | None = None


_LIST = "Addresses or domains (example.com)."


class AllowedSendersChange(ToolInput):
    allowed_senders: list[AddressOrDomain] = Field(min_length=1, max_length=1000, description=_LIST)
    subaccount_id: str | None = subaccount_id_field()


class AllowedSendersUpdateInput(ToolInput):
    allowed_senders: list[AddressOrDomain] = Field(
        max_length=1000, description=_LIST + " Replaces the list; [] clears it.")
    mode: SenderMode = Field(
        description="whitelist: only these may send; blacklist: these may not; disabled: list ignored. "
        "whitelist/blacklist turn off sender domains and single senders.")
    subaccount_id: str | None = subaccount_id_field()


class SubaccountOnlyInput(ToolInput):
    subaccount_id: str | None = subaccount_id_field()


api_tool(
    "allowed_senders/add", toolset="senders", kind="update", title="Add allowed senders",
    description="Add addresses or domains to the allowed-senders list (its mode decides whether they are "
    "allowed or blocked).",
    input=AllowedSendersChange, data=AllowedSendersData,
)
api_tool(
    "allowed_senders/remove", toolset="senders", kind="remove", title="Remove allowed senders",
    description="Remove addresses or domains from the allowed-senders list.",
    input=AllowedSendersChange, data=AllowedSendersData,
)
api_tool(
    "allowed_senders/update", toolset="senders", kind="replace", title="Replace allowed senders",
    description="Replace the whole allowed-senders list and set its mode (for single entries use "
    "SMTP2GO_ALLOWED_SENDERS_ADD or _REMOVE).",
    input=AllowedSendersUpdateInput, data=AllowedSendersData,
)
api_tool(
    "allowed_senders/view", toolset="senders", kind="read", title="View allowed senders",
    description="Show the allowed-senders list and its mode: whitelist, blacklist or disabled.",
    input=SubaccountOnlyInput, data=AllowedSendersData,
)


class SubaccountAccess(ToolInput):
    subaccounts: list[SingleLine] = Field(max_length=1000, description="Ids of subaccounts that may send from it.")
    future_subaccounts: bool = Field(False, description="Also subaccounts created later.")


class DomainAddInput(ToolInput):
    domain: DomainName = Field(description="e.g. example.com.")
    tracking_subdomain: SingleLine | None = Field(
        None, max_length=63, pattern=r"^[A-Za-z0-9-]+$", description="For tracking links; default 'link'.")
    returnpath_subdomain: SingleLine | None = Field(
        None, max_length=63, pattern=r"^[A-Za-z0-9-]+$", description="For bounces; default 'em' plus digits.")
    auto_verify: bool = Field(True, description="Check DNS now, not at the next periodic check (~7 min).")
    requisition_ssl: bool | None = Field(None, description="TLS certificate for the tracking subdomain (API default true).")
    subaccount_access: SubaccountAccess | None = Field(None, description="Subaccounts that may send from it.")
    subaccount_id: str | None = subaccount_id_field()


# The records to publish and whether each verified; the *_status texts and the rest pass through.
class DnsRecordStatus(ApiData):
    fulldomain: str | None = None
    dkim_selector: str | None = None
    dkim_value: str | None = None
    dkim_verified: bool | None = None
    rpath_selector: str | None = None
    rpath_value: str | None = None
    rpath_verified: bool | None = None


class Tracker(ApiData):
    fulldomain: str | None = None
    cname_value: str | None = None
    cname_verified: bool | None = None


class SenderDomain(ApiData):
    domain: DnsRecordStatus | None = None
    trackers: list[Tracker] | None = None


class DomainsData(ApiData):
    domains: list[SenderDomain] = Field(default_factory=list)


api_tool(
    "domain/add", toolset="senders", kind="create", title="Add a sender domain",
    description="Add a domain to send from and get the DKIM, return-path and tracking CNAME records to publish "
    "in its DNS; it verifies once they resolve.",
    input=DomainAddInput, data=DomainsData,
)
