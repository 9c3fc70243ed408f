"""URL attachments: http(s) only, public addresses only unless allowed, size, time and redirect limits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from smtp2go_mcp.api.errors import InvalidArguments
from smtp2go_mcp.smtp.fetch import fetch_url
from tests.web_servers import QuietHandler, serving_http

BODY = b"%PDF-1.4 price list"


@pytest.fixture(scope="module")
def web() -> Iterator[str]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path.startswith("/redirect/"):
                left = int(self.path.rsplit("/", 1)[-1])
                self.send_response(302)
                self.send_header("Location", f"/redirect/{left - 1}" if left > 1 else "/files/prices.pdf")
                self.end_headers()
            elif self.path == "/to-localhost":
                port = self.server.server_address[1]
                self.send_response(302)
                self.send_header("Location", f"http://localhost:{port}/files/prices.pdf")
                self.end_headers()
            elif self.path == "/to-ftp":
                self.send_response(302)
                self.send_header("Location", "ftp://files.example/prices.pdf")
                self.end_headers()
            elif self.path == "/big":
                self.send_response(200)
                self.end_headers()  # no Content-Length: the size shows only while reading
                self.wfile.write(b"x" * 4096)
            elif self.path == "/slow":
                self.send_response(200)
                self.send_header("Content-Length", "10")
                self.end_headers()
                time.sleep(3)
            elif self.path == "/missing":
                self.send_response(404)
                self.end_headers()
            else:
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(len(BODY)))
                self.end_headers()
                self.wfile.write(BODY)

    with serving_http(Handler) as url:
        yield url


@pytest.mark.anyio
async def test_fetch_when_allowed(web: str) -> None:
    loaded = await fetch_url(f"{web}/files/prices.pdf", "attachments.0.url", allow_private=True)
    assert (loaded.filename, loaded.content, loaded.mimetype) == ("prices.pdf", BODY, "application/pdf")


@pytest.mark.anyio
@pytest.mark.parametrize("url", ["{web}/files/prices.pdf", "http://localhost:9/x", "http://169.254.169.254/latest/meta-data",
                                 "http://10.0.0.5/x", "http://[::1]:9/x"])
async def test_private_addresses_are_refused_by_default(url: str, web: str) -> None:
    with pytest.raises(InvalidArguments, match="private, loopback, link-local or metadata address"):
        await fetch_url(url.format(web=web), "attachments.0.url")


@pytest.mark.anyio
@pytest.mark.parametrize(("path", "kwargs", "phrase"), [
    ("/redirect/2", {}, None),
    ("/redirect/5", {}, "more than 3 redirects"),
    ("/to-ftp", {}, "only http(s) URLs"),
    ("/big", {"max_bytes": 1000}, "larger than"),
    ("/slow", {"seconds": 1.0}, "took longer than 1 s"),
    ("/missing", {}, "answered HTTP 404"),
])
async def test_limits(path: str, kwargs: dict[str, Any], phrase: str | None, web: str) -> None:
    if phrase is None:
        assert (await fetch_url(f"{web}{path}", "f", allow_private=True, **kwargs)).content == BODY
        return
    with pytest.raises(InvalidArguments, match=phrase.replace("(", r"\(").replace(")", r"\)")):
        await fetch_url(f"{web}{path}", "f", allow_private=True, **kwargs)


@pytest.mark.anyio
async def test_a_named_host_may_be_private_and_each_redirect_is_checked_again(web: str) -> None:
    loaded = await fetch_url(f"{web}/files/prices.pdf", "f", allowed_hosts=("127.0.0.1",))
    assert loaded.content == BODY
    with pytest.raises(InvalidArguments, match="localhost resolves to a private, loopback"):
        await fetch_url(f"{web}/to-localhost", "f", allowed_hosts=("127.0.0.1",))
