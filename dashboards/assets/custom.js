/* The co-production dashboard: Solara puts this file in the page (dashboards/assets/custom.js).
 *
 * The plots need ECharts (1 MB). Without this, the browser asks for it only once the plots
 * exist, after the server has built the page, and the plots wait for it. Here the browser
 * fetches it as soon as Solara's own scripts have run, and runs it (through requirejs, as
 * the plots do: the same url, so they find it loaded) while it waits for the server.
 * The url is chartwidget.ECHARTS below Solara's cdn url.
 */
(function () {
  var cdn = (window.solara && window.solara.cdn) || "";
  var url = cdn + "/echarts@5.4.0/dist/echarts.min.js";
  var link = document.createElement("link");
  link.rel = "preload";
  link.as = "script";
  link.href = url;
  document.head.appendChild(link);
  // Draw a small line chart and network once, out of sight: the first drawing of each
  // kind costs several times the next (code compiled on first use). Then the page's
  // first plots do not pay for it.
  function warmUp(echarts) {
    var box = document.createElement("div");
    box.style.cssText = "position: fixed; left: -10000px; top: 0; width: 400px; height: 300px";
    document.body.appendChild(box);
    try {
      var chart = echarts.init(box);
      chart.setOption({
        animation: false, tooltip: {trigger: "axis"}, legend: {bottom: 0},
        xAxis: {type: "value", name: "week"}, yAxis: [{type: "value", name: "a"}],
        series: [{type: "line", name: "a", data: [[0, 0], [1, 1]], showSymbol: false,
                  lineStyle: {type: "dashed"}}],
      }, true);
      chart.setOption({
        animation: false, legend: {data: ["a"], bottom: 0},
        series: [{type: "graph", layout: "none", categories: [{name: "a"}],
                  data: [{id: "0", name: "a", x: 0, y: 0, category: 0},
                         {id: "1", name: "b", x: 10, y: 10, category: 0}],
                  links: [{source: "0", target: "1"}]}],
      }, true);
      chart.dispose();
    } finally {
      document.body.removeChild(box);
    }
  }
  window.addEventListener("DOMContentLoaded", function () {
    if (window.requirejs) {
      // errors are left to the plots, which load it again and say so
      window.requirejs([url], function (echarts) {
        setTimeout(function () {
          try { warmUp(echarts); } catch (e) { /* only a head start */ }
        }, 0);
      }, function () {});
    }
  });
})();
