"""Under the server: load what the first page needs while the browser loads the page.

The model's code (Mesa, pandas, scipy) takes a second or more to import. The server
starts answering without it; :func:`start` imports it in a thread meanwhile, and a
page opened before it is done builds its first model in a thread too
(:meth:`dashboards.state.Session.build_first`, when :func:`model_pending`).
"""

from __future__ import annotations

import importlib
import inspect
import sys
import threading
from collections.abc import Callable

_thread: threading.Thread | None = None


def model_pending() -> bool:
    """Whether the server's warm-up is still importing ``simulation.model``."""
    module = sys.modules.get("simulation.model")
    module_spec = getattr(module, "__spec__", None)
    loaded = module is not None and not getattr(module_spec, "_initializing", False)
    return _thread is not None and _thread.is_alive() and not loaded


def start(also: Callable[[], object] = lambda: None) -> None:
    """Import the model in a thread, then call ``also`` (more of the first page's work)."""
    global _thread
    _thread = threading.Thread(target=_warm_up, args=(also,), name="coprod-warm-up", daemon=True)
    _thread.start()


def _warm_up(also: Callable[[], object]) -> None:
    # pandas first, and soon after the server starts (long before a browser can connect):
    # a page built while pandas is half imported fails, as reacton looks up
    # pandas.DataFrame on every use_state once pandas is in sys.modules.
    importlib.import_module("pandas")

    _name_import_frames()
    importlib.import_module("simulation.model")

    also()


def _name_import_frames() -> None:
    """Tell ``inspect`` which module the import machinery's frames belong to.

    Why: Mesa names its loggers from ``inspect.stack()`` while it is imported
    (``mesa.mesa_logging.create_module_logger``). For each frame of the import
    machinery (file ``<frozen importlib._bootstrap>``), ``inspect.getmodule`` then
    scans every loaded module, some 1,500 under the server, and finds nothing.
    Measured on this project: 135 such calls cost 0.15-0.2 s of the model's import
    (0.05 s with this), time the first page waits for. The entries say what the scan
    would find if it could; nothing else reads them.
    """
    by_file = getattr(inspect, "modulesbyfile", None)
    if isinstance(by_file, dict):
        for name in ("importlib._bootstrap", "importlib._bootstrap_external"):
            by_file.setdefault(f"<frozen {name}>", name)
