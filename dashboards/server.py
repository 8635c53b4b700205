"""Start the dashboard: ``coprod dashboard [--host 127.0.0.1] [--port 8765]``.

Runs Solara's server (uvicorn) in this process with the app ``dashboards.app:Page``
in production mode. It needs no internet: the page's JavaScript, fonts and chart
library come from the ``solara-assets`` package and are served by this server;
telemetry and the version check are switched off.

    python -m dashboards.server --port 8765
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import warnings
from collections.abc import Sequence

APP = "dashboards.app:Page"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

# Read by solara's settings when it is first imported: set them before that.
OFFLINE_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no usage reports to mixpanel
    "SOLARA_THEME_SHOW_BANNER": "False",
}


def _port(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0-65535, got '{text}'")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``--host`` and ``--port`` to ``parser`` (the ``coprod dashboard`` subcommand)."""
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default: {DEFAULT_HOST}, this computer "
                             "only; 0.0.0.0 lets others on the room's network connect)")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT,
                        help=f"port to listen on (default: {DEFAULT_PORT}; 0 picks a free one)")
    return parser


DESCRIPTION = ("Open the model in a web browser: run it week by week, compare scenarios, "
               "export what you find. Then visit http://HOST:PORT/ (Ctrl+C stops it).")


def build_parser(prog: str = "coprod dashboard") -> argparse.ArgumentParser:
    return add_arguments(argparse.ArgumentParser(prog=prog, allow_abbrev=False,
                                                 description=DESCRIPTION))


def check_port(host: str, port: int) -> str | None:
    """A plain-language problem if ``host:port`` cannot be listened on, else None."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError as err:
        if port and err.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            return f"port {port} on {host} is already in use; try --port {port + 1}"
        return f"cannot listen on {host}:{port}: {err.strerror or err}"
    return None


def lan_address() -> str | None:
    """This computer's address on the local network, or None (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("10.255.255.255", 1))  # UDP connect only picks a route
            address = sock.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def where_to_open(host: str, port: int) -> str:
    """The line telling people which address to open."""
    if host in ("127.0.0.1", "localhost", "::1"):
        return f"open http://localhost:{port}/ in a web browser"
    if host in ("0.0.0.0", "::", ""):
        lan = lan_address()
        others = (f"http://{lan}:{port}/" if lan else
                  f"http://<this computer's network address>:{port}/")
        return (f"open http://localhost:{port}/ on this computer, or {others} from other "
                "devices on the same network")
    return f"open http://{host}:{port}/ in a web browser"


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Run the dashboard's server until interrupted (Ctrl+C)."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    if port == 0:
        with socket.socket() as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
    # Solara warns on every page load from a host other than "localhost" that it falls
    # back to SameSite=Lax cookies over http: expected here, and not the user's concern.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    from solara.__main__ import run as solara_run

    print(f"coprod dashboard: {where_to_open(host, port)} (Ctrl+C stops it)", flush=True)
    solara_run.main(args=[APP, "--host", host, "--port", str(port), "--production", "--no-open",
                          "--no-check-version", "--log-level-uvicorn", "warning",
                          "--no-access-log"],
                    prog_name="coprod dashboard", standalone_mode=False)


def run(args: argparse.Namespace) -> int:
    """Serve with parsed ``--host`` / ``--port``; returns the exit status (2: cannot listen)."""
    problem = check_port(args.host, args.port)
    if problem:
        print(f"coprod: error: dashboard: {problem}", file=sys.stderr)
        return 2
    try:
        serve(args.host, args.port)
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m dashboards.server [--host H] [--port P]``: returns the exit status."""
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
