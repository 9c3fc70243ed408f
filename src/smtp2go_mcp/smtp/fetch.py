"""Downloading an attachment from a URL, within size and time limits.

Only http(s). Unless the user allowed private URLs (all, or named hosts), every
hop, each redirect included, must resolve to public addresses only: an agent
must not be able to read an intranet page or a cloud metadata endpoint and mail
it out.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import unquote, urljoin, urlsplit

import anyio
import httpx2

from smtp2go_mcp.api.errors import InvalidArguments
from smtp2go_mcp.attachments import MAX_ATTACHMENT_BYTES, LoadedFile, guess_mimetype

FETCH_SECONDS = 20.0
MAX_REDIRECTS = 3
# Cloud metadata services answer on these, whatever the routing says.
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


async def _check_host(url: str, field: str, allow_private: bool, allowed_hosts: tuple[str, ...]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidArguments(f"'{field}': only http(s) URLs can be attached, not {url!r}. Nothing was sent.")
    if allow_private or parts.hostname.lower() in allowed_hosts:
        return
    try:
        infos = await anyio.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                        type=socket.SOCK_STREAM)
    except OSError:
        raise InvalidArguments(f"'{field}': cannot resolve {parts.hostname!r}. Nothing was sent.") from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if ip in _METADATA or not ip.is_global or ip.is_multicast:
            raise InvalidArguments(
                f"'{field}': {parts.hostname} resolves to a private, loopback, link-local or metadata address "
                f"({ip}), which attachments may not be fetched from. Nothing was sent.")


async def fetch_url(url: str, field: str, *, allow_private: bool = False, allowed_hosts: tuple[str, ...] = (),
                    max_bytes: int = MAX_ATTACHMENT_BYTES, seconds: float = FETCH_SECONDS) -> LoadedFile:
    """The file at `url`; InvalidArguments (naming `field`) for anything refused or failed."""
    try:
        with anyio.fail_after(seconds):
            async with httpx2.AsyncClient(follow_redirects=False, timeout=seconds) as http:
                for _ in range(MAX_REDIRECTS + 1):
                    await _check_host(url, field, allow_private, tuple(h.lower() for h in allowed_hosts))
                    async with http.stream("GET", url) as response:
                        if response.is_redirect and response.headers.get("location"):
                            url = urljoin(url, response.headers["location"])
                            continue
                        if response.status_code != 200:
                            raise InvalidArguments(f"'{field}': {url} answered HTTP {response.status_code}. "
                                                   "Nothing was sent.")
                        declared = response.headers.get("content-length")
                        if declared and declared.isdigit() and int(declared) > max_bytes:
                            raise _too_big(field, max_bytes)
                        content = bytearray()
                        async for chunk in response.aiter_bytes():
                            content.extend(chunk)
                            if len(content) > max_bytes:
                                raise _too_big(field, max_bytes)
                        mimetype = response.headers.get("content-type", "").split(";")[0].strip()
                        name = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]) or "attachment"
                        return LoadedFile(name, bytes(content), mimetype or guess_mimetype(name))
                raise InvalidArguments(f"'{field}': more than {MAX_REDIRECTS} redirects. Nothing was sent.")
    except TimeoutError:
        raise InvalidArguments(f"'{field}': downloading {url} took longer than {seconds:g} s. Nothing was sent.") from None
    except httpx2.HTTPError as exc:
        raise InvalidArguments(f"'{field}': could not download {url} ({type(exc).__name__}). Nothing was sent.") from None


def _too_big(field: str, max_bytes: int) -> InvalidArguments:
    return InvalidArguments(f"'{field}' is larger than the {max_bytes / 1048576:.0f} MiB attachment limit. "
                            "Nothing was sent.")
