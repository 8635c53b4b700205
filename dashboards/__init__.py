"""The co-production dashboard: a Solara app for running the model in a browser.

- ``app``: the page (``Page``) the server loads: the session's reactive values, the
  layout, the styles (``assets/app.css``), and the warm-up when under the server;
- ``state``: what the buttons and controls do, in plain Python (no Solara): a
  session's run and settings (``Session``), the compare tab's two runs
  (``ComparePair``), and the check of an uploaded scenario file;
- ``views``: one module per part of the page (``controls``: the sidebar; ``player``:
  Step / Play / Pause / Reset; ``plots``, ``story``, ``compare``, ``export``: the
  four tabs; ``common``: pieces they share);
- ``warmup``: under the server, imports the model while the browser loads the page;
- ``server``: ``serve(host, port)`` and ``main(argv)`` behind ``coprod dashboard``; it
  compresses the page's scripts as it starts, and adds ``assets/custom.js`` to the page
  (loads the plots' library while the page connects);
- ``charts``: the weekly charts, defined once (for the page, its PNG downloads and
  ``coprod run --out``'s weekly.png; no Solara); ``network``, ``story``, ``compare``:
  the page's other content as plain functions of a model (testable without a browser);
- ``chartwidget`` (+ ``chart.vue``), ``upload`` (+ ``upload.vue``): the two widgets;
- ``harness``: drive the page in Chromium (tests, benchmark, screenshots);
- ``screenshots``: ``python -m dashboards.screenshots`` writes docs/img/*.png.
"""
