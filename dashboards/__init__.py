"""The co-production dashboard: a Solara app for running the model in a browser.

- ``app``: the page (``Page``): controls generated from the parameter schema, Step /
  Play / Pause / Reset, plots, network, "what happened", compare mode, exports;
- ``server``: ``serve(host, port)`` and ``main(argv)`` behind ``coprod dashboard``; it
  compresses the page's scripts as it starts, and adds ``assets/custom.js`` to the page
  (loads the plots' library while the page connects);
- ``charts``, ``network``, ``story``, ``compare``: the page's content as plain
  functions of a model (testable without a browser);
- ``chartwidget`` (+ ``chart.vue``), ``upload`` (+ ``upload.vue``): the two widgets;
- ``harness``: drive the page in Chromium (tests, benchmark, screenshots);
- ``screenshots``: ``python -m dashboards.screenshots`` writes docs/img/*.png.
"""
