"""An ECharts plot for the page, its option sent as one JSON string.

Solara's ``FigureEcharts`` takes the option as a dict. Reacton then walks every
number in it on every render, looking for nested elements, and the browser loads
the 3 MB unminified ECharts. Sending the option as a string skips the walk (a
week's update costs one ``json.dumps``), and this widget loads the minified
``echarts.min.js`` that solara-assets ships, so the page works offline.
"""

from __future__ import annotations

import json

import ipyvuetify
import traitlets

# The minified ECharts in solara-assets, below Solara's cdn url. assets/custom.js starts
# loading the same file while the page connects (keep the two in step).
ECHARTS = "echarts@5.4.0/dist/echarts.min.js"


class ChartWidget(ipyvuetify.VuetifyTemplate):
    """One ECharts chart; ``option`` is its ECharts option as JSON."""

    template_file = (__file__, "chart.vue")
    option = traitlets.Unicode("{}").tag(sync=True)
    chart_key = traitlets.Unicode("").tag(sync=True)
    css_class = traitlets.Unicode("").tag(sync=True)
    week = traitlets.Int(0).tag(sync=True)
    height = traitlets.Unicode("300px").tag(sync=True)
    echarts = traitlets.Unicode(ECHARTS).tag(sync=True)


def to_json(option: dict) -> str:
    """The option as compact JSON (the chart builders turn non-finite numbers into None)."""
    return json.dumps(option, separators=(",", ":"), allow_nan=False)


def EChart(
    option: str, *, key: str, week: int, height: str = "300px", css_class: str = "coprod-chart"
):
    """The chart element for an option already in JSON (see :func:`to_json`).

    Pass the JSON, not the dict, through components too: reacton compares and
    searches every argument of a component on each render, number by number.
    ``data-chart`` and ``data-week`` on the chart's box say what it shows.
    """
    return ChartWidget.element(
        option=option, chart_key=key, week=week, height=height, css_class=css_class
    )
