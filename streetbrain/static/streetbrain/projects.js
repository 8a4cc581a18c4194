// The key projects' charts: the hard cases' burndown against the plan and each street
// indicator's year-to-date line against its (raised) target. Data from <script
// type="application/json"> elements (the CSP forbids inline scripts).
(function () {
  "use strict";
  if (!window.echarts) return;
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var burndown = data("burndown-data");
  var el = document.getElementById("burndown-chart");
  if (burndown && el) {
    echarts.init(el).setOption({
      tooltip: { trigger: "axis" },
      legend: {},
      xAxis: { type: "category", data: burndown.months },
      yAxis: { type: "value", name: "m²" },
      series: [
        { name: el.dataset.standing || "m²", type: "bar", data: burndown.standing, itemStyle: { color: "#c0392b" } },
        { name: el.dataset.plan || "plan", type: "line", data: burndown.plan, lineStyle: { type: "dashed" } }
      ]
    });
  }
  var charts = data("indicator-charts") || {};
  Object.keys(charts).forEach(function (id) {
    var node = document.getElementById(id), c = charts[id];
    if (!node || !c.months.length) return;
    var series = [{ type: "line", data: c.values, name: "" }];
    if (c.target !== null && c.target !== undefined) {
      series[0].markLine = { data: [{ yAxis: c.target }], symbol: "none" };
    }
    echarts.init(node).setOption({ tooltip: { trigger: "axis" }, xAxis: { type: "category", data: c.months }, yAxis: { type: "value" }, series: series });
  });
})();
