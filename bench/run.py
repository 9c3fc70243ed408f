"""The performance benchmarks, each against a baseline measured in the same run.

    python bench/run.py                   # everything, medians over repeated runs
    python bench/run.py --only startup    # one benchmark (startup, overhead, concurrency, smtp, context, memory)
    python bench/run.py --json            # the figures as JSON

Targets (issue: benchmarks with targets, on a 2-core machine):
  startup      process start to tools/list answered over stdio, all tools, vs a one-tool server on the
               same SDK: <= 1.3x
  overhead     a read tool over stdio against the simulator vs a direct POST to the same endpoint:
               median overhead <= 2 ms per call
  concurrency  200 calls in flight over streamable HTTP, the simulator adding 50 ms: total <= 3x one call
               (from a 2026-07-28 client; a handshake-era session's figure is reported beside it)
  smtp         SMTP_SEND_BATCH of 100 messages over one connection vs a bare aiosmtplib loop on one
               connection: >= 0.8x its throughput, and >= 3x a connection-per-message loop
  context      tools/list bytes: average <= 1,500 per tool; the smallest toolset < 10 KB
  memory       resident memory idle after start <= 100 MB; also after the load script (bench/load.py)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiohttp
import httpx2

sys.path.insert(0, str(Path(__file__).parent))
import harness  # noqa: E402  (bench/ is not a package)
from harness import PYTHON, SANDBOX_KEY, base_env, data_dir, median, stdio_server  # noqa: E402

HERE = Path(__file__).parent
Result = dict[str, Any]


def measure_startup(repeat: int) -> Result:
    """Wall time from spawning the process to the tools/list answer, both servers alike."""
    def once(args: list[str], env: dict[str, str]) -> tuple[float, int]:
        server = harness.StdioServer(env, args)
        try:
            server.initialize()
            _, size = server.request("tools/list", {})
            return time.perf_counter() - server.started, size
        finally:
            server.close()

    ours, minimal = [], []
    with data_dir() as tmp:
        env = base_env(SMTP2GO_API_KEY=SANDBOX_KEY, SMTP2GO_MCP_DATA_DIR=tmp)
        for _ in range(repeat):  # alternate, so drift on a shared machine hits both alike
            ours.append(once([], env)[0])
            minimal.append(_minimal_once(env))
    ratio = median(ours) / median(minimal)
    return {"name": "startup", "ours_s": median(ours), "baseline_s": median(minimal), "ratio": ratio,
            "target": "<= 1.3x", "ok": ratio <= 1.3}


def _minimal_once(env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen([PYTHON, str(HERE / "minimal_server.py")], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    for message in ({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": harness.INITIALIZE},
                    {"jsonrpc": "2.0", "method": "notifications/initialized"},
                    {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}}):
        proc.stdin.write(json.dumps(message).encode() + b"\n")
        proc.stdin.flush()
        if "id" in message:
            while json.loads(proc.stdout.readline()).get("id") != message["id"]:
                pass
    elapsed = time.perf_counter() - started
    proc.stdin.close()
    proc.wait(timeout=15)
    return elapsed


def measure_overhead(repeat: int) -> Result:
    calls = 40 * repeat
    with harness.simulator() as api_url, data_dir() as tmp:
        env = base_env(SMTP2GO_API_KEY=SANDBOX_KEY, SMTP2GO_API_URL=api_url, SMTP2GO_MCP_DATA_DIR=tmp)
        with stdio_server(env) as server, httpx2.Client(timeout=10) as http:
            tool, direct = [], []
            for i in range(calls + 20):
                started = time.perf_counter()
                server.call("SMTP2GO_STATS_EMAIL_CYCLE", {})
                if i >= 20:  # the first calls import the tool's module and open connections
                    tool.append(time.perf_counter() - started)
                started = time.perf_counter()
                http.post(f"{api_url}/stats/email_cycle", json={}, headers={"X-Smtp2go-Api-Key": SANDBOX_KEY})
                if i >= 20:
                    direct.append(time.perf_counter() - started)
    overhead_ms = (median(tool) - median(direct)) * 1000
    return {"name": "overhead", "ours_ms": median(tool) * 1000, "baseline_ms": median(direct) * 1000,
            "overhead_ms": overhead_ms, "target": "<= 2 ms", "ok": overhead_ms <= 2.0}


MODERN = "2026-07-28"  # what mcp.Client and current clients speak: stateless, one POST per request
HANDSHAKE = "2025-11-25"  # the last protocol with initialize and Mcp-Session-Id


async def _concurrency(mcp_url: str, calls: int, protocol: str) -> tuple[float, float]:
    # The load comes from aiohttp: httpx2's pool would spend more CPU than the server under test,
    # on the same two cores.
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json",
               "Mcp-Protocol-Version": protocol}
    connector = aiohttp.TCPConnector(limit=calls + 10)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:
        params: dict[str, Any] = {"name": "SMTP2GO_STATS_EMAIL_CYCLE", "arguments": {}}
        if protocol == HANDSHAKE:
            async with http.post(mcp_url, headers=headers, json={
                    "jsonrpc": "2.0", "id": 0, "method": "initialize", "params": harness.INITIALIZE}) as init:
                headers["Mcp-Session-Id"] = init.headers["mcp-session-id"]
            async with http.post(mcp_url, headers=headers, json={"jsonrpc": "2.0", "method": "notifications/initialized"}):
                pass
        else:  # every request says who the client is, in headers and _meta
            headers |= {"Mcp-Method": "tools/call", "Mcp-Name": params["name"]}
            params["_meta"] = {"io.modelcontextprotocol/protocolVersion": protocol,
                               "io.modelcontextprotocol/clientInfo": {"name": "bench", "version": "1"},
                               "io.modelcontextprotocol/clientCapabilities": {}}

        async def call(i: int) -> float:
            started = time.perf_counter()
            async with http.post(mcp_url, headers=headers, json={
                    "jsonrpc": "2.0", "id": i + 1, "method": "tools/call", "params": params}) as response:
                body = await response.text()
                if response.content_type == "text/event-stream":
                    body = next(line[5:] for line in body.splitlines() if line.startswith("data:"))
            if json.loads(body)["result"].get("isError"):
                raise RuntimeError(body)
            return time.perf_counter() - started

        singles = [await call(i) for i in range(12)][2:]
        # Like any client that keeps its connections alive, the timed burst reuses open ones: a first
        # burst opens them (and warms the server's own pool towards the API).
        await asyncio.gather(*(call(100 + i) for i in range(calls)))
        started = time.perf_counter()
        await asyncio.gather(*(call(1000 + i) for i in range(calls)))
        return median(singles), time.perf_counter() - started


def measure_concurrency(repeat: int) -> Result:
    """200 calls at once, from a 2026-07-28 client (the target) and from a handshake-era one."""
    figures: dict[str, Any] = {}
    with harness.simulator(latency=0.05) as api_url, data_dir() as tmp:
        port = harness.free_port()
        env = base_env(SMTP2GO_API_KEY=SANDBOX_KEY, SMTP2GO_API_URL=api_url, SMTP2GO_MCP_DATA_DIR=tmp)
        with harness.process([PYTHON, "-m", "smtp2go_mcp", "--transport", "streamable-http", "--port", str(port)],
                             env, port):
            for label, protocol in (("", MODERN), ("handshake_", HANDSHAKE)):
                runs = [asyncio.run(_concurrency(f"http://127.0.0.1:{port}/mcp", 200, protocol))
                        for _ in range(repeat)]
                single, total = median([r[0] for r in runs]), median([r[1] for r in runs])
                figures |= {f"{label}single_call_ms": single * 1000, f"{label}total_200_ms": total * 1000,
                            f"{label}ratio": total / single}
    return {"name": "concurrency", **figures, "target": "<= 3x one call", "ok": figures["ratio"] <= 3.0}


def _messages(count: int, tag: str) -> list[dict[str, Any]]:
    return [{"from": "bench@example.com", "to": [f"r{i}@example.org"], "subject": f"Batch {tag} #{i}",
             "text_body": f"Message {i} of the benchmark batch.\n" * 5} for i in range(count)]


async def _bare_loop(port: int, cert: Path, messages: list[dict[str, Any]], per_message: bool) -> float:
    """What a hand-written sender does: aiosmtplib with STARTTLS and AUTH, like the batch tool."""
    import ssl

    import aiosmtplib

    from smtp_sink import PASSWORD, USERNAME  # noqa: PLC0415

    context = ssl.create_default_context(cafile=str(cert))
    options = {"hostname": "127.0.0.1", "port": port, "start_tls": True, "tls_context": context,
               "username": USERNAME, "password": PASSWORD}

    def build(m: dict[str, Any]) -> EmailMessage:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = m["from"], m["to"][0], m["subject"]
        message.set_content(m["text_body"])
        return message

    started = time.perf_counter()
    if per_message:
        for m in messages:
            await aiosmtplib.send(build(m), **options)
    else:
        async with aiosmtplib.SMTP(**options) as smtp:
            for m in messages:
                await smtp.send_message(build(m))
    return time.perf_counter() - started


def measure_smtp(repeat: int) -> Result:
    ours, bare, per_connection = [], [], []
    from smtp_sink import PASSWORD, USERNAME

    with harness.smtp_sink() as (port, cert), data_dir() as tmp:
        env = base_env(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_SECURITY="starttls", SMTP_USERNAME=USERNAME,
                       SMTP_PASSWORD=PASSWORD, SMTP2GO_MCP_SMTP_CA_FILE=str(cert), SMTP2GO_MCP_DATA_DIR=tmp)
        with stdio_server(env) as server:
            server.call("SMTP_SEND_BATCH", {"messages": _messages(2, "warm-up")})
            for run in range(repeat):
                started = time.perf_counter()
                result = server.call("SMTP_SEND_BATCH", {"messages": _messages(100, f"run {run}")})
                ours.append(time.perf_counter() - started)
                assert result["structuredContent"]["sent"] == 100, result
                bare.append(asyncio.run(_bare_loop(port, cert, _messages(100, "bare"), per_message=False)))
                per_connection.append(asyncio.run(_bare_loop(port, cert, _messages(100, "each"), per_message=True)))
    vs_bare = median(bare) / median(ours)  # throughput ratio = inverse time ratio
    vs_each = median(per_connection) / median(ours)
    return {"name": "smtp", "ours_msgs_per_s": 100 / median(ours), "bare_msgs_per_s": 100 / median(bare),
            "per_connection_msgs_per_s": 100 / median(per_connection), "vs_bare": vs_bare,
            "vs_per_connection": vs_each, "target": ">= 0.8x bare, >= 3x per-connection",
            "ok": vs_bare >= 0.8 and vs_each >= 3.0}


def measure_context(repeat: int) -> Result:
    from smtp2go_mcp import catalog
    from smtp2go_mcp.toolsets import TOOLSETS

    with data_dir() as tmp, stdio_server(base_env(SMTP2GO_MCP_DATA_DIR=tmp)) as server:
        response, size = server.request("tools/list", {})
    with data_dir() as tmp, stdio_server(base_env(SMTP2GO_MCP_DATA_DIR=tmp, SMTP2GO_MCP_DYNAMIC_TOOLSETS="1")) as server:
        _, dynamic_size = server.request("tools/list", {})  # what --dynamic-toolsets starts with
    tools = response["result"]["tools"]
    per_tool = {t["name"]: len(json.dumps(t, separators=(",", ":"))) for t in tools}
    toolset_of = {e.name: e.toolset for e in catalog.load()}
    toolsets = {name: sum(b for t, b in per_tool.items() if toolset_of[t] == name) for name in TOOLSETS}
    average = sum(per_tool.values()) / len(per_tool)
    smallest = min(toolsets, key=toolsets.get)
    return {"name": "context", "tools": len(tools), "tools_list_bytes": size, "average_bytes": average,
            "dynamic_toolsets_start_bytes": dynamic_size,
            "largest": sorted(per_tool.items(), key=lambda kv: -kv[1])[:5], "toolsets": toolsets,
            "smallest_toolset": smallest, "target": "avg <= 1500 B, smallest toolset < 10 KB",
            "ok": average <= 1500 and toolsets[smallest] < 10 * 1024}


def measure_memory(repeat: int) -> Result:
    with data_dir() as tmp, stdio_server(base_env(SMTP2GO_API_KEY=SANDBOX_KEY, SMTP2GO_MCP_DATA_DIR=tmp)) as server:
        server.request("tools/list", {})
        time.sleep(0.5)
        idle = harness.rss_mb(server.proc.pid)
    load = subprocess.run([PYTHON, str(HERE / "load.py"), "--rounds", "1", "--json"], capture_output=True,
                          text=True, timeout=600)
    figures = json.loads(load.stdout) if load.returncode in (0, 1) and load.stdout.strip() else {}
    return {"name": "memory", "idle_stdio_mb": idle, "load_script": _load_summary(figures),
            "target": "idle <= 100 MB", "ok": idle <= 100}


def _load_summary(figures: dict[str, Any]) -> dict[str, Any]:
    """The memory figures bench/load.py reports (its --json output)."""
    rss = figures.get("rss_mb", {})
    return {"errors": figures.get("total_errors"), "idle_mb": rss.get("idle"), "after_load_mb": rss.get("end"),
            "peak_mb": figures.get("peak_rss_mb")}


BENCHMARKS: dict[str, tuple[Callable[[int], Result], int]] = {
    "startup": (measure_startup, 7),
    "overhead": (measure_overhead, 5),
    "concurrency": (measure_concurrency, 5),
    "smtp": (measure_smtp, 5),
    "context": (measure_context, 1),
    "memory": (measure_memory, 1),
}


def describe(result: Result) -> str:
    name = result["name"]
    if name == "startup":
        return f"{result['ours_s'] * 1000:.0f} ms vs {result['baseline_s'] * 1000:.0f} ms -> {result['ratio']:.2f}x"
    if name == "overhead":
        return (f"{result['ours_ms']:.2f} ms vs {result['baseline_ms']:.2f} ms direct -> "
                f"+{result['overhead_ms']:.2f} ms per call")
    if name == "concurrency":
        return (f"200 calls in {result['total_200_ms']:.0f} ms, one call {result['single_call_ms']:.0f} ms -> "
                f"{result['ratio']:.2f}x; handshake-era client {result['handshake_total_200_ms']:.0f} ms vs "
                f"{result['handshake_single_call_ms']:.0f} ms -> {result['handshake_ratio']:.2f}x")
    if name == "smtp":
        return (f"{result['ours_msgs_per_s']:.0f} msg/s vs bare {result['bare_msgs_per_s']:.0f} "
                f"({result['vs_bare']:.2f}x) and per-connection {result['per_connection_msgs_per_s']:.0f} "
                f"({result['vs_per_connection']:.1f}x)")
    if name == "context":
        return (f"{result['tools_list_bytes']:,} B for {result['tools']} tools, {result['average_bytes']:.0f} B/tool; "
                f"smallest toolset {result['smallest_toolset']} {result['toolsets'][result['smallest_toolset']]:,} B")
    if name == "memory":
        load = result["load_script"]
        return (f"idle {result['idle_stdio_mb']:.0f} MB (stdio); sandbox over HTTP: idle {load['idle_mb']} MB, "
                f"after 20x100 calls {load['after_load_mb']} MB (peak {load['peak_mb']}), errors {load['errors']}")
    return json.dumps(result)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated benchmarks to run")
    parser.add_argument("--repeat", type=int, default=None, help="repetitions (default per benchmark)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    results = []
    for name in args.only.split(","):
        function, default_repeat = BENCHMARKS[name.strip()]
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.append(function(args.repeat or default_repeat))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{'benchmark':<12} {'target':<36} {'result':<6} figures")
        for result in results:
            print(f"{result['name']:<12} {result['target']:<36} {'ok' if result['ok'] else 'MISS':<6} "
                  f"{describe(result)}")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
