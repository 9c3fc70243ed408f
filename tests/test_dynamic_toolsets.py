"""--dynamic-toolsets: the server starts small and grows on request, telling the client each time.

Handshake-era clients (mode="legacy", what most MCP clients still speak) hear of changes as a
notifications/tools/list_changed message; 2026-07-28 clients on a subscriptions/listen stream.
Both are exercised with the real command and the SDK's real client.
"""

from __future__ import annotations

import subprocess
from typing import Any

import anyio
import pytest
from mcp import Client, MCPError, StdioServerParameters

from smtp2go_mcp.config import ConfigError, Settings
from smtp2go_mcp.toolsets import DISCOVERY, TOOLSETS, DynamicToolsets, UnknownToolset
from tests.conftest import ALL_TOOLS, TOOLS, assert_matches_output_schema
from tests.processes import COMMAND, clean_env, serving

DISCOVERY_TOOLS = sorted(n for n, s in ALL_TOOLS.items() if s.toolset == DISCOVERY)
TEMPLATE_TOOLS = {n for n, s in TOOLS.items() if s.toolset == "templates"}


def dynamic(**settings: Any) -> DynamicToolsets[Any]:
    return DynamicToolsets.select(ALL_TOOLS.values(), Settings(dynamic_toolsets=True, **settings))


def names(tools: list[Any]) -> set[str]:
    return {t.name for t in tools}


def test_starts_with_the_discovery_tools_and_the_given_toolsets() -> None:
    assert DISCOVERY_TOOLS == ["TOOLSETS_ENABLE", "TOOLSETS_LIST"]
    assert names(dynamic().offered()) == set(DISCOVERY_TOOLS)
    stats = {n for n, s in TOOLS.items() if s.toolset == "stats"}
    assert names(dynamic(toolsets=("stats",)).offered()) == set(DISCOVERY_TOOLS) | stats


def test_enabling_adds_a_toolset_once_and_counts_the_change() -> None:
    toolsets = dynamic()
    assert toolsets.enable(["templates", "templates"]) == ["templates"]
    assert toolsets.version == 1
    assert toolsets.enable(["templates"]) == [] and toolsets.version == 1  # nothing changed: no notification
    assert names(toolsets.offered()) == set(DISCOVERY_TOOLS) | TEMPLATE_TOOLS
    with pytest.raises(UnknownToolset) as raised:
        toolsets.enable(["mail"])
    assert "unknown toolset(s) mail" in str(raised.value)
    assert all(name in str(raised.value) for name in TOOLSETS)
    assert toolsets.version == 1


def test_the_other_settings_still_narrow_what_can_be_enabled() -> None:
    toolsets = dynamic(read_only=True, exclude_tools=("SMTP2GO_TEMPLATE_SEARCH",))
    toolsets.enable(["templates"])
    assert names(toolsets.offered()) - set(DISCOVERY_TOOLS) == \
        {n for n in TEMPLATE_TOOLS if TOOLS[n].hints.read_only} - {"SMTP2GO_TEMPLATE_SEARCH"}
    # A toolset the settings empty entirely is not offered at all.
    narrowed = dynamic(tools=("SMTP2GO_STATS_EMAIL_CYCLE",))
    assert list(narrowed.toolsets()) == ["stats"]
    with pytest.raises(UnknownToolset, match="this server offers: stats"):
        narrowed.enable(["templates"])


def test_startup_refuses_an_unknown_initial_toolset() -> None:
    with pytest.raises(ConfigError, match="unknown toolset"):
        dynamic(toolsets=("mail",))
    done = subprocess.run([str(COMMAND), "--dynamic-toolsets", "--toolsets", "stats,mail"], env=clean_env(),
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "unknown toolset(s) mail" in done.stderr


def sandbox(*args: str, **env: str) -> StdioServerParameters:
    return StdioServerParameters(command=str(COMMAND), args=["--sandbox", *args], env=clean_env(**env))


@pytest.mark.anyio
async def test_handshake_client_is_notified_and_sees_the_new_tools() -> None:
    changes: list[str] = []

    async def on_message(message: Any) -> None:
        method = getattr(message, "method", None)
        if method == "notifications/tools/list_changed":
            changes.append(method)

    async with Client(sandbox("--dynamic-toolsets"), mode="legacy", message_handler=on_message) as client:
        assert client.server_capabilities.tools.list_changed is True
        assert sorted(names((await client.list_tools()).tools)) == DISCOVERY_TOOLS

        listing = await client.call_tool("TOOLSETS_LIST", {})
        assert not listing.is_error
        assert_matches_output_schema("TOOLSETS_LIST", listing.structured_content)
        toolsets = {t["name"]: t for t in listing.structured_content["toolsets"]}
        assert list(toolsets) == list(TOOLSETS)
        assert not any(t["enabled"] for t in toolsets.values())
        assert set(toolsets["templates"]["tools"]) == TEMPLATE_TOOLS

        # A hidden tool cannot be called, and the error says how to get it.
        with pytest.raises(MCPError, match="templates toolset.*TOOLSETS_ENABLE"):
            await client.call_tool("SMTP2GO_TEMPLATE_SEARCH", {})

        enabled = await client.call_tool("TOOLSETS_ENABLE", {"toolsets": ["templates"]})
        assert not enabled.is_error and enabled.structured_content["enabled_now"] == ["templates"]
        with anyio.fail_after(10):
            while not changes:
                await anyio.sleep(0.02)
        assert names((await client.list_tools()).tools) == set(DISCOVERY_TOOLS) | TEMPLATE_TOOLS
        found = await client.call_tool("SMTP2GO_TEMPLATE_SEARCH", {})
        assert not found.is_error and found.structured_content["data"]["templates"]

        again = await client.call_tool("TOOLSETS_ENABLE", {"toolsets": ["templates"]})
        assert again.structured_content["enabled_now"] == []
        bad = await client.call_tool("TOOLSETS_ENABLE", {"toolsets": ["mail"]})
        assert bad.is_error and bad.structured_content["error_code"] == "invalid_arguments"
        assert_matches_output_schema("TOOLSETS_ENABLE", bad.structured_content)
        await anyio.sleep(0.2)
    assert len(changes) == 1  # only the one real change was announced


@pytest.mark.anyio
async def test_listening_client_hears_of_changes_over_streamable_http() -> None:
    with serving("--transport", "streamable-http", "--sandbox", "--dynamic-toolsets", "--toolsets", "stats") as url:
        async with Client(f"{url}/mcp") as client:
            assert names((await client.list_tools()).tools) == \
                set(DISCOVERY_TOOLS) | {n for n, s in TOOLS.items() if s.toolset == "stats"}
            async with client.listen(tools_list_changed=True) as subscription:
                await client.call_tool("TOOLSETS_ENABLE", {"toolsets": ["suppressions"]})
                with anyio.fail_after(10):
                    event = await subscription.__anext__()
                assert type(event).__name__ == "ToolsListChanged"
                assert "SMTP2GO_SUPPRESSION_VIEW" in names((await client.list_tools()).tools)

                # Asking for a prompt switches on the toolsets its flow uses.
                await client.get_prompt("verify_domain", {"domain": "example.com"})
                with anyio.fail_after(10):
                    await subscription.__anext__()
                listed = names((await client.list_tools()).tools)
                assert {"SMTP2GO_DOMAIN_ADD", "SMTP2GO_DOMAIN_VERIFY", "SMTP2GO_DOMAIN_VIEW"} <= listed


@pytest.mark.anyio
async def test_without_the_flag_there_are_no_discovery_tools() -> None:
    async with Client(sandbox()) as client:
        listed = names((await client.list_tools()).tools)
        assert listed == set(TOOLS) and not listed & set(DISCOVERY_TOOLS)
        with pytest.raises(MCPError, match="Unknown tool"):
            await client.call_tool("TOOLSETS_LIST", {})


@pytest.mark.anyio
async def test_environment_variable_turns_it_on() -> None:
    async with Client(sandbox(SMTP2GO_MCP_DYNAMIC_TOOLSETS="1")) as client:
        assert sorted(names((await client.list_tools()).tools)) == DISCOVERY_TOOLS


@pytest.mark.anyio
async def test_handshake_client_over_streamable_http_is_notified_too() -> None:
    changes: list[str] = []

    async def on_message(message: Any) -> None:
        if getattr(message, "method", None) == "notifications/tools/list_changed":
            changes.append("tools")

    with serving("--transport", "streamable-http", "--sandbox", "--dynamic-toolsets") as url:
        async with Client(f"{url}/mcp", mode="legacy", message_handler=on_message) as client:
            assert client.server_capabilities.tools.list_changed is True
            await client.call_tool("TOOLSETS_ENABLE", {"toolsets": ["sms"]})
            with anyio.fail_after(10):
                while not changes:
                    await anyio.sleep(0.02)
            assert {n for n, s in TOOLS.items() if s.toolset == "sms"} <= names((await client.list_tools()).tools)
