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
    mode: str | None = Field(None, description="whitelist, blacklist or disabled.")


_LIST = "Email addresses or whole domains (example.com)."


class AllowedSendersChange(ToolInput):
    allowed_senders: list[AddressOrDomain] = Field(min_length=1, max_length=1000, description=_LIST)
    subaccount_id: str | None = subaccount_id_field()


class AllowedSendersUpdateInput(ToolInput):
    allowed_senders: list[AddressOrDomain] = Field(
        max_length=1000, description=_LIST + " Replaces the whole list; an empty list clears it.")
    mode: SenderMode = Field(
        description="whitelist: only these may send; blacklist: these may not; disabled: the list is "
        "ignored. whitelist or blacklist turns off the Sender Domains and Single Sender features.")
    subaccount_id: str | None = subaccount_id_field()


class SubaccountOnlyInput(ToolInput):
    subaccount_id: str | None = subaccount_id_field()


_DATA = "The allowed-senders list and its mode after the call."

api_tool(
    "allowed_senders/add", toolset="senders", kind="update", title="Add allowed senders",
    description="Append addresses or domains to the account's allowed-senders list (the list's mode "
    "decides whether it allows or blocks them). Entries already present are kept once.",
    input=AllowedSendersChange, data=AllowedSendersData, data_description=_DATA,
)
api_tool(
    "allowed_senders/remove", toolset="senders", kind="remove", title="Remove allowed senders",
    description="Remove addresses or domains from the allowed-senders list; entries not on the list are ignored.",
    input=AllowedSendersChange, data=AllowedSendersData, data_description=_DATA,
)
api_tool(
    "allowed_senders/update", toolset="senders", kind="replace", title="Replace allowed senders",
    description="Replace the whole allowed-senders list and set its mode. To add or remove single "
    "entries use SMTP2GO_ALLOWED_SENDERS_ADD or _REMOVE instead.",
    input=AllowedSendersUpdateInput, data=AllowedSendersData, data_description=_DATA,
)
api_tool(
    "allowed_senders/view", toolset="senders", kind="read", title="View allowed senders",
    description="Show the allowed-senders list and whether it is a whitelist, a blacklist or disabled.",
    input=SubaccountOnlyInput, data=AllowedSendersData, data_description=_DATA,
)


class SubaccountAccess(ToolInput):
    subaccounts: list[SingleLine] = Field(max_length=1000, description="Ids of subaccounts that may send from this domain.")
    future_subaccounts: bool = Field(False, description="Also let subaccounts created later send from it.")


class DomainAddInput(ToolInput):
    domain: DomainName = Field(description="The domain to send from, e.g. example.com.")
    tracking_subdomain: SingleLine | None = Field(
        None, max_length=63, pattern=r"^[A-Za-z0-9-]+$", description="Subdomain for open/click tracking links; default 'link'.")
    returnpath_subdomain: SingleLine | None = Field(
        None, max_length=63, pattern=r"^[A-Za-z0-9-]+$", description="Subdomain for bounces (the return path); default 'em' plus digits.")
    auto_verify: bool = Field(True, description="Check the DNS records now instead of at the next periodic check (about every 7 minutes).")
    requisition_ssl: bool | None = Field(None, description="Request a TLS certificate for the tracking subdomain (SMTP2GO's default: true).")
    subaccount_access: SubaccountAccess | None = Field(None, description="Let subaccounts send from this domain.")
    subaccount_id: str | None = subaccount_id_field()


class DnsRecordStatus(ApiData):
    fulldomain: str | None = None
    subdomain: str | None = None
    domain: str | None = None
    suffix: str | None = None
    dkim_selector: str | None = None
    dkim_verified: bool | None = None
    dkim_status: str | None = None
    dkim_value: str | None = None
    rpath_selector: str | None = None
    rpath_verified: bool | None = None
    rpath_status: str | None = None
    rpath_value: str | None = None
    setup_link: str | None = None


class Tracker(ApiData):
    fulldomain: str | None = None
    subdomain: str | None = None
    cname_verified: bool | None = None
    cname_status: str | None = None
    cname_value: str | None = None
    enabled: bool | None = None


class SenderDomain(ApiData):
    domain: DnsRecordStatus | None = None
    trackers: list[Tracker] | None = None
    subaccount_access: dict[str, object] | None = None


class DomainsData(ApiData):
    domains: list[SenderDomain] = Field(default_factory=list)


api_tool(
    "domain/add", toolset="senders", kind="create", title="Add a sender domain",
    description="Add a domain to send from and get the DKIM, return-path and tracking CNAME records "
    "to publish in its DNS. The domain verifies once those records resolve.",
    input=DomainAddInput, data=DomainsData,
    data_description="The domain with the DNS records to create (dkim_selector/dkim_value, rpath_selector/rpath_value, trackers) and their verification state.",
)
