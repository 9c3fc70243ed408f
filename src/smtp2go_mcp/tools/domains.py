"""Sender domains, single sender emails and allowed recipients."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from smtp2go_mcp.envelope import ApiData, ToolInput
from smtp2go_mcp.fields import AddressOrDomain, DomainName, EmailAddress, SingleLine, subaccount_id_field
from smtp2go_mcp.registry import api_tool
from smtp2go_mcp.tools.senders import DnsRecordStatus, DomainsData, SenderDomain, SubaccountOnlyInput

# One DNS label: what SMTP2GO puts in front of the domain (link.example.com -> "link").
Subdomain = Annotated[str, Field(min_length=1, max_length=63, pattern=r"^[A-Za-z0-9-]+$")]

_DOMAIN = "Sender domain, e.g. example.com."


class DomainVerifyInput(ToolInput):
    domain: DomainName = Field(description=_DOMAIN)
    requisition_ssl: bool | None = Field(
        None, description="TLS certificate for the tracking subdomain (API default true).")
    subaccount_id: str | None = subaccount_id_field()


class DomainViewInput(ToolInput):
    domain: DomainName | None = Field(
        None, description="Only this domain (then with setup_link); default all.")
    subaccount_id: str | None = subaccount_id_field()


class DomainRemoveInput(ToolInput):
    domain: DomainName = Field(description=_DOMAIN)
    subaccount_id: str | None = subaccount_id_field()


class SubdomainChangeInput(ToolInput):
    domain: DomainName = Field(description=_DOMAIN)
    old_subdomain: Subdomain = Field(description="Current label, e.g. 'link' of link.example.com.")
    new_subdomain: Subdomain = Field(description="The new label.")
    subaccount_id: str | None = subaccount_id_field()


class SubaccountAccessInput(ToolInput):
    domain: DomainName = Field(description="A sender domain of the master account.")
    subaccounts: list[Annotated[SingleLine, Field(min_length=1, max_length=64)]] = Field(
        max_length=1000, description="Ids of subaccounts that may send from it; replaces the list ([] revokes all).")
    future_subaccounts: bool = Field(False, description="Also subaccounts created later.")


class RemovedDomainsData(ApiData):
    domains: list[dict[str, Any]] = Field(default_factory=list)


class ViewedRecords(DnsRecordStatus):
    setup_link: str | None = None


class ViewedDomain(SenderDomain):
    domain: ViewedRecords | None = None
    from_master: bool | None = Field(None, description="Shared by the master account.")


class DomainViewData(ApiData):
    domains: list[ViewedDomain] = Field(default_factory=list)


class SubaccountAccessData(ApiData):
    domain: str | None = None
    subaccounts: list[str] | None = None
    future_subaccounts: bool | None = None


api_tool(
    "domain/verify", toolset="senders", kind="update", title="Verify a sender domain",
    description="Check a sender domain's DNS records now (SMTP2GO checks about every 7 minutes), e.g. after "
    "publishing them.",
    input=DomainVerifyInput, data=DomainsData,
)
api_tool(
    "domain/view", toolset="senders", kind="read", title="View sender domains",
    description="List the sender domains with their DNS records and what is verified, or show one (with a "
    "setup_link page that helps publish the records).",
    input=DomainViewInput, data=DomainViewData,
)
api_tool(
    "domain/remove", toolset="senders", kind="remove", title="Remove a sender domain",
    description="Remove a sender domain; mail from its addresses is then refused unless another verified "
    "sender covers it.",
    input=DomainRemoveInput, data=RemovedDomainsData,
)
api_tool(
    "domain/tracking", toolset="senders", kind="update", title="Change a tracking subdomain",
    description="Rename a sender domain's tracking-link subdomain (e.g. link. to track.); then publish the new "
    "CNAME and verify the domain.",
    input=SubdomainChangeInput, data=DomainsData,
)
api_tool(
    "domain/returnpath", toolset="senders", kind="update", title="Change a return-path subdomain",
    description="Rename a sender domain's return-path (bounce) subdomain; then publish the new CNAME and "
    "verify the domain.",
    input=SubdomainChangeInput, data=DomainsData,
)
api_tool(
    "domain/subaccount_access", toolset="senders", kind="replace", title="Share a sender domain with subaccounts",
    description="Set which subaccounts may send from one of the master account's sender domains.",
    input=SubaccountAccessInput, data=SubaccountAccessData,
)


class SingleSenderAddInput(ToolInput):
    email_address: EmailAddress = Field(description="The address to verify.")
    message: str | None = Field(None, max_length=2000, description="Text added to the verification email.")
    subaccount_id: str | None = subaccount_id_field()


class SingleSenderViewInput(ToolInput):
    email_address: EmailAddress | None = Field(None, description="Only this address; default all.")
    subaccount_id: str | None = subaccount_id_field()


class SingleSenderRemoveInput(ToolInput):
    email_address: EmailAddress = Field(description="The address to remove.")
    subaccount_id: str | None = subaccount_id_field()


class SingleSender(ApiData):
    email_address: str | None = None
    verified: bool | None = None


class SingleSendersData(ApiData):
    senders: list[SingleSender] = Field(default_factory=list)


api_tool(
    "single_sender_emails/add", toolset="senders", kind="create", title="Add a single sender email",
    description="Allow sending from one address without verifying its domain: SMTP2GO emails it a verification "
    "link (calling again resends it).",
    # The API documents no meaningful answer here (its example is a placeholder), so take whatever comes.
    input=SingleSenderAddInput, data=dict[str, Any] | str,
)
api_tool(
    "single_sender_emails/view", toolset="senders", kind="read", title="View single sender emails",
    description="List the single sender addresses and whether each is verified.",
    input=SingleSenderViewInput, data=SingleSendersData,
)
api_tool(
    "single_sender_emails/remove", toolset="senders", kind="remove", title="Remove a single sender email",
    description="Remove a single sender address; mail from it is then refused unless its domain is verified.",
    input=SingleSenderRemoveInput, data=str,
)


class AllowedRecipientsData(ApiData):
    allowed_recipients: list[str] = Field(default_factory=list)
    enabled: bool | None = None


_LIST = "Addresses or domains (example.com)."
_ENABLED = "Restrict sending to the list (true) or ignore it (false)"


class AllowedRecipientsChange(ToolInput):
    allowed_recipients: list[AddressOrDomain] = Field(min_length=1, max_length=1000, description=_LIST)
    enabled: bool | None = Field(None, description=_ENABLED + "; default unchanged.")
    subaccount_id: str | None = subaccount_id_field()


class AllowedRecipientsUpdateInput(ToolInput):
    allowed_recipients: list[AddressOrDomain] = Field(
        max_length=1000, description=_LIST + " Replaces the list; [] clears it.")
    enabled: bool = Field(description=_ENABLED + ".")
    subaccount_id: str | None = subaccount_id_field()


api_tool(
    "allowed_recipients/add", toolset="senders", kind="update", title="Add allowed recipients",
    description="Add addresses or domains to the allowed-recipients list, which (when enabled) limits who the "
    "account may send to, e.g. for staging.",
    input=AllowedRecipientsChange, data=AllowedRecipientsData,
)
api_tool(
    "allowed_recipients/remove", toolset="senders", kind="remove", title="Remove allowed recipients",
    description="Remove addresses or domains from the allowed-recipients list.",
    input=AllowedRecipientsChange, data=AllowedRecipientsData,
)
api_tool(
    "allowed_recipients/update", toolset="senders", kind="replace", title="Replace allowed recipients",
    description="Replace the whole allowed-recipients list and switch it on or off (for single entries use "
    "SMTP2GO_ALLOWED_RECIPIENTS_ADD or _REMOVE).",
    input=AllowedRecipientsUpdateInput, data=AllowedRecipientsData,
)
api_tool(
    "allowed_recipients/view", toolset="senders", kind="read", title="View allowed recipients",
    description="Show the allowed-recipients list and whether sending is restricted to it.",
    input=SubaccountOnlyInput, data=AllowedRecipientsData,
)
