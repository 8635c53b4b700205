"""The address phones join a room at: the server's network address, not ``localhost``.

A facilitator usually opens the room on the laptop that serves it, as
``http://localhost:8765/room``; that address means *this device* on every phone, so the
join address and QR code must name the laptop's address on the local network instead.
:func:`join_base` keeps the host the browser used unless it is a loopback name; then it
uses :func:`lan_ipv4` (the machine's non-loopback IPv4 address: a UDP socket "connects"
to pick a route, and no packet is sent; failing that, the address of the machine's host
name). :func:`reachable` tells whether the server answers at that address at all: a
server started with the default ``--host 127.0.0.1`` listens on this computer only, and
the facilitator's page then says how to restart it for the room's network.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from ..server import lan_address

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", ""})
PROBE_SECONDS = 0.3  # a local connection answers in microseconds; a refused one at once
DEFAULT_PORT = 80


def is_loopback(host: str) -> bool:
    return host.lower() in LOOPBACK_NAMES or host.startswith("127.")


def lan_ipv4(
    probe: Callable[[], str | None] = lan_address,
    hostname: Callable[[], str] = socket.gethostname,
) -> str | None:
    """This machine's IPv4 address on the local network, or None if it has none."""
    found = probe()
    if found and not is_loopback(found):
        return found
    try:
        by_name = socket.gethostbyname(hostname())
    except OSError:
        return None
    return None if is_loopback(by_name) else by_name


def split(header: str) -> tuple[str, int]:
    """``host[:port]`` (a Host header) as its host and port."""
    parts = urlsplit(f"http://{header}")
    return parts.hostname or "", parts.port or DEFAULT_PORT


def reachable(host: str, port: int, timeout: float = PROBE_SECONDS) -> bool:
    """Whether something listens at ``host:port`` (a TCP connection, closed at once)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def join_base(
    header: str, lan: Callable[[], str | None] = lan_ipv4, check=reachable
) -> tuple[str, str]:
    """The base url phones should use, and a problem in words (or ``""``).

    ``header``: the Host the facilitator's browser used (``localhost:8765``).
    """
    if not header:
        return "", ""
    host, port = split(header)
    if not is_loopback(host):
        return f"http://{header}", ""
    address = lan()
    if address is None:
        return f"http://{header}", (
            "This computer has no network address: phones cannot reach "
            f"'{host}'. Connect it to the room's router or hotspot, then reload this page."
        )
    base = f"http://{address}:{port}"
    if not check(address, port):
        return base, (
            "This server listens on this computer only, so phones cannot join yet. "
            f"Restart it with: coprod dashboard --host 0.0.0.0 --port {port} "
            "(or make dashboard HOST=0.0.0.0)."
        )
    return base, ""
