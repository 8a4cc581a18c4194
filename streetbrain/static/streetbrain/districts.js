// The business districts' dashboard: ECharts charts from the page's JSON (<script
// type="application/json">: the CSP forbids inline scripts) and the pickers that submit.
(function () {
  "use strict";

  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  if (!window.echarts) return;

  var lang = document.documentElement.lang || "zh-hans";
  var locale = lang.indexOf("zh") === 0 ? "zh-CN" : "en";
  var fmt = function (v) { return Number(v).toLocaleString(locale, { maximumFractionDigits: 1 }); };
  var BLUE = "#1f5fae", GREY = "#9aa5b1", GREEN = "#2e8b57";
  var bars = function (items, color) {
    return {
      grid: { left: 8, right: 16, top: 12, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", formatter: function (p) { return p[0].name + ": " + fmt(p[0].value); } },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: items.map(function (i) { return i.name; }) },
      series: [{ type: "bar", data: items.map(function (i) { return i.value; }), itemStyle: { color: color }, barMaxWidth: 18 }]
    };
  };
  var builders = {
    monthly: function (el, d) {
      return {
        grid: { left: 8, right: 8, top: 34, bottom: 24, containLabel: true },
        legend: { top: 0 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: d.months },
        yAxis: { type: "value", axisLabel: { formatter: function (v) { return fmt(v); } } },
        series: [
          { name: el.dataset.labelNow, type: "bar", data: d.monthly, itemStyle: { color: BLUE }, barMaxWidth: 16 },
          { name: el.dataset.labelBefore, type: "line", data: d.monthly_before, itemStyle: { color: GREY } }
        ]
      };
    },
    categories: function (el, d) {
      return {
        tooltip: { trigger: "item", formatter: function (p) { return p.name + ": " + fmt(p.value) + " (" + p.percent + "%)"; } },
        series: [{ type: "pie", radius: ["35%", "65%"], data: d.categories }]
      };
    },
    complexes: function (el, d) { return bars(d.complexes, BLUE); },
    levels: function (el, d) { return bars(d.levels, GREEN); }
  };
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.source);
    var data = source ? JSON.parse(source.textContent) : null;
    var build = builders[el.dataset.chart];
    if (!build || !data) return;
    var key = el.dataset.chart === "monthly" ? "monthly" : el.dataset.chart;
    var series = data[key];
    if (!series || !series.length || (key === "monthly" && !series.some(function (v) { return v; }) &&
        !data.monthly_before.some(function (v) { return v; }))) {
      el.classList.add("dis-chart-empty");
      el.textContent = "—";
      return;
    }
    var chart = echarts.init(el);
    chart.setOption(build(el, data));
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
