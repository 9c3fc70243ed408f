"""Processes and clients the benchmarks share: the simulator, the server over stdio or HTTP, an SMTP sink.

The clients here speak JSON-RPC by hand (over stdio, or HTTP POSTs) instead of using
`mcp.Client`: the benchmarks measure the server, and a full client's own validation work would
blur the per-call figures.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PYTHON = sys.executable
SANDBOX_KEY = "api-5A4D80C5E5D34B6A8B1F0C2D3E4F5A6B"  # the simulator's built-in key
INITIALIZE = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        time.sleep(0.02)
    raise RuntimeError(f"nothing listens on {port} after {timeout} s")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def median(values: list[float]) -> float:
    return statistics.median(values)


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP2GO_", "SMTP_"))}
    env.update(SMTP2GO_MCP_LOG_LEVEL="WARNING", **extra)
    return env


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], port: int | None = None) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if port is not None:
            wait_port(port, proc)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def simulator(latency: float = 0.0) -> Iterator[str]:
    """The SMTP2GO simulator in its own process; yields its API base URL."""
    port = free_port()
    with process([PYTHON, "-m", "smtp2go_mcp", "simulator", "--port", str(port), "--latency", str(latency)],
                 base_env(), port):
        yield f"http://127.0.0.1:{port}/v3"


@contextlib.contextmanager
def smtp_sink() -> Iterator[tuple[int, Path]]:
    """bench/smtp_sink.py (STARTTLS and AUTH required, mail discarded) in its own process.

    Yields its port and the certificate to trust.
    """
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="smtp2go-bench-tls-") as tmp:
        with process([PYTHON, str(Path(__file__).with_name("smtp_sink.py")), str(port), tmp], base_env(), port):
            yield port, Path(tmp) / "cert.pem"


class StdioServer:
    """`smtp2go-mcp` over stdio, spoken to one JSON-RPC line at a time."""

    def __init__(self, env: dict[str, str], args: list[str] | None = None) -> None:
        self.started = time.perf_counter()
        self.proc = subprocess.Popen([PYTHON, "-m", "smtp2go_mcp", *(args or [])], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._id = 0

    def request(self, method: str, params: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """The response and its size in bytes."""
        self._id += 1
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", "id": self._id, "method": method,
                                          "params": params}).encode() + b"\n")
        self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("the server closed stdout")
            message = json.loads(line)
            if message.get("id") == self._id:
                return message, len(line)

    def initialize(self) -> None:
        self.request("initialize", INITIALIZE)
        self.proc.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
        self.proc.stdin.flush()

    def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        response, _ = self.request("tools/call", {"name": name, "arguments": arguments})
        result = response["result"]
        if result.get("isError"):
            raise RuntimeError(f"{name} failed: {result['content'][0]['text']}")
        return result

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=15)


@contextlib.contextmanager
def stdio_server(env: dict[str, str], args: list[str] | None = None) -> Iterator[StdioServer]:
    server = StdioServer(env, args)
    try:
        server.initialize()
        yield server
    finally:
        server.close()


@contextlib.contextmanager
def data_dir() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="smtp2go-bench-") as tmp:
        yield tmp
