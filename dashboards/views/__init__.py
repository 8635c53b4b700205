"""The page's views: Solara components, one module per part of the page.

- ``common``: Markdown, a line of text, a file made on click, a problem shown in place;
- ``player``: the Step / Play / Pause / Reset / Run to the end row (for any
  :class:`dashboards.state.Runner`) and the thread that plays;
- ``controls``: the sidebar: scenario (presets, upload, seed) and one control per parameter;
- ``plots``: "The run": the weekly charts and the network, each with its PNG download;
- ``story``: "What happened"; ``compare``: "Compare two scenarios"; ``export``: "Save
  and export".

The state they show and change is :mod:`dashboards.state` (plain Python); the page
that puts them together is :mod:`dashboards.app`.
"""
