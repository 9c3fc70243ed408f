"""Load test: N concurrent MCP clients x M tool calls over streamable HTTP against the sandbox.

    python bench/load.py                      # 3 rounds of 20 clients x 100 calls
    python bench/load.py --rounds 5 --json    # the figures as JSON

Independent of the test-suite on purpose: it drives the server the way a deployment would (a
separate process, real sockets, the real `mcp.Client`), so it measures what users get rather
than what an in-process test harness gets. See bench/README.md for what it prints and why the
memory check is "last round vs first round".

Exit status: 0 when every call succeeded and memory stayed flat, 1 otherwise, 2 when the server
could not be started or died during the run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

# A realistic mix of read-only tools with valid arguments: every one of them reaches the embedded
# SMTP2GO simulator over HTTP and comes back through the full envelope/validation path. Nothing
# sends or changes state, so every round sees the same data and memory can be compared fairly.
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("SMTP2GO_STATS_EMAIL_CYCLE", {}),
    ("SMTP2GO_ACTIVITY_SEARCH", {"start_date": "2020-01-01", "limit": 5}),
    ("SMTP2GO_TEMPLATE_VIEW", {"id": "welcome-email"}),
    ("SMTP2GO_SUBACCOUNTS_USAGE", {}),
    ("SMTP2GO_WEBHOOK_VIEW", {}),
    ("SMTP2GO_DOMAIN_VIEW", {}),
    ("SMTP2GO_SUPPRESSION_VIEW", {}),
    ("SMTP2GO_STATS_EMAIL_SUMMARY", {}),
]

MB = 1024 * 1024
# The memory verdict. RSS after round 1 already includes one-off costs (imports done lazily on the
# first call, allocator arenas, caches filled once); a leak shows up as growth *after* that. We
# allow whichever is larger of DEFAULT_MAX_GROWTH_MB and DEFAULT_MAX_GROWTH_PCT of the round-1 RSS,
# because CPython's allocator does not hand every freed page back and RSS wobbles by a few MB.
DEFAULT_MAX_GROWTH_MB = 20.0
DEFAULT_MAX_GROWTH_PCT = 10.0
SETTLE_SECONDS = 1.0  # let the server finish closing connections before reading RSS


# -- the server under test ---------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_bytes(pid: int, key: str = "VmRSS") -> int:
    """Resident memory of a process from /proc (Linux; no psutil needed). VmHWM is the peak."""
    with contextlib.suppress(FileNotFoundError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024  # the kernel reports kB
    # A zombie has no VmRSS line: the server died under load.
    raise ServerFailed(f"no {key} for pid {pid}: the server is not running")


def open_fds(pid: int) -> int:
    """Open file descriptors (sockets included): a connection leak shows here before it shows in RSS."""
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except FileNotFoundError:
        raise ServerFailed(f"pid {pid} is gone: the server is not running") from None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used, from /proc/<pid>/stat (fields 14 and 15).

    Reported next to calls/s because on a small machine the load generator and the server share
    the cores: this shows how much of each call's cost is the server's.
    """
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # the command name may contain spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all processes on the machine spent busy, from the first line of /proc/stat.

    Minus the server's and the load generator's own CPU, this is what *other* processes took
    during a round: on a shared machine a busy neighbour (a test run, a build) lowers calls/s and
    stretches the tail latencies, and this column makes such a contaminated round visible.
    """
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def running_server(python: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """Start `smtp2go-mcp --sandbox` over streamable HTTP as a child process; stop it afterwards."""
    with tempfile.TemporaryDirectory(prefix="smtp2go-bench-") as tmp:
        env = dict(os.environ, SMTP2GO_MCP_DATA_DIR=tmp, SMTP2GO_MCP_LOG_LEVEL="WARNING")
        env.pop("SMTP2GO_API_KEY", None)  # the sandbox ignores it anyway; keep it out of the child
        # stderr goes to a file, not a pipe: nobody reads a pipe during the run, and a full pipe
        # would block the server mid-benchmark.
        log_path = Path(tmp) / "server.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [python, "-m", "smtp2go_mcp", "--transport", "streamable-http", "--sandbox", "--port", str(port)],
                env=env, stdout=subprocess.DEVNULL, stderr=log)
            try:
                wait_for_port(proc, port, log_path)
                yield proc
            finally:
                proc.terminate()  # SIGTERM: uvicorn shuts down gracefully
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        # Kept for the report: with --log-level WARNING a healthy run logs nothing at all.
        proc.server_log = log_path.read_text(errors="replace")  # type: ignore[attr-defined]


def wait_for_port(proc: subprocess.Popen[bytes], port: int, log_path: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerFailed(f"server exited with {proc.returncode} during startup:\n{log_path.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise ServerFailed(f"server did not accept connections on port {port} within {timeout:.0f} s")


class ServerFailed(RuntimeError):
    pass


# -- the load ----------------------------------------------------------------------------------

@dataclass
class RoundResult:
    latencies: list[float] = field(default_factory=list)  # seconds, one per call that got an answer
    attempted: int = 0
    errors: int = 0
    server_cpu: float = 0.0  # seconds of server CPU used during the round
    client_cpu: float = 0.0  # seconds of load-generator CPU used during the round
    other_cpu: float = 0.0  # seconds of CPU every other process on the machine used during the round
    error_samples: dict[str, int] = field(default_factory=dict)  # message -> count (for diagnosis)
    wall: float = 0.0

    def error(self, message: str) -> None:
        self.errors += 1
        # Request ids differ on every call; without them identical failures group together.
        key = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", message)[:300]
        self.error_samples[key] = self.error_samples.get(key, 0) + 1


def describe(exc: BaseException) -> str:
    """The innermost exception: the SDK wraps transport failures in task-group ExceptionGroups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return f"{type(exc).__name__}: {exc}"


def check(result: Any) -> str | None:
    """Why a call result counts as an error, or None when it is a success."""
    if result.is_error:
        return f"isError: {result.content[0].text if result.content else '(no content)'}"
    sc = result.structured_content
    if not isinstance(sc, dict):
        return "structuredContent missing"
    if sc.get("successful") is not True:
        return f"successful={sc.get('successful')!r}: {sc.get('error')}"
    return None


async def one_client(url: str, index: int, calls: int, timeout: float, out: RoundResult) -> None:
    """One MCP client: its own connection, calls made strictly one after another."""
    try:
        async with Client(url, read_timeout_seconds=timeout) as client:
            for i in range(calls):
                # Each client starts at a different point of the mix so that at any moment the
                # server sees different tools in flight, not 20 copies of the same request.
                name, args = CALLS[(index + i) % len(CALLS)]
                out.attempted += 1
                started = time.perf_counter()
                try:
                    result = await client.call_tool(name, args)
                except Exception as exc:  # noqa: BLE001 - every failure is a counted error
                    out.error(f"{name}: {describe(exc)}")
                    continue
                out.latencies.append(time.perf_counter() - started)
                problem = check(result)
                if problem:
                    out.error(f"{name}: {problem}")
    except Exception as exc:  # noqa: BLE001 - connecting or closing the client failed
        out.error(f"client connect/close: {describe(exc)}")


async def run_round(url: str, clients: int, calls: int, timeout: float) -> RoundResult:
    out = RoundResult()
    started = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for index in range(clients):
            tg.start_soon(one_client, url, index, calls, timeout, out)
    out.wall = time.perf_counter() - started
    # Calls that were never attempted (a client that failed to connect) must not vanish from the
    # count: anything short of clients x calls answered successfully is an error.
    missing = clients * calls - out.attempted
    if missing > 0:
        out.errors += missing
        out.error_samples["calls never made (client failed)"] = missing
    return out


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile; no numpy needed for a few thousand numbers."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


# -- reporting ---------------------------------------------------------------------------------

def summarise(args: argparse.Namespace, rss: dict[str, int], peak: int, rounds: list[RoundResult]) -> dict[str, Any]:
    first, last = rss["round_1"], rss[f"round_{len(rounds)}"]
    allowed = max(args.max_growth_mb * MB, first * args.max_growth_pct / 100)
    all_lat = [x for r in rounds for x in r.latencies]
    return {
        "clients": args.clients,
        "calls_per_client": args.calls,
        "calls_per_round": args.clients * args.calls,
        "rounds": [{
            "round": i + 1,
            "calls": args.clients * args.calls,
            "errors": r.errors,
            "wall_s": round(r.wall, 3),
            "calls_per_s": round(args.clients * args.calls / r.wall, 1),
            "p50_ms": round(percentile(r.latencies, 50) * 1000, 1),
            "p95_ms": round(percentile(r.latencies, 95) * 1000, 1),
            "p99_ms": round(percentile(r.latencies, 99) * 1000, 1),
            "max_ms": round(max(r.latencies, default=float("nan")) * 1000, 1),
            "server_cpu_s": round(r.server_cpu, 2),
            "server_cpu_ms_per_call": round(r.server_cpu * 1000 / (args.clients * args.calls), 2),
            "client_cpu_s": round(r.client_cpu, 2),
            "other_cpu_s": round(r.other_cpu, 2),
            "rss_after_mb": round(rss[f"round_{i + 1}"] / MB, 1),
            "error_samples": r.error_samples,
        } for i, r in enumerate(rounds)],
        "total_calls": args.clients * args.calls * len(rounds),
        "total_errors": sum(r.errors for r in rounds),
        "overall": {
            "p50_ms": round(percentile(all_lat, 50) * 1000, 1),
            "p95_ms": round(percentile(all_lat, 95) * 1000, 1),
            "p99_ms": round(percentile(all_lat, 99) * 1000, 1),
            "calls_per_s": round(args.clients * args.calls * len(rounds) / sum(r.wall for r in rounds), 1),
        },
        "rss_mb": {k: round(v / MB, 1) for k, v in rss.items()},
        "peak_rss_mb": round(peak / MB, 1),
        "growth_first_to_last_mb": round((last - first) / MB, 1),
        "growth_allowed_mb": round(allowed / MB, 1),
        "memory_ok": last - first <= allowed,
    }


def print_table(s: dict[str, Any], total_wall: float) -> None:
    print(f"smtp2go-mcp load test: {s['clients']} concurrent clients x {s['calls_per_client']} calls "
          f"= {s['calls_per_round']} calls per round, streamable HTTP, --sandbox")
    print()
    header = (f"{'round':>5} {'calls':>6} {'errors':>6} {'wall s':>7} {'calls/s':>8} "
              f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} "
              f"{'srv CPU s':>9} {'cli CPU s':>9} {'oth CPU s':>9} {'RSS MB':>7} {'Δ MB':>6}")
    print(header)
    print("-" * len(header))
    previous = s["rss_mb"]["idle"]
    for r in s["rounds"]:
        delta = r["rss_after_mb"] - previous
        previous = r["rss_after_mb"]
        print(f"{r['round']:>5} {r['calls']:>6} {r['errors']:>6} {r['wall_s']:>7.2f} {r['calls_per_s']:>8.1f} "
              f"{r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['max_ms']:>7.1f} "
              f"{r['server_cpu_s']:>9.2f} {r['client_cpu_s']:>9.2f} {r['other_cpu_s']:>9.2f} "
              f"{r['rss_after_mb']:>7.1f} {delta:>+6.1f}")
    o = s["overall"]
    print("-" * len(header))
    print(f"{'all':>5} {s['total_calls']:>6} {s['total_errors']:>6} {'':>7} {o['calls_per_s']:>8.1f} "
          f"{o['p50_ms']:>7.1f} {o['p95_ms']:>7.1f} {o['p99_ms']:>7.1f}")
    print()
    rss = s["rss_mb"]
    last = (f"after round {len(s['rounds'])} {s['rounds'][-1]['rss_after_mb']:.1f} MB, "
            if len(s["rounds"]) > 1 else "")
    print(f"server RSS: idle {rss['idle']:.1f} MB, after round 1 {s['rounds'][0]['rss_after_mb']:.1f} MB, {last}"
          f"at the end {rss['end']:.1f} MB, peak {s['peak_rss_mb']:.1f} MB")
    if len(s["rounds"]) > 1:
        print(f"growth round 1 -> round {len(s['rounds'])}: {s['growth_first_to_last_mb']:+.1f} MB "
              f"(allowed {s['growth_allowed_mb']:.1f} MB) -> {'OK' if s['memory_ok'] else 'FAIL'}")
    else:
        print("growth: not judged with a single round (use --rounds 2 or more)")
    print("server open fds: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in s["open_fds"].items()))
    print(f"errors: {s['total_errors']} of {s['total_calls']} -> {'OK' if s['total_errors'] == 0 else 'FAIL'}")
    for r in s["rounds"]:
        for message, count in r["error_samples"].items():
            print(f"  round {r['round']}: {count} x {message}")
    other = sum(r["other_cpu_s"] for r in s["rounds"])
    wall = sum(r["wall_s"] for r in s["rounds"])
    print(f"other processes on the machine: {other:.1f} CPU s during {wall:.1f} s of rounds"
          + (" -> figures skewed by a busy neighbour; rerun on an idle machine" if other > 0.2 * wall else ""))
    print(f"server log lines at WARNING or above: {s['server_log_lines']}")
    print(f"total wall time (start to stop, server included): {total_wall:.1f} s")


# -- main --------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=20, help="concurrent MCP clients (default 20)")
    p.add_argument("--calls", type=int, default=100, help="sequential tool calls per client per round (default 100)")
    p.add_argument("--rounds", type=int, default=3,
                   help="how many times to run the whole load, reading RSS after each (default 3)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds before one call counts as failed (default 60)")
    p.add_argument("--max-growth-mb", type=float, default=DEFAULT_MAX_GROWTH_MB,
                   help=f"allowed RSS growth round 1 -> last round, MB (default {DEFAULT_MAX_GROWTH_MB:g}) ...")
    p.add_argument("--max-growth-pct", type=float, default=DEFAULT_MAX_GROWTH_PCT,
                   help=f"... or this %% of the round-1 RSS, whichever is larger (default {DEFAULT_MAX_GROWTH_PCT:g})")
    p.add_argument("--python", default=sys.executable,
                   help="interpreter that has smtp2go_mcp installed (default: this one)")
    args = p.parse_args(argv)
    if args.clients < 1 or args.calls < 1 or args.rounds < 1:
        p.error("--clients, --calls and --rounds must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    started = time.perf_counter()
    rounds: list[RoundResult] = []
    rss: dict[str, int] = {}
    fds: dict[str, int] = {}
    try:
        with running_server(args.python, port) as proc:
            time.sleep(SETTLE_SECONDS)  # the sandbox finishes starting its simulator and SMTP sink
            rss["idle"], fds["idle"] = rss_bytes(proc.pid), open_fds(proc.pid)
            for n in range(1, args.rounds + 1):
                if not args.json:
                    print(f"round {n}/{args.rounds} ...", file=sys.stderr, flush=True)
                server_before, own_before = cpu_seconds(proc.pid), time.process_time()
                busy_before = machine_busy_seconds()
                result = anyio.run(run_round, url, args.clients, args.calls, args.timeout)
                result.server_cpu = cpu_seconds(proc.pid) - server_before
                result.client_cpu = time.process_time() - own_before
                busy = machine_busy_seconds() - busy_before
                result.other_cpu = max(0.0, busy - result.server_cpu - result.client_cpu)
                rounds.append(result)
                time.sleep(SETTLE_SECONDS)
                rss[f"round_{n}"], fds[f"round_{n}"] = rss_bytes(proc.pid), open_fds(proc.pid)
            time.sleep(2 * SETTLE_SECONDS)  # "end": idle again, a little after the last round
            rss["end"], fds["end"] = rss_bytes(proc.pid), open_fds(proc.pid)
            peak = rss_bytes(proc.pid, "VmHWM")
            if proc.poll() is not None:
                raise ServerFailed(f"server died during the run (exit {proc.returncode})")
    except ServerFailed as exc:
        print(f"load.py: {exc}", file=sys.stderr)
        return 2
    total_wall = time.perf_counter() - started

    summary = summarise(args, rss, peak, rounds)
    summary["open_fds"] = fds
    summary["total_wall_s"] = round(total_wall, 1)
    server_log: str = getattr(proc, "server_log", "")
    summary["server_log_lines"] = len(server_log.splitlines())
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print_table(summary, total_wall)
    if server_log.strip():
        print("\nserver stderr (last 4000 characters):\n" + server_log[-4000:], file=sys.stderr)
    ok = summary["total_errors"] == 0 and summary["memory_ok"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
