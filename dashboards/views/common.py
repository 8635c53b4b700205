"""Small pieces every view uses: Markdown, a line of text, a download made on click."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable

import solara
from solara.components.file_download import FileDownloadWidget

logger = logging.getLogger("coprod.dashboard")


@functools.lru_cache(maxsize=64)
def markdown_html(text: str) -> str:
    """``text`` (Markdown with tables) as HTML; the same text is converted once.

    The extension is passed as an object: by name, Markdown looks it up among every
    installed package's entry points, tens of milliseconds on each call. (Imported here:
    the server loads this module before it answers, and Markdown is not needed before.)
    """
    # see the docstring: not needed before the first page
    import markdown
    from markdown.extensions.tables import TableExtension

    return markdown.markdown(text, extensions=[TableExtension()])


def Md(text: str, classes: list[str] | None = None):
    """Markdown rendered here, to HTML.

    ``solara.Markdown`` loads KaTeX from the CDN for maths, which solara-assets does
    not ship: offline that is a failed request and a console error on every page.
    Only text the dashboard writes goes in (user-given names are escaped first).
    """
    return solara.HTML(
        "div", unsafe_innerHTML=markdown_html(text), classes=["coprod-md"] + (classes or [])
    )


def TextLine(text: str, classes: list[str] | None = None, style: dict | None = None):
    """A line of text as a block (``solara.Text`` is inline)."""
    return solara.Div(children=[text], classes=classes or [], style=style)


def attempt(what: str, build: Callable, *args):
    """``(build(*args), None)``, or ``(None, message)`` when it fails.

    One plot or panel that cannot be drawn (say, after a change to the model) shows
    its problem in place; the rest of the page keeps working.
    """
    try:
        return build(*args), None
    except Exception as err:  # shown on the page, logged with its traceback
        logger.exception("dashboard: %s failed", what)
        return None, f"{what} could not be drawn: {type(err).__name__}: {err}"


@solara.component
def Download(
    make: Callable[[], bytes | str],
    filename: str,
    mime_type: str,
    children: list,
    on_error: Callable[[str], None] | None = None,
):
    """A file made by ``make()`` when its button is clicked, then saved by the browser.

    ``solara.FileDownload`` does this too, but starts a thread for each of its buttons as
    the page is built (and renders it again as the thread starts and ends): seven times
    on the first page, for the plots' PNG buttons. Here the thread starts on the click.
    ``on_error(message)`` is told when ``make`` fails.
    """
    requested, set_requested = solara.use_state(False)
    content, set_content = solara.use_state(None)

    def on_request(value: bool) -> None:
        if not value:  # saved by the browser: forget it, ready for the next click
            set_requested(False)
            set_content(None)
            return
        set_requested(True)

        def run() -> None:
            try:
                set_content(make())
            except Exception as err:
                logger.exception("dashboard: %s could not be made", filename)
                set_requested(False)
                if on_error is not None:
                    on_error(f"{filename} could not be made: {type(err).__name__}: {err}")

        threading.Thread(target=run, name="coprod-download", daemon=True).start()

    return FileDownloadWidget.element(
        filename=filename,
        bytes=content,
        mime_type=mime_type,
        request_download=requested,
        on_request_download=on_request,
        children=children,
    )


def DownloadButton(label: str, css_class: str, **style):
    """The button inside a download: an icon, ``label``, and a class the tests find it by."""
    return solara.Button(label, icon_name="mdi-download", classes=[css_class], **style)
