"""Property-based tests over every tool's published inputSchema, through a real MCP client.

For every tool, hypothesis draws
- arguments valid against the tool's inputSchema: from the schema itself (hypothesis-jsonschema),
  from a narrowed copy of it (realistic addresses, dates, ... on fields known by name), and from a
  known-good call with fields redrawn or left out (so that calls get past the local checks the
  schema cannot express and reach the API and the SMTP server); and
- invalid arguments: a valid example broken in exactly one field (a JSON type the schema does not
  allow, a value out of bounds or not in the enum, a string that misses the pattern, an unknown
  property, a missing required property, or CR/LF in a field that ends up in an email header or
  an SMTP command).

Every call must come back as a tool result (no protocol error, no crash) within a time bound,
with structuredContent valid against the tool's outputSchema and never `internal_error`.
Invalid arguments must get `invalid_arguments` naming the broken field, and nothing may reach
the SMTP2GO simulator or the SMTP server.

The client and server are the real `mcp.Client` and our `build_server`, joined by the SDK's
in-memory transport (no HTTP, for speed). The SMTP2GO tools talk to the simulator over a real
socket, the SMTP_* tools to a recording aiosmtpd server on loopback; URL attachments of the
SMTP tools are pointed at a local web server, so nothing leaves the machine.

Bugs found this way have a strict-xfail test of their own at the end of the module, and their
inputs are kept out of the random search (so that it goes on finding others); remove both with
the fix. FUZZ_SCALE=10 runs ten times the examples, for a longer hunt.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import os
import re
import tempfile
import types
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import anyio
import hypothesis_jsonschema._from_schema as _hjs_from_schema
import jsonschema
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, currently_in_test_context, given, note, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import utils as _conjecture_utils
from hypothesis_jsonschema import from_schema
from mcp import Client

from smtp2go_mcp import mcp_server
from smtp2go_mcp.runtime import Runtime
from smtp2go_mcp.smtp.profiles import SmtpProfile
from tests.conftest import ATTACHMENT_DIR, TOOLS, api_requests, assert_matches_output_schema, settings_for, text_of
from tests.smtp_servers import SmtpServer
from tests.tool_cases import CASES
from tests.web_servers import pdf_file, serving_http


# hypothesis-jsonschema 0.23.1 (the latest release) draws object properties through an older
# protocol of Hypothesis' internals (`many(...).more()`); current Hypothesis only iterates a `many`
# inside a with-block, so every object schema fails with "'many' object has no attribute 'more'".
# This adapter gives it the old protocol on top of the new one, for this module only (the
# library's files are not touched).
class _LegacyMany:
    def __init__(self, data: Any, **kwargs: Any) -> None:
        self._many = _conjecture_utils.many(data, **kwargs)
        self._many.__enter__()
        self._elements = iter(self._many)

    def more(self) -> bool:
        if next(self._elements, StopIteration) is StopIteration:
            self._many.__exit__(None, None, None)
            return False
        return True

    def reject(self, why: str | None = None) -> None:
        self._many.reject(why)


if not hasattr(_conjecture_utils.many, "more"):
    _hjs_from_schema.cu = types.SimpleNamespace(**{**vars(_conjecture_utils), "many": _LegacyMany})


CALL_SECONDS = 20  # a call that takes longer counts as a hang
# Examples per tool (and test).
VALID_EXAMPLES = 12 * int(os.environ.get("FUZZ_SCALE", "1"))
INVALID_EXAMPLES = 20 * int(os.environ.get("FUZZ_SCALE", "1"))
FUZZ = settings(
    max_examples=VALID_EXAMPLES, deadline=None, database=None, derandomize=bool(os.environ.get("CI")),
    suppress_health_check=list(HealthCheck), print_blob=True,
)
ALL = sorted(TOOLS)


# --- the world the tools run in --------------------------------------------------------------

class RecordingSmtp:
    """A plain aiosmtpd server (no TLS, no AUTH) that also counts sessions (EHLOs)."""

    def __init__(self) -> None:
        self.server = SmtpServer("plain", auth=False)
        self.sessions = 0
        recorder = self.server.recorder
        original = recorder.handle_EHLO

        async def counting_ehlo(server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]) -> Any:
            self.sessions += 1
            return await original(server, session, envelope, hostname, responses)

        recorder.handle_EHLO = counting_ehlo  # aiosmtpd looks the hook up per session

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def messages(self) -> list[Any]:
        return self.server.messages

    def clear(self) -> None:
        self.server.messages.clear()
        self.sessions = 0


@pytest.fixture(scope="module")
def smtp_sink() -> Iterator[RecordingSmtp]:
    sink = RecordingSmtp()
    with sink.server:
        yield sink


@pytest.fixture(scope="module")
def files_url() -> Iterator[str]:
    """A local web server that answers every GET with a small file (for SMTP URL attachments)."""
    with serving_http(pdf_file(b"%PDF-1.4 fuzzed attachment")) as url:
        yield url


@dataclass
class World:
    simulator: Any
    sink: RecordingSmtp
    files_url: str
    data_root: Path
    portal: BlockingPortal  # one event loop for every call, so runtimes can outlive an example
    shared: tuple[Runtime, Any] | None = None

    def settings(self) -> Any:
        sink = SmtpProfile(name="default", host="127.0.0.1", port=self.sink.port, security="none",
                           from_address="Fuzz <fuzz@example.com>", source="default")
        relay = SmtpProfile(name="relay", host="127.0.0.1", port=self.sink.port, security="none",
                            from_address="Relay <relay@example.com>")
        return settings_for(self.simulator, smtp_default=sink, smtp_profiles={"relay": relay}, smtp_timeout=5.0,
                            data_dir=Path(tempfile.mkdtemp(dir=self.data_root)), allow_private_urls=True)

    def reset(self) -> None:
        self.simulator.reset()  # also forgets the logged requests
        self.sink.clear()

    def call(self, name: str, args: dict[str, Any]) -> Any:
        args = self._local_urls(name, args)
        _note(f"arguments: {json.dumps(args, ensure_ascii=False)[:3000]}")
        # Tools with local state (sender identities, the send log) get a runtime and data dir of their
        # own for every call, so one example never changes another; the others share one (it is the
        # TLS context of the API client that makes a runtime slow to create).
        fresh = name.startswith("SMTP_") or TOOLS[name].kind == "send"

        async def run() -> Any:
            if fresh:
                runtime, server = self._open()
            else:
                self.shared = self.shared or self._open()
                runtime, server = self.shared
            try:
                with anyio.fail_after(CALL_SECONDS):
                    async with Client(server) as client:
                        return await client.call_tool(name, args)
            finally:
                if fresh:
                    await runtime.aclose()

        try:
            result = self.portal.call(run)
        except TimeoutError:
            raise AssertionError(f"{name} did not answer within {CALL_SECONDS} s (a hang)") from None
        _note(f"result: {json.dumps(result.structured_content, ensure_ascii=False)[:3000]}")
        return result

    def _open(self) -> tuple[Runtime, Any]:
        runtime = Runtime.create(self.settings())
        return runtime, mcp_server.build_server(TOOLS.values(), runtime)

    def close(self) -> None:
        if self.shared:
            self.portal.call(self.shared[0].aclose)

    def _local_urls(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """SMTP tools download URL attachments themselves: point every http(s) URL at the local web server."""
        if not name.startswith("SMTP_"):
            return args

        def fix(node: Any) -> Any:
            if isinstance(node, list):
                return [fix(item) for item in node]
            if not isinstance(node, dict):
                return node
            out = {k: fix(v) for k, v in node.items()}
            url = out.get("url")
            # URL parsers drop C0 controls and spaces around a URL, and tabs and newlines inside it.
            if isinstance(url, str) and re.sub(r"[\x00-\x20]", "", url).lower().startswith("http"):
                path = urlsplit(url.strip()).path if "://" in url else ""
                out["url"] = f"{self.files_url}/{quote(path.lstrip('/'), safe='/')}"
            return out

        return fix(args)


def _note(text: str) -> None:
    """hypothesis' note() (printed with a falsifying example); a no-op outside a hypothesis test."""
    if currently_in_test_context():
        note(text)


@pytest.fixture(scope="module")
def world(simulator, smtp_sink, files_url, tmp_path_factory) -> Iterator[World]:
    with start_blocking_portal() as portal:
        world = World(simulator, smtp_sink, files_url, tmp_path_factory.mktemp("fuzz-data"), portal)
        try:
            yield world
        finally:
            world.close()


# --- checks every result must pass -----------------------------------------------------------

def error_codes(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "error_code":
                yield value
            else:
                yield from error_codes(value)
    elif isinstance(node, list):
        for item in node:
            yield from error_codes(item)


def check_result(name: str, result: Any) -> dict[str, Any]:
    structured = result.structured_content
    assert isinstance(structured, dict), f"{name}: no structuredContent: {result.content}"
    assert_matches_output_schema(name, structured)
    assert "internal_error" not in set(error_codes(structured)), structured
    assert result.is_error is (not structured["successful"]), structured
    if result.is_error:
        assert text_of(result).strip(), f"{name}: isError with an empty text"
        assert structured["error"] and structured["error_code"], structured
    else:
        assert structured["error"] is None and structured["error_code"] is None, structured
    return structured


def problems_of(text: str) -> str:
    """The part of an error that describes the problems (not the list of valid argument names)."""
    return text.split(" Valid arguments:")[0]


def names_field(text: str, path: str) -> bool:
    """The text names the field the way the server does: quoted, as a dotted path ('emails.0.to.1').

    For an array element, naming the array field itself ('emails.0.to') is enough.
    """
    field = re.sub(r"(\.\d+)+$", "", path)
    return any(re.search("'" + re.escape(p) + r"(?:'|\.)", problems_of(text)) for p in {path, field})


def dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)


# --- valid arguments -------------------------------------------------------------------------

def _text(min_size: int = 1, max_size: int = 40) -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00"), min_size=min_size, max_size=max_size)


_LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_DOMAIN = st.one_of(
    st.sampled_from(["example.com", "customer.example", "example.org", "mail.bigco.example"]),
    st.builds(lambda labels, tld: ".".join([*labels, tld]), st.lists(_LABEL, min_size=1, max_size=3),
              st.sampled_from(["com", "example", "org", "co.nz"])),
)
_ADDRESS = st.builds("{}@{}".format, st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}", fullmatch=True), _DOMAIN)
_DISPLAY_NAME = st.one_of(st.sampled_from(["Jo Bloggs", "Doe, Jane", 'The "Best" Shop', "Zoë Ångström", "客服"]),
                          _text(max_size=30).filter(lambda s: "<" not in s and ">" not in s))
_NOW = datetime.now(timezone.utc)

# Strategies for string formats of our own; the schema variant below puts them on fields by name.
FORMATS: dict[str, st.SearchStrategy[str]] = {
    "x-address": _ADDRESS,
    "x-mailbox": st.one_of(_ADDRESS, st.builds("{} <{}>".format, _DISPLAY_NAME, _ADDRESS)),
    "x-address-or-domain": st.one_of(_ADDRESS, _DOMAIN),
    "x-domain": _DOMAIN,
    "x-ip": st.one_of(st.ip_addresses().map(str), st.sampled_from(["203.0.113.0/24", "2001:db8::/32"])),
    "x-date": st.one_of(
        st.dates(min_value=_NOW.date() - timedelta(days=3 * 365), max_value=_NOW.date()).map(str),
        st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)).map(
            lambda d: d.replace(microsecond=0).isoformat() + "Z")),
    # Drawn relative to the moment of drawing, so a replayed example is still in the future.
    "x-schedule": st.integers(10 * 60, 2 * 86400).map(
        lambda s: (datetime.now(timezone.utc) + timedelta(seconds=s)).replace(microsecond=0).isoformat()),
    "x-url": st.builds("https://{}/{}".format, st.sampled_from(["hooks.example.com", "files.example.com"]),
                       st.from_regex(r"[a-z0-9_-]{1,12}(\.pdf|\.png|/in)?", fullmatch=True)),
    "x-base64": st.binary(min_size=1, max_size=300).map(lambda b: base64.b64encode(b).decode()),
    "x-path": st.sampled_from(["receipt.txt", str(ATTACHMENT_DIR / "receipt.txt"), "missing.pdf",
                               "../../../../etc/passwd", "/etc/hostname", "~/receipt.txt", "."]),
    "x-message-id": st.builds("<{}@{}>".format, st.from_regex(r"[A-Za-z0-9.$_-]{1,20}", fullmatch=True), _DOMAIN),
    "x-mime": st.builds(
        "From: {}\r\nTo: {}\r\nSubject: {}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n".format,
        _ADDRESS, _ADDRESS, _text(max_size=30), _text(max_size=200)),
    "x-line": _text(),
    "x-filename": st.builds("{}.{}".format, _text(max_size=20).filter(lambda s: "/" not in s),
                            st.sampled_from(["pdf", "txt", "png", "csv", "bin"])),
    "x-profile": st.sampled_from(["relay", "no-such-profile"]),
    "x-template-id": st.sampled_from(["welcome-email", "invoice-reminder", "no-such-template"]),
}

# Field name -> format, for string fields (or arrays of strings) with no pattern, enum or format.
FIELD_FORMATS = {
    "sender": "x-mailbox", "from": "x-mailbox", "to": "x-mailbox", "cc": "x-mailbox", "bcc": "x-mailbox",
    "reply_to": "x-mailbox", "email_address": "x-address", "audit_email": "x-address",
    "bounce_notifications": "x-address", "subaccount_email": "x-address", "email": "x-address",
    "allowed_senders": "x-address-or-domain", "allowed_recipients": "x-address-or-domain", "domain": "x-domain",
    "ip_address": "x-ip", "new_ip_address": "x-ip", "start_date": "x-date", "end_date": "x-date",
    "schedule": "x-schedule", "url": "x-url", "fileblob": "x-base64", "content_base64": "x-base64",
    "path": "x-path", "in_reply_to": "x-message-id", "references": "x-message-id", "mime_email": "x-mime",
    "subject": "x-line", "sender_name": "x-line", "filename": "x-filename", "profile": "x-profile",
    "template_id": "x-template-id",
}
# Tools where a field of that name means something else.
FIELD_FORMAT_EXCEPTIONS = {
    "SMTP2GO_SMS_SEND": {"sender"},  # a phone number or an alphanumeric SMS sender id
    "SMTP_SEND_EMAIL": {"sender"}, "SMTP_SEND_BATCH": {"sender"}, "SMTP_TEST_CONNECTION": {"sender"},
}
FIELD_FORMAT_OVERRIDES = {
    # The SMTP tools' `sender` is the bare address of a stored sender identity.
    "SMTP_SEND_EMAIL": {"sender": "x-address"}, "SMTP_SEND_BATCH": {"sender": "x-address"},
    "SMTP_TEST_CONNECTION": {"sender": "x-address"},
}


def _plain_string(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and not ({"pattern", "enum", "format", "const"} & schema.keys())


def realistic_schema(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The inputSchema with some plain strings narrowed to a format: every value it allows, the original allows."""
    formats = {k: v for k, v in FIELD_FORMATS.items() if k not in FIELD_FORMAT_EXCEPTIONS.get(name, set())}
    formats.update(FIELD_FORMAT_OVERRIDES.get(name, {}))
    schema = copy.deepcopy(schema)

    def narrow(node: Any) -> None:
        if isinstance(node, dict):
            if "properties" in node:
                # Nested models refuse unknown fields too, though only the top level publishes it.
                node.setdefault("additionalProperties", False)
            for prop, sub in (node.get("properties") or {}).items():
                if prop in formats and isinstance(sub, dict):
                    target = sub["items"] if sub.get("type") == "array" and isinstance(sub.get("items"), dict) else sub
                    if _plain_string(target):
                        target["format"] = formats[prop]
            for value in node.values():
                narrow(value)
        elif isinstance(node, list):
            for item in node:
                narrow(item)

    narrow(schema)
    return schema


def input_schema(name: str) -> dict[str, Any]:
    # A copy: hypothesis-jsonschema rewrites the schemas it is given, and the served tool objects must not change.
    return copy.deepcopy(TOOLS[name].wire["inputSchema"])


def valid_arguments(name: str) -> st.SearchStrategy[dict[str, Any]]:
    schema = input_schema(name)
    varied = varied_known_good(name)  # twice: the deep paths (API, SMTP) are where the bugs were
    return st.one_of(from_schema(schema), from_schema(realistic_schema(name, schema), custom_formats=FORMATS),
                     varied, varied)


@functools.cache
def _leaf_strategy(schema_json: str) -> st.SearchStrategy[Any]:
    return from_schema(json.loads(schema_json), custom_formats=FORMATS)


@st.composite
def varied_known_good(draw: Any, name: str) -> dict[str, Any]:
    """A known-good call with each of its simple fields kept, redrawn from its schema, or left out.

    Random schema-valid arguments rarely get past the rules the schema cannot express ("give
    exactly one of ..."); these mostly do, and so reach the API and the SMTP server.
    """
    schema = realistic_schema(name, input_schema(name))
    args = known_good(name)
    fields, objects = slots(schema, args)
    required = {o.path: set(o.schema.get("required", ())) for o in objects}
    for slot in fields:
        key = slot.path[-1]
        if isinstance(key, int) or _get(args, slot.path, None) is None or "$ref" in json.dumps(slot.schema):
            continue  # array elements, absent fields and nested models (their own fields are visited)
        choice = draw(st.sampled_from(["keep", "keep", "redraw", "drop"]))
        if choice == "redraw":
            set_at(args, slot.path, draw(_leaf_strategy(json.dumps(slot.schema, sort_keys=True))))
        elif choice == "drop" and key not in required.get(slot.path[:-1], ()):
            del _get(args, slot.path[:-1])[key]
    return args


def assert_schema_valid(name: str, args: Any) -> None:
    """Our generators must produce what the published schema allows (else the test proves nothing)."""
    errors = [e.message for e in jsonschema.Draft202012Validator(input_schema(name)).iter_errors(args)]
    assert not errors, f"generated arguments are not schema-valid: {errors}"


@pytest.mark.parametrize("name", ALL)
def test_valid_arguments_never_break_the_server(name: str, world: World) -> None:
    @FUZZ
    @given(args=valid_arguments(name))
    def check(args: dict[str, Any]) -> None:
        assert_schema_valid(name, args)
        world.reset()
        result = world.call(name, args)
        structured = check_result(name, result)
        code = structured["error_code"]
        # No fault is injected: an HTTP 5xx means the simulator crashed on the request.
        assert code != "server_error" and "HTTP 5" not in (structured["error"] or ""), structured["error"]
        delivered = len(world.sink.messages)
        if name == "SMTP_SEND_BATCH":
            # Per message: the invalid ones are skipped, the others are sent.
            assert delivered == sum(1 for r in structured["results"] if r["accepted"]), (delivered, structured)
        elif name == "SMTP_SEND_EMAIL":
            # The message went out exactly when the result says some recipient accepted it.
            assert delivered == (1 if structured["accepted"] else 0), (delivered, structured)
            assert not (args.get("dry_run") and delivered), "a dry run sent the message"
        else:
            assert delivered == 0, structured
        for received in world.sink.messages:
            # Mail goes only to addresses the arguments name, and Bcc never shows in a header.
            assert {_normal(r) for r in received.rcpt_tos} <= {_normal(a) for a in addresses(args)}, received.rcpt_tos
            assert received.message["Bcc"] is None
        if code == "invalid_arguments" and name != "SMTP_SEND_BATCH":
            # Refused locally (a rule the schema cannot express): nothing went anywhere.
            assert api_requests(world.simulator) == []
            assert world.sink.sessions == 0
            fields = input_schema(name).get("properties", {})
            assert any(re.search(rf"\b{re.escape(field)}\b", problems_of(structured["error"])) for field in fields), \
                structured["error"]

    check()


# --- invalid arguments -----------------------------------------------------------------------

# Fields whose text ends up in an email header (or an SMTP command line), as paths in each tool's
# arguments (array elements have no index here). CR/LF there must be refused.
_EMAIL_SEND = ["sender", "to", "cc", "bcc", "subject", "custom_headers.header", "custom_headers.value",
               "attachments.filename", "attachments.mimetype", "inlines.filename", "inlines.mimetype"]
_SMTP_MESSAGE = ["from", "to", "cc", "bcc", "reply_to", "subject", "in_reply_to", "references",
                 "custom_headers.name", "custom_headers.value", "attachments.filename", "attachments.mimetype",
                 "attachments.content_id"]
HEADER_BOUND: dict[str, set[str]] = {
    "SMTP2GO_EMAIL_SEND": set(_EMAIL_SEND),
    "SMTP2GO_EMAIL_BATCH": {f"emails.{field}" for field in _EMAIL_SEND},
    "SMTP_SEND_EMAIL": set(_SMTP_MESSAGE),
    "SMTP_SEND_BATCH": {f"messages.{field}" for field in _SMTP_MESSAGE},
    "SMTP_SENDER_CREATE": {"sender_name", "email_address", "smtp_configuration.host", "smtp_configuration.username"},
    "SMTP2GO_TEMPLATE_ADD": {"subject"},
    "SMTP2GO_TEMPLATE_EDIT": {"subject"},
    "SMTP2GO_WEBHOOK_ADD": {"auth_header_value"},
    "SMTP2GO_WEBHOOK_EDIT": {"auth_header_value"},
    "SMTP2GO_SUBACCOUNT_ADD": {"subaccount_email"},
    "SMTP2GO_SINGLE_SENDER_EMAILS_ADD": {"email_address"},
}

# Values that would be fine in the field but for the line break, by field.
_INJECTION_BASE = {
    "sender": "billing@example.com", "from": "Billing <billing@example.com>", "to": "jo@customer.example",
    "cc": "jo@customer.example", "bcc": "jo@customer.example", "reply_to": "help@example.com",
    "email_address": "billing@example.com", "subaccount_email": "ops@example.com", "in_reply_to": "<a1@example.com>",
    "references": "<a1@example.com>", "host": "smtp.example.com", "header": "X-Order-Id", "name": "X-Order-Id",
    "filename": "invoice.pdf", "mimetype": "application/pdf", "content_id": "logo",
}


@dataclass(frozen=True)
class Slot:
    """A place in an example: a field (maybe absent), an array element, or an object."""

    path: tuple[Any, ...]
    schema: dict[str, Any]
    field: str  # the field's path without array indices, e.g. "emails.to" for emails.0.to.1


def resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not ref:
        return schema
    return {**root["$defs"][ref.rsplit("/", 1)[-1]], **{k: v for k, v in schema.items() if k != "$ref"}}


def slots(root: dict[str, Any], value: Any) -> tuple[list[Slot], list[Slot]]:
    """(fields and array elements, objects) of an example, with their schemas."""
    fields: list[Slot] = []
    objects: list[Slot] = []

    def walk(schema: dict[str, Any], value: Any, path: tuple[Any, ...], field: str) -> None:
        schema = resolve(schema, root)
        if isinstance(value, dict) and "properties" in schema:
            objects.append(Slot(path, schema, field))
            for prop, sub in schema["properties"].items():
                sub_field = f"{field}.{prop}" if field else prop
                fields.append(Slot((*path, prop), resolve(sub, root), sub_field))
                if prop in value:
                    walk(sub, value[prop], (*path, prop), sub_field)
        elif isinstance(value, list) and isinstance(schema.get("items"), dict):
            for index, item in enumerate(value):
                fields.append(Slot((*path, index), resolve(schema["items"], root), field))
                walk(schema["items"], item, (*path, index), field)

    walk(root, value, (), "")
    return fields, objects


def allowed_types(schema: dict[str, Any]) -> set[str] | None:
    if "anyOf" in schema:
        types_: set[str] = set()
        for branch in schema["anyOf"]:
            branch_types = allowed_types(branch)
            if branch_types is None:
                return None
            types_ |= branch_types
        return types_
    if "enum" in schema:
        return {json_type(v) for v in schema["enum"]}
    t = schema.get("type")
    if t is None:
        return None
    return set(t) if isinstance(t, list) else {t}


def json_type(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}[type(value)]


# One value per JSON type that nothing coerces to another type (no digit strings, no 0/1, no "true").
WRONG_TYPE_VALUES = {"string": "definitely not valid here", "integer": 7, "number": 2.5, "boolean": True,
                     "array": ["x", 1], "object": {"unexpected": "value"}}


def wrong_types(schema: dict[str, Any]) -> list[Any]:
    allowed = allowed_types(schema)
    if allowed is None:
        return []
    if "number" in allowed:
        allowed |= {"integer"}
    return [v for t, v in WRONG_TYPE_VALUES.items() if t not in allowed]


def out_of_range(schema: dict[str, Any], current: Any) -> list[Any]:
    """Values of the right type that break a bound, the enum or the pattern."""
    out: list[Any] = []
    if "anyOf" in schema:
        return out
    t = schema.get("type")
    if "enum" in schema:
        out.append(max((v for v in schema["enum"] if isinstance(v, int)), default=0) + 1 if t == "integer"
                   else "not-one-of-the-choices")
    if t in ("integer", "number"):
        if "minimum" in schema:
            out.append(schema["minimum"] - 1)
        if "exclusiveMinimum" in schema:
            out.append(schema["exclusiveMinimum"])
        if "maximum" in schema:
            out.append(schema["maximum"] + 1)
        if "exclusiveMaximum" in schema:
            out.append(schema["exclusiveMaximum"])
    if t == "string":
        if schema.get("minLength", 0) > 0:
            out.append("x" * (schema["minLength"] - 1))
        if schema.get("maxLength", 1 << 30) <= 20_000:
            out.append("x" * (schema["maxLength"] + 1))
        if "pattern" in schema:
            out.append("not valid!")
        if schema.get("format") == "uri":
            out.append("not a url at all")
    if t == "array":
        if schema.get("minItems", 0) > 0:
            out.append([])
        if schema.get("maxItems", 1 << 30) <= 200 and isinstance(current, list) and current:
            out.append([current[0]] * (schema["maxItems"] + 1))
    return out


def header_injection(field: str) -> st.SearchStrategy[str]:
    base = _INJECTION_BASE.get(field, "Hello there")
    return st.builds(lambda brk, tail, at: base[:at] + brk + tail + base[at:],
                     st.sampled_from(["\r\n", "\n", "\r"]),
                     st.sampled_from(["Bcc: attacker@evil.example", "RCPT TO:<attacker@evil.example>", " folded"]),
                     st.integers(1, len(base)))


def set_at(value: Any, path: tuple[Any, ...], new: Any) -> None:
    for part in path[:-1]:
        value = value[part]
    value[path[-1]] = new


@dataclass
class Broken:
    args: dict[str, Any]
    kind: str
    field: str  # the dotted path the error must name
    schema_invalid: bool  # False where the schema does not say it (CR/LF, nested unknown fields, `format`)


EXTRA_NAMES = st.one_of(st.sampled_from(["offset", "page", "api_key", "webhook_url", "template_id", "from_", "Subject",
                                         "unexpected"]),
                        st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True))


def known_good(name: str) -> dict[str, Any]:
    message = {"from": "Billing <billing@example.com>", "to": ["Jo <jo@customer.example>"],
               "cc": ["sam@customer.example"], "reply_to": ["help@example.com"], "subject": "Your order #1042",
               "text_body": "It has shipped.", "html_body": "<p>It has shipped.</p>",
               "attachments": [{"content_base64": "aGVsbG8=", "filename": "note.txt", "mimetype": "text/plain"}],
               "custom_headers": [{"name": "X-Order-Id", "value": "1042"}], "in_reply_to": "<a1@example.com>",
               "references": ["<a0@example.com>", "<a1@example.com>"]}
    smtp = {
        "SMTP_SEND_EMAIL": {**message, "dry_run": True},
        "SMTP_SEND_BATCH": {"messages": [message, {"to": ["sam@customer.example"], "subject": "Hi", "text_body": "x"}],
                            "profile": "relay"},
        "SMTP_TEST_CONNECTION": {"profile": "relay"},
        "SMTP_SENDER_CREATE": {"sender_name": "Acme Billing", "email_address": "billing@acme.example",
                               "smtp_configuration": {"host": "smtp.acme.example", "port": 587, "security": "starttls",
                                                      "username": "billing@acme.example", "password": "s3cret-pw"}},
        "SMTP_SENDER_DELETE": {"email_address": "billing@acme.example"},
        "SMTP_SENDER_LIST": {},
        "SMTP2GO_EVENTS_RECENT": {"email_id": "1vomg2-abc123", "rcpt": "jo@customer.example",
                                  "events": ["delivered", "bounce"], "since": "2026-01-01T00:00:00Z", "limit": 10},
    }
    return copy.deepcopy(smtp[name] if name in smtp else CASES[name].args)


@st.composite
def broken_arguments(draw: Any, name: str) -> Broken:
    schema = input_schema(name)
    args = draw(st.one_of(st.just(known_good(name)), valid_arguments(name)))
    assert_schema_valid(name, args)
    fields, objects = slots(schema, args)
    choices: list[tuple[str, Any]] = [("extra", o) for o in objects]
    choices += [("missing", o) for o in objects if set(o.schema.get("required", ())) & set(_get(args, o.path))]
    for slot in fields:
        choices += [("type", slot)] * bool(wrong_types(slot.schema))
        choices += [("range", slot)] * bool(out_of_range(slot.schema, _get(args, slot.path, None)))
        if slot.field in HEADER_BOUND.get(name, ()) and _string_slot(slot):
            choices.append(("crlf", slot))
    kind, slot = draw(st.sampled_from(choices))
    target, named, schema_invalid = slot.path, slot.path, True  # where the new value goes; what the error must name
    if kind == "extra":
        taken = set(slot.schema.get("properties", {}))
        target = named = (*slot.path, draw(EXTRA_NAMES.filter(lambda k: k not in taken)))
        new: Any = draw(st.sampled_from([1, "x", True, [], {"a": 1}]))
        # Only the top level publishes `additionalProperties: false`; nested models refuse unknown fields too.
        schema_invalid = slot.schema.get("additionalProperties") is False
    elif kind == "missing":
        present = _get(args, slot.path)
        target = named = (*slot.path, draw(st.sampled_from(sorted(set(slot.schema["required"]) & set(present)))))
        if draw(st.booleans()):
            del present[target[-1]]
            return Broken(args, kind, dotted(named), True)
        new = None  # null means the same as absent
    elif kind == "type":
        new = draw(st.sampled_from(wrong_types(slot.schema)))
    elif kind == "range":
        new = draw(st.sampled_from(out_of_range(slot.schema, _get(args, slot.path, None))))
        schema_invalid = new != "not a url at all"  # jsonschema does not check `format` by default
    else:  # crlf
        new = draw(header_injection(slot.field.rsplit(".", 1)[-1]))
        schema_invalid = False
        if slot.schema.get("type") == "array":
            # A list of header values: the line break goes into one of its elements.
            items = list(_get(args, slot.path, None) or [])
            index = draw(st.integers(0, len(items)))
            items.insert(index, new)
            new, named = items, (*slot.path, index)
    set_at(args, target, new)
    return Broken(args, kind, dotted(named), schema_invalid)


def _string_slot(slot: Slot) -> bool:
    t = slot.schema.get("type")
    return t == "string" or (t == "array" and (slot.schema.get("items") or {}).get("type") == "string")


def _get(value: Any, path: tuple[Any, ...], default: Any = ...) -> Any:
    try:
        for part in path:
            value = value[part]
    except (KeyError, IndexError, TypeError):
        if default is ...:
            raise
        return default
    return value


@pytest.mark.parametrize("name", ALL)
def test_invalid_arguments_are_refused_naming_the_field(name: str, world: World) -> None:
    @settings(FUZZ, max_examples=INVALID_EXAMPLES)
    @given(broken=broken_arguments(name))
    def check(broken: Broken) -> None:
        note(f"broken: {broken.kind} at {broken.field}")
        if broken.schema_invalid:
            assert not jsonschema.Draft202012Validator(input_schema(name)).is_valid(broken.args), broken
        world.reset()
        result = world.call(name, broken.args)
        structured = check_result(name, result)
        assert structured["error_code"] == "invalid_arguments", structured
        for text in (structured["error"], text_of(result)):
            assert names_field(text, broken.field), f"the error does not name {broken.field!r}: {text}"
        assert api_requests(world.simulator) == [], "an invalid call reached the SMTP2GO API"
        assert world.sink.sessions == 0 and world.sink.messages == [], "an invalid call reached the SMTP server"

    check()


# --- regression: true taken for the integer 1 (pydantic's lax mode) ---------------------------

def _integer_fields() -> list[Any]:
    """(tool, top-level field) for every field the inputSchema types as an integer.

    Found by the fuzzing: SMTP2GO_WEBHOOK_REMOVE {"id": true} used to remove webhook 1.
    """
    params = []
    for name in ALL:
        schema = input_schema(name)
        for field, sub in schema.get("properties", {}).items():
            sub = resolve(sub, schema)
            types_ = allowed_types(sub) or set()
            if "integer" in types_ and "boolean" not in types_:
                params.append(pytest.param(name, field, id=f"{name}.{field}"))
    return params


@pytest.mark.parametrize(("name", "field"), _integer_fields())
def test_boolean_for_an_integer_is_refused(name: str, field: str, world: World) -> None:
    args = known_good(name)
    args[field] = True
    world.reset()
    result = world.call(name, args)
    structured = check_result(name, result)
    assert structured["error_code"] == "invalid_arguments", structured
    assert names_field(structured["error"], field), structured["error"]
    assert api_requests(world.simulator) == []


def test_header_bound_fields_exist() -> None:
    """The CR/LF list names real fields (a renamed field must not silently drop out of the fuzzing)."""
    for name, fields in HEADER_BOUND.items():
        root = input_schema(name)
        for field in fields:
            schema = root
            for part in field.split("."):
                schema = resolve(schema, root)
                if schema.get("type") == "array":
                    schema = resolve(schema["items"], root)
                assert part in schema.get("properties", {}), f"{name}: no field {field}"
                schema = schema["properties"][part]


# --- regression: a display name the validator and the composer used to read differently -------

_NAME_ADDR = re.compile(r"\s*(?P<name>[^<>]*?)\s*<(?P<addr>[^<>]+)>\s*")


def mailboxes(args: Any, keys: tuple[str, ...] = ("from", "to", "cc", "bcc", "reply_to")) -> Iterator[str]:
    """Every mailbox string under one of `keys`, at any depth (e.g. in each message of a batch)."""
    if isinstance(args, list):
        for item in args:
            yield from mailboxes(item, keys)
    elif isinstance(args, dict):
        for key, value in args.items():
            if key in keys and isinstance(value, (str, list)):
                yield from [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
            else:
                yield from mailboxes(value, keys)


def addresses(args: Any) -> set[str]:
    """The addresses the recipient fields of some arguments name."""
    return {parseaddr(m)[1] if not _NAME_ADDR.fullmatch(m) else _NAME_ADDR.fullmatch(m)["addr"].strip()
            for key in ("to", "cc", "bcc") for m in mailboxes(args, (key,))}


def _normal(address: str) -> str:
    local, _, domain = address.strip().rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    return f"{local}@{domain.lower()}"


@pytest.mark.parametrize(("name", "field", "mailbox"), [
    # envelope gets '@Doe', jane gets nothing
    pytest.param("SMTP_SEND_EMAIL", "to", "Doe, Jane <jane@customer.example>", id="comma"),
    # delivered to other@elsewhere.example instead
    pytest.param("SMTP_SEND_EMAIL", "to", "other@elsewhere.example <jane@customer.example>", id="address-in-name"),
    # envelope gets '@Jane'
    pytest.param("SMTP_SEND_EMAIL", "to", "Jane; Sales <jane@customer.example>", id="semicolon"),
    # internal_error: aiosmtplib refuses the empty address parseaddr gives
    pytest.param("SMTP_SEND_EMAIL", "cc", ", <jane@customer.example>", id="bare-comma-cc"),
    pytest.param("SMTP_SEND_EMAIL", "bcc", "[Support] <jane@customer.example>", id="brackets-bcc"),
    # MAIL FROM:<@Billing>
    pytest.param("SMTP_SEND_EMAIL", "from", "Billing, Acme <jane@customer.example>", id="comma-from"),
    # Reply-To: @Doe
    pytest.param("SMTP_SEND_EMAIL", "reply_to", "Doe, Jane <jane@customer.example>", id="comma-reply_to"),
    # internal_error for the whole batch
    pytest.param("SMTP_SEND_BATCH", "to", "[Support] <jane@customer.example>", id="brackets-batch"),
])
def test_mailbox_is_sent_as_validated(name: str, mailbox: str, field: str, world: World) -> None:
    """The address in the angle brackets is the one used, or the mailbox is refused naming the field."""
    message = {"subject": "Order shipped", "text_body": "It has shipped.", "to": ["jo@customer.example"],
               field: mailbox if field == "from" else [mailbox]}
    args = message if name == "SMTP_SEND_EMAIL" else {"messages": [message]}
    prefix = "" if name == "SMTP_SEND_EMAIL" else "messages.0."
    world.reset()
    structured = check_result(name, world.call(name, args))
    if structured["error_code"] == "invalid_arguments" and not world.sink.messages:
        assert names_field(structured["error"], f"{prefix}{field}"), structured["error"]
        return
    assert structured["successful"], structured
    [received] = world.sink.messages
    address = "jane@customer.example"
    if field == "from":
        assert received.mail_from == address
    elif field == "reply_to":
        assert address in str(received.message["Reply-To"])
    else:
        assert address in received.rcpt_tos and set(received.rcpt_tos) <= {address, "jo@customer.example"}


# --- regression: line breaks other than CR and LF in header fields ----------------------------

@pytest.mark.parametrize(("name", "args", "field"), [
    pytest.param("SMTP_SEND_EMAIL", {"to": ["jo@customer.example"], "subject": "Order\u2028shipped", "text_body": "x"},
                 "subject", id="subject-u2028"),
    pytest.param("SMTP_SEND_EMAIL", {"to": ["jo@customer.example"], "subject": "Order\x0bshipped", "text_body": "x",
                                     "dry_run": True}, "subject", id="subject-vt-dry-run"),
    pytest.param("SMTP_SEND_EMAIL", {"to": ["jo@customer.example"], "subject": "Hi", "text_body": "x",
                                     "custom_headers": [{"name": "X-Order-Id", "value": "10\x1e42"}]},
                 "custom_headers.0.value", id="header-value-x1e"),
    pytest.param("SMTP_SEND_BATCH", {"messages": [
        {"to": ["jo@customer.example"], "subject": "Hi\u2029there", "text_body": "x"},
        {"to": ["sam@customer.example"], "subject": "Hi", "text_body": "x"}]}, "messages.0.subject",
        id="batch-subject-u2029"),
    # The simulator answers these with HTTP 500 (it builds the message with the email package too).
    pytest.param("SMTP2GO_EMAIL_SEND", {"sender": "news@example.com", "to": ["jo@customer.example"],
                                        "subject": "Hi\u2028there", "text_body": "x"}, "subject",
                 id="api-subject-u2028"),
    pytest.param("SMTP2GO_EMAIL_BATCH", {"emails": [{"sender": "news@example.com", "subject": "Hi", "text_body": "x",
                                                     "to": ["Jo\x1cBloggs <jo@customer.example>"]}]},
                 "emails.0.to.0", id="api-batch-display-name-x1c"),
])
def test_other_line_breaks_in_header_fields_are_refused(name: str, args: dict[str, Any], field: str,
                                                        world: World) -> None:
    """Refused naming the field, or sent with the character encoded (either fix would do): never a crash."""
    world.reset()
    structured = check_result(name, world.call(name, args))
    if structured["error_code"] == "invalid_arguments":
        assert names_field(structured["error"], field), structured["error"]
        assert world.sink.sessions == 0 and api_requests(world.simulator) == []
    else:
        assert structured["successful"], structured
