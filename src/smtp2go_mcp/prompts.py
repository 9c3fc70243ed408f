"""Prompts: the email flows businesses automate, written out as steps over this server's tools.

A prompt is a user message the client inserts for the agent (MCP `prompts/get`): it names the
tools to call, in order, with their arguments filled in from the prompt's arguments, and where
to stop and ask. One declaration per prompt; nothing here imports the MCP SDK.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

_ADDRESS = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")


class PromptError(ValueError):
    """Arguments a prompt cannot be built from; the message says which and why."""


@dataclass(frozen=True)
class Argument:
    name: str
    description: str
    required: bool = False
    check: Callable[[str], bool] | None = None  # a value it refuses gets a PromptError naming the argument
    expects: str = ""  # what `check` wants, for that error


@dataclass(frozen=True)
class PromptSpec:
    name: str
    title: str
    description: str
    arguments: tuple[Argument, ...]
    # Each group names tools of which at least one must be offered for the prompt to be listed.
    requires: tuple[tuple[str, ...], ...]
    render: Callable[[dict[str, str], Collection[str]], str]

    def available(self, tools: Collection[str]) -> bool:
        return all(any(t in tools for t in group) for group in self.requires)

    def text(self, arguments: dict[str, str] | None, tools: Collection[str]) -> str:
        """The prompt for these arguments, using only `tools` (the ones this server can offer)."""
        given = {k: v.strip() for k, v in (arguments or {}).items() if isinstance(v, str) and v.strip()}
        known = {a.name: a for a in self.arguments}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise PromptError(f"{self.name} has no argument(s) {', '.join(unknown)}; it takes {', '.join(known)}")
        missing = [a.name for a in self.arguments if a.required and a.name not in given]
        if missing:
            raise PromptError(f"{self.name} needs {', '.join(missing)}")
        for name, value in given.items():
            argument = known[name]
            if "\n" in value or "\r" in value or len(value) > 500:
                raise PromptError(f"{name} must be one line of at most 500 characters")
            if argument.check and not argument.check(value):
                raise PromptError(f"{name} must be {argument.expects}, not {value!r}")
        return self.render(given, tools)


def _is_address(value: str) -> bool:
    return bool(_ADDRESS.match(value))


def _is_domain(value: str) -> bool:
    return bool(_DOMAIN.match(value))


def _one_of(*choices: str) -> Callable[[str], bool]:
    return lambda value: value.lower() in choices


def _q(value: str) -> str:
    """A value as a JSON string literal, so the agent copies it into the tool call exactly."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _steps(*steps: str) -> str:
    kept = [s for s in steps if s]
    return "\n".join(f"{i}. {s}" for i, s in enumerate(kept, 1))


# -- invoice_due_reminder ----------------------------------------------------------------
def _invoice_due_reminder(a: dict[str, str], tools: Collection[str]) -> str:
    channel = a.get("channel", "smtp2go" if "SMTP2GO_EMAIL_SEND" in tools else "smtp").lower()
    doc, due = a["document"], a["due_date"]
    contact = f"{a['contact_name']} <{a['contact_email']}>" if a.get("contact_name") else a["contact_email"]
    key = re.sub(r"[^A-Za-z0-9._-]+", "-", f"due-reminder-{doc}-{due}")[:200]
    facts = [f"document {_q(doc)}", f"due date {_q(due)}"]
    facts += [f"{label} {_q(a[name])}" for name, label in (("amount_due", "amount due"), ("customer", "customer"),
                                                          ("payment_link", "payment link")) if a.get(name)]
    template = a.get("template_id")
    if channel == "smtp":
        check = ""
        sender = f'sender={_q(a["sender"])}' if a.get("sender") else \
            "the sender identity or profile I use for billing (SMTP_SENDER_LIST shows them; ask me if unsure)"
        send = (f"Send it, once: SMTP_SEND_EMAIL with {sender}, to=[{_q(contact)}], the subject, text_body and "
                f"html_body, idempotency_key={_q(key)}.")
        follow = "Report the message_id and the accepted recipients; if it failed, the error and what to fix."
    else:
        check = ("Check that the address can receive mail: SMTP2GO_SUPPRESSION_VIEW with "
                 f"email_address={_q(a['contact_email'])}. If it is suppressed, do not send: tell me why "
                 "(bounce, spam complaint, unsubscribe) and stop."
                 if "SMTP2GO_SUPPRESSION_VIEW" in tools else "")
        sender = f"sender={_q(a['sender'])}" if a.get("sender") else \
            "sender set to the billing address on the account's verified domain (ask me if unsure)"
        content = (f"template_id={_q(template)} and template_data holding the values the template uses"
                   if template else "the subject, text_body and html_body")
        send = (f"Send it, once: SMTP2GO_EMAIL_SEND with {sender}, to=[{_q(contact)}], {content}, "
                f"idempotency_key={_q(key)}.")
        tracking = " SMTP2GO_EVENTS_RECENT with that email_id later tells whether it was delivered." \
            if "SMTP2GO_EVENTS_RECENT" in tools else ""
        follow = "Report the email_id; if it failed, the error and what to fix." + tracking
    if template and channel != "smtp":
        write = (f"Read the template: SMTP2GO_TEMPLATE_VIEW with id={_q(template)}. Map its {{{{ variables }}}} "
                 "to the facts above (e.g. invoice_number, amount_due, due_date, payment_link, customer_name, "
                 "contact_name); if one has no value, ask me rather than invent it.")
    else:
        write = (f"Write the message. Subject: {_q(f'Reminder: {doc} is due on {due}')}. A short, friendly "
                 "text and HTML body: what is due, the amount and date, how to pay, whom to ask with questions. "
                 "Use only the facts above; if one is missing, leave it out rather than invent it.")
    return (f"Send {contact} a reminder that a payment is due. Facts: {'; '.join(facts)}.\n\n" + _steps(
        check, write,
        "Show me the recipient, subject and body, and wait for my go-ahead, unless I already said to send.",
        send + " The idempotency key makes a repeat of this request return the first result instead of "
        "sending again: never change it to get around that.",
        follow))


# -- onboard_sender ------------------------------------------------------------------------
def _onboard_sender(a: dict[str, str], tools: Collection[str]) -> str:
    email, name, host = a["email_address"], a["sender_name"], a["host"]
    relay = a.get("ip_relay_auth", "no").lower() in ("yes", "true")
    config = [f"host={_q(host)}"]
    if a.get("port"):
        config.append(f"port={a['port']}")
    if a.get("security"):
        config.append(f"security={_q(a['security'].lower())}")
    if relay:
        config.append("ip_relay_auth=true")
        login = "No credentials: the relay must trust this machine's IP address."
    else:
        config.append(f"username={_q(a['username'])}" if a.get("username") else "username (ask me for it)")
        config.append(f"password_env={_q(a['password_env'])}" if a.get("password_env") else
                      "the password: ask me for the name of an environment variable of this server that holds it "
                      "(password_env, which keeps it out of this chat), or else for the password itself")
        login = "Never repeat a password back in the conversation."
    if not a.get("port"):
        config.append("port (ask me; usually 587 with starttls, 465 with tls)")
    return (f"Set up {name} <{email}> as a sender through the SMTP server {host} and prove that it works.\n\n" + _steps(
        f"SMTP_SENDER_LIST: if an identity for {email} already exists, ask me whether to keep it (then go to step "
        "3) or replace it (SMTP_SENDER_DELETE, then continue).",
        f"SMTP_SENDER_CREATE with sender_name={_q(name)}, email_address={_q(email)}, smtp_configuration with "
        f"{', '.join(config)}. {login}",
        f"SMTP_TEST_CONNECTION with sender={_q(email)}. If it fails, explain its error_code: auth_failed (wrong "
        "login, or the provider wants an app password, as Gmail and Outlook do), tls_failed (security does not "
        "match the port: 465 is tls, 587 starttls), connection_failed or timeout (host, port or a firewall). Ask "
        "me what to change, then delete and re-create the identity, and test again.",
        f"Send one test message: SMTP_SEND_EMAIL with sender={_q(email)}, to=[{_q(a['test_recipient'])}], "
        f"subject {_q(f'Test message from {name}')}, a one-line text_body, "
        f"idempotency_key={_q('onboard-test-' + email)}.",
        "Report the identity's id, what the server offered (TLS version, login methods) and the test message's "
        "message_id and accepted recipients."))


# -- deliverability_report -----------------------------------------------------------------
def _deliverability_report(a: dict[str, str], tools: Collection[str]) -> str:
    who = f"the sender {_q(a['username'])}" if a.get("username") else "the whole account"
    user = f" with username={_q(a['username'])}" if a.get("username") else ""
    since = f"start_date={_q(a['start_date'])}" if a.get("start_date") else "start_date 30 days ago"
    until = f", end_date={_q(a['end_date'])}" if a.get("end_date") else ""
    gather = [f"- {name}{user}: {what}" for name, what in (
        ("SMTP2GO_STATS_EMAIL_BOUNCES", "sent, rejects, soft and hard bounces, bounce rate (last 30 days)"),
        ("SMTP2GO_STATS_EMAIL_SPAM", "spam complaints and their rate"),
        ("SMTP2GO_STATS_EMAIL_UNSUBS", "unsubscribes and their rate")) if name in tools]
    if "SMTP2GO_STATS_EMAIL_CYCLE" in tools:
        gather.append("- SMTP2GO_STATS_EMAIL_CYCLE: emails used and left in the billing cycle, and its dates")
    if "SMTP2GO_SUPPRESSION_VIEW" in tools:
        gather.append(f"- SMTP2GO_SUPPRESSION_VIEW with {since}{until}, sort=\"desc\": the suppressions added in "
                      "the period (follow continue_token for at most 3 pages)")
    if "SMTP2GO_ACTIVITY_SEARCH" in tools:
        gather.append(f"- SMTP2GO_ACTIVITY_SEARCH with {since}{until}, event_types=[\"hard-bounced\", "
                      "\"soft-bounced\", \"spam\", \"unsubscribed\"], limit=200: who bounced or complained, and why")
    return (f"Write a deliverability report for {who}.\n\nGather these (they are independent of each other):\n"
            + "\n".join(gather) + "\n\nThen write:\n" + _steps(
                "Volume: sent in the last 30 days; billing-cycle use (used of allowed, days left), with a warning "
                "if the cycle will run out at this pace.",
                "Rates against common limits: bounces (under 2% is healthy, over 5% risks the account), spam "
                "complaints (under 0.1%; 0.3% is a problem), unsubscribes. Mark each OK, watch or act.",
                "Suppressions to review: a table of address, type, date added and reason. Flag likely typos "
                "(gmial.com), role addresses (info@, noreply@) and entries that may deserve removal (a temporary "
                "cause, a customer who asked to be re-added). Remove nothing without my confirmation "
                "(SMTP2GO_SUPPRESSION_REMOVE).",
                "Likely causes and next steps: list hygiene, confirmed opt-in, domain authentication "
                "(SMTP2GO_DOMAIN_VIEW shows DKIM and return-path status).")
            + "\n\nQuote the figures as SMTP2GO gives them, and say which are missing if a call fails.")


# -- verify_domain -------------------------------------------------------------------------
def _verify_domain(a: dict[str, str], tools: Collection[str]) -> str:
    domain = a["domain"].lower()
    extra = "".join(f", {name}={_q(a[name])}" for name in ("tracking_subdomain", "returnpath_subdomain",
                                                          "subaccount_id") if a.get(name))
    sub = f", subaccount_id={_q(a['subaccount_id'])}" if a.get("subaccount_id") else ""
    return (f"Get {domain} verified as a sender domain on SMTP2GO.\n\n" + _steps(
        f"SMTP2GO_DOMAIN_VIEW with domain={_q(domain)}{sub}: if the domain is already there, go to step 3 with "
        "its records.",
        f"SMTP2GO_DOMAIN_ADD with domain={_q(domain)}{extra}.",
        "Show me the DNS records to publish as a table: type (CNAME), name, value, purpose (DKIM signing, "
        "return path for bounces, link tracking) and whether each is verified yet. Mention the setup_link page "
        "if SMTP2GO_DOMAIN_VIEW gives one. Say that DNS changes take minutes to hours to show, and that these "
        "CNAMEs must not be proxied (on Cloudflare: DNS only).",
        f"When I say the records are published, SMTP2GO_DOMAIN_VERIFY with domain={_q(domain)}{sub}, and report "
        "each record's status. For one still failing, say what a lookup of its name should return (dig CNAME "
        "<name>). Check again only when I ask: SMTP2GO also rechecks every few minutes on its own."))


PROMPTS: dict[str, PromptSpec] = {spec.name: spec for spec in (
    PromptSpec(
        "invoice_due_reminder", "Invoice or order due: remind the customer",
        "Email a customer's primary contact that an invoice or order is due: checks the address is not "
        "suppressed, writes the reminder (or fills an SMTP2GO template), asks before sending, sends once.",
        (Argument("contact_email", "The primary contact's email address.", True, _is_address, "an email address"),
         Argument("document", "Invoice or order number, e.g. INV-1042.", True),
         Argument("due_date", "When it is due, e.g. 2026-12-01.", True),
         Argument("contact_name", "The contact's name."),
         Argument("customer", "The customer's company or account name."),
         Argument("amount_due", "e.g. EUR 1,250.00."),
         Argument("payment_link", "Where to pay."),
         Argument("sender", "The From address (SMTP2GO: on a verified domain; SMTP: a sender identity)."),
         Argument("template_id", "An SMTP2GO template to use instead of a written message."),
         Argument("channel", "smtp2go (default when available) or smtp.", False, _one_of("smtp2go", "smtp"),
                  "smtp2go or smtp")),
        (("SMTP2GO_EMAIL_SEND", "SMTP_SEND_EMAIL"),), _invoice_due_reminder),
    PromptSpec(
        "onboard_sender", "Onboard an SMTP sender",
        "Create a sender identity with its SMTP server (login or IP relay), test the connection, and send a "
        "test message.",
        (Argument("email_address", "The From address to set up.", True, _is_address, "an email address"),
         Argument("sender_name", "The From name, e.g. Acme Billing.", True),
         Argument("host", "The SMTP server, e.g. smtp.gmail.com.", True),
         Argument("test_recipient", "Where to send the test message.", True, _is_address, "an email address"),
         Argument("port", "e.g. 587 or 465.", False, lambda v: v.isdigit() and 0 < int(v) < 65536, "a port number"),
         Argument("security", "starttls, tls or none.", False, _one_of("starttls", "tls", "none"),
                  "starttls, tls or none"),
         Argument("username", "SMTP login."),
         Argument("password_env", "This server's environment variable holding the password.", False,
                  lambda v: bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v)), "an environment variable name"),
         Argument("ip_relay_auth", "yes if the server trusts this machine's IP (no login).", False,
                  _one_of("yes", "no", "true", "false"), "yes or no")),
        (("SMTP_SENDER_CREATE",), ("SMTP_TEST_CONNECTION",), ("SMTP_SEND_EMAIL",)), _onboard_sender),
    PromptSpec(
        "deliverability_report", "Deliverability report",
        "Bounces, spam complaints, unsubscribes and billing-cycle use, with the suppressions to review and "
        "what to do next.",
        (Argument("username", "Only this SMTP user or API key (default: the whole account)."),
         Argument("start_date", "Period start for suppressions and activity, e.g. 2026-11-01."),
         Argument("end_date", "Period end (exclusive).")),
        (("SMTP2GO_STATS_EMAIL_BOUNCES",), ("SMTP2GO_STATS_EMAIL_SPAM",), ("SMTP2GO_STATS_EMAIL_UNSUBS",)),
        _deliverability_report),
    PromptSpec(
        "verify_domain", "Verify a sender domain",
        "Add a sender domain to SMTP2GO, show the DNS records to publish, and verify them.",
        (Argument("domain", "e.g. example.com.", True, _is_domain, "a domain name such as example.com"),
         Argument("tracking_subdomain", "For tracked links; default link."),
         Argument("returnpath_subdomain", "For bounces; default em plus digits."),
         Argument("subaccount_id", "Act as this subaccount.")),
        (("SMTP2GO_DOMAIN_ADD",), ("SMTP2GO_DOMAIN_VERIFY",)), _verify_domain),
)}


TOOL_NAME = re.compile(r"\b(?:SMTP2GO|SMTP|TOOLSETS)_[A-Z_]+[A-Z]\b")


def tools_named(text: str) -> set[str]:
    """The tool names a prompt's text mentions (the tests check each one exists)."""
    return set(TOOL_NAME.findall(text))
