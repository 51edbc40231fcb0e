// Draws every [data-chart] element of the page with ECharts (loaded before this file). The element's
// JSON says its kind; "stacked-months": a bar per month stacked by form (core.charts.stacked_months).
(function () {
  "use strict";
  var kinds = {
    "stacked-months": function (data) {
      return {tooltip: {trigger: "axis"}, legend: {bottom: 0, type: "scroll"}, grid: {left: 36, right: 8, top: 12, bottom: 48},
        xAxis: {type: "category", data: data.months}, yAxis: {type: "value"}, series: data.series};
    }
  };
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var data = JSON.parse(el.dataset.chart);
    var option = kinds[data.kind];
    if (!option) { return; }
    var chart = echarts.init(el);
    chart.setOption(option(data));
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
