""" "What happened": the plain-language account of the run so far (:mod:`dashboards.story`)."""

from __future__ import annotations

import solara

from .. import story
from ..state import Session
from .common import Md, attempt


@solara.component
def StoryView(session: Session):
    model, tick = session.watch()
    text, problem = solara.use_memo(
        lambda: attempt("The account", story.markdown, model), [model, tick]
    )
    with solara.Div(classes=["coprod-story"]):
        if problem:
            solara.Error(problem)
        else:
            Md(text)
