"""Start the dashboard: ``coprod dashboard [--host 127.0.0.1] [--port 8765]``.

Runs Solara's server (uvicorn) in this process with the app ``dashboards.app:Page``
in production mode. It needs no internet: the page's JavaScript, fonts and chart
library come from the ``solara-assets`` package and are served by this server;
telemetry and the version check are switched off.

    python -m dashboards.server --port 8765
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import socket
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

APP = "dashboards.app:Page"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

# Read by solara's settings when it is first imported: set them before that.
OFFLINE_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no usage reports to mixpanel
    "SOLARA_THEME_SHOW_BANNER": "False",
}
# The page's custom.js (starts loading the plots' library early), found by Solara as an
# extra assets folder; its other assets are Solara's own.
ASSETS = Path(__file__).resolve().parent / "assets"
ASSETS_ENV = "SOLARA_ASSETS_EXTRA_LOCATIONS"

logger = logging.getLogger("coprod.dashboard")


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
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default: {DEFAULT_HOST}, this computer "
        "only; 0.0.0.0 lets others on the room's network connect)",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"port to listen on (default: {DEFAULT_PORT}; 0 picks a free one)",
    )
    return parser


DESCRIPTION = (
    "Open the model in a web browser: run it week by week, compare scenarios, "
    "export what you find. Then visit http://HOST:PORT/ (Ctrl+C stops it)."
)


def build_parser(prog: str = "coprod dashboard") -> argparse.ArgumentParser:
    return add_arguments(
        argparse.ArgumentParser(prog=prog, allow_abbrev=False, description=DESCRIPTION)
    )


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
        others = (
            f"http://{lan}:{port}/" if lan else f"http://<this computer's network address>:{port}/"
        )
        return (
            f"open http://localhost:{port}/ on this computer, or {others} from other "
            "devices on the same network"
        )
    return f"open http://{host}:{port}/ in a web browser"


def add_assets_location(env=os.environ) -> None:
    """Add ``dashboards/assets`` to Solara's extra asset folders (comma-separated)."""
    if not ASSETS.is_dir():  # Solara refuses to start on a folder that does not exist
        return
    current = [p for p in env.get(ASSETS_ENV, "").split(",") if p]
    if str(ASSETS) not in current:
        env[ASSETS_ENV] = ",".join([*current, str(ASSETS)])


# --------------------------------------------------------------------------- warm start
#
# Solara gzips each static file once, on its first request, and keeps the result in memory.
# On a fresh server that is the first page load: about 4.5 MB of JavaScript and CSS at gzip
# level 9, in the way of the page's first paint (half a second or more on a busy two-core
# machine). The server instead compresses them as soon as it has started, in a thread (zlib
# releases the GIL), while the browser is still on its way.

ACCEPT_ENCODING = "gzip, deflate, br, zstd"  # what browsers send
# Loaded by the page's JavaScript (requirejs), so not named in the page's HTML.
SCRIPT_URLS = (
    "/jupyter/nbextensions/jupyter-vuetify/nodeps.js",
    "/jupyter/nbextensions/jupyter-vue/nodeps.js",
)
_LOCAL_URL = re.compile(r"""["'](/[^"'\s<>]+?\.(?:js|css))(?:\?[^"'\s<>]*)?["']""")


def page_asset_urls(html: str, cdn: str | None) -> list[str]:
    """Local script and style urls the page loads, in the order it asks for them.

    ``cdn`` is the path Solara serves its cdn files under (None: it does not serve them).
    """
    # Solara's server parts load with the server only
    from .chartwidget import ECHARTS

    urls = _LOCAL_URL.findall(html)
    main = [u for u in urls if u.endswith(".min.js")]  # the big bundle: wanted first
    urls = main + [u for u in urls if u not in main] + list(SCRIPT_URLS)
    if cdn is not None:
        urls.append(f"{cdn}/{ECHARTS}")
    return list(dict.fromkeys(urls))


def _static_file(routes, url: str):
    """``(path, stat)`` of the file a static mount serves at ``url``, or None."""
    # Solara's server parts load with the server only
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    for route in routes:
        if (
            isinstance(route, Mount)
            and isinstance(route.app, StaticFiles)
            and url.startswith(route.path + "/")
        ):
            try:
                path, stat = route.app.lookup_path(url[len(route.path) + 1 :])
            except OSError:
                return None
            return (path, stat) if stat is not None else None
    return None


def precompress_assets(timeout: float = 60.0) -> int:
    """Fill Solara's cache of compressed static files with what the page loads first.

    Waits (in its thread) until Solara has loaded the app, reads the page's HTML as Solara
    serves it, and compresses each local script and style sheet it names, as Solara would
    on the first request. Returns how many files it compressed; a problem only costs the
    head start (it is logged, nothing else).
    """
    try:
        # Solara's server parts load with the server only
        import solara.settings
        from solara.server import app as solara_app
        from solara.server import compress, server
        from solara.server import starlette as solara_starlette
        from solara.server.cdn_helper import cdn_url_path

        start = time.perf_counter()
        while not getattr(solara_app.apps.get("__default__"), "_initialized", False):
            if time.perf_counter() - start > timeout:
                return 0
            time.sleep(0.01)
        html = server.read_root("/") or ""
        # without its proxy, Solara does not serve the cdn files: not ours to compress
        cdn = f"/{cdn_url_path}" if solara.settings.assets.proxy else None
        scope = {
            "type": "http",
            "method": "GET",
            "headers": [(b"accept-encoding", ACCEPT_ENCODING.encode())],
        }
        done = 0
        for url in page_asset_urls(html, cdn):
            found = _static_file(solara_starlette.app.routes, url)
            if found is None:
                continue
            path, stat = found
            encoding = compress.encoding_for(path, stat, scope)
            if encoding is not None:
                compress.compressed(path, stat, encoding)
                logger.debug("dashboard: compressed %s", url)
                done += 1
        logger.info(
            "dashboard: compressed %d static files in %.2f s", done, time.perf_counter() - start
        )
        return done
    except Exception:  # an optimisation only: the files are compressed on request instead
        logger.exception("dashboard: could not compress the static files ahead of time")
        return 0


def start_warm_start() -> None:
    """Compress the page's static files in a thread (called when the app is loaded)."""
    threading.Thread(target=precompress_assets, name="coprod-precompress", daemon=True).start()


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Run the dashboard's server until interrupted (Ctrl+C)."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    add_assets_location()
    if port == 0:
        with socket.socket() as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
    # Solara warns on every page load from a host other than "localhost" that it falls
    # back to SameSite=Lax cookies over http: expected here, and not the user's concern.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    # Solara's server parts load with the server only
    from solara.__main__ import run as solara_run

    print(f"coprod dashboard: {where_to_open(host, port)} (Ctrl+C stops it)", flush=True)
    solara_run.main(
        args=[
            APP,
            "--host",
            host,
            "--port",
            str(port),
            "--production",
            "--no-open",
            "--no-check-version",
            "--log-level-uvicorn",
            "warning",
            "--no-access-log",
        ],
        prog_name="coprod dashboard",
        standalone_mode=False,
    )


def run(args: argparse.Namespace) -> int:
    """Serve with parsed ``--host`` / ``--port``; returns the exit status (2: cannot listen)."""
    problem = check_port(args.host, args.port)
    if problem:
        print(f"coprod: error: dashboard: {problem}", file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        serve(args.host, args.port)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m dashboards.server [--host H] [--port P]``: returns the exit status."""
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
