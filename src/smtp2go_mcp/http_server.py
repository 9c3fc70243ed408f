"""Serving an ASGI app on a real socket: in the current event loop, or in a thread of its own.

Used for the HTTP transports, the sandbox's embedded simulator and the tests.
Logging is left to the process (stderr), never uvicorn's default stdout setup,
because on stdio stdout belongs to JSON-RPC.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to whoever owns the process."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP (not 0): asyncio only sets TCP_NODELAY on accepted sockets whose
    # proto says TCP, and without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)  # uvicorn's own default: a burst of new connections must not overflow the queue
    sock.setblocking(False)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def config(app: Any, *, access_log: bool = False, lifespan: str = "auto") -> uvicorn.Config:
    return uvicorn.Config(app, log_config=None, access_log=access_log, lifespan=lifespan,
                          timeout_graceful_shutdown=3)


@contextlib.asynccontextmanager
async def serving(app: Any, host: str = "127.0.0.1", port: int = 0, *, lifespan: str = "auto") -> AsyncIterator[str]:
    """Serve `app` as a task of the running loop; yields its base URL."""
    sock = bind(host, port)
    server = EmbeddedServer(config(app, lifespan=lifespan))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("embedded HTTP server stopped during startup")
            await asyncio.sleep(0.01)
        yield url_of(sock)
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await task
        sock.close()


class ThreadedServer:
    """Serve `app` on its own event loop in a daemon thread (for tests and tools)."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, *, lifespan: str = "auto") -> None:
        self._sock = bind(host, port)
        self.url = url_of(self._sock)
        self._server = EmbeddedServer(config(app, lifespan=lifespan))
        self._thread = threading.Thread(target=self._run, name=f"http-{self.url}", daemon=True)

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))

    def start(self, timeout: float = 20.0) -> "ThreadedServer":
        self._thread.start()
        deadline = threading.Event()
        for _ in range(int(timeout / 0.01)):
            if self._server.started:
                return self
            if not self._thread.is_alive():
                break
            deadline.wait(0.01)
        raise RuntimeError(f"server at {self.url} did not start")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> "ThreadedServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
