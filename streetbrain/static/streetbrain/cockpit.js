// 驾驶舱: ECharts charts from the page's JSON (strict CSP: no inline scripts). Each panel gives
// its charts as specs keyed by the id of the element to draw in: "bars" (categories, series
// with name, values and colour) or "pie" (items with name and value); a click on a bar or a
// slice opens the list behind it (urls). The clock ticks; polling panels refresh through HTMX.
(function () {
  "use strict";
  var dataEl = document.getElementById("cockpit-data");
  if (!dataEl || !window.echarts) return;
  var specs = JSON.parse(dataEl.textContent);
  var wall = document.body.classList.contains("wall");
  var text = wall ? "#e6eef8" : "#1f2d3d";
  var grid = { left: 8, right: 8, top: 28, bottom: 4, containLabel: true };
  var axis = { axisLabel: { color: text }, axisLine: { lineStyle: { color: wall ? "#4b6584" : "#aab4c0" } } };
  var charts = [];

  function bars(spec) {
    return {
      tooltip: { trigger: "axis" },
      legend: { textStyle: { color: text } },
      grid: grid,
      xAxis: { type: "category", data: spec.categories, axisLabel: { color: text, interval: 0, rotate: 40 } },
      yAxis: Object.assign({ type: "value" }, axis),
      series: spec.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.values, itemStyle: s.color ? { color: s.color } : undefined };
      }),
    };
  }

  function pie(spec) {
    return {
      tooltip: { trigger: "item" },
      series: [{
        type: "pie", radius: ["35%", "70%"], label: { color: text, formatter: "{b} {c}" },
        data: spec.items.map(function (r) { return { name: r.name, value: r.value }; }),
      }],
    };
  }

  var builders = { bars: bars, pie: pie };

  Object.keys(specs).forEach(function (id) {
    var spec = specs[id];
    var el = document.getElementById(id);
    var build = builders[spec.type];
    if (!el || !build) return;
    if ((spec.type === "bars" && !spec.categories.length) || (spec.type === "pie" && !spec.items.length)) return;
    var c = echarts.init(el, null, { renderer: "svg" });
    var option = build(spec);
    option.textStyle = { color: text };
    option.animation = false;
    c.setOption(option);
    var urls = spec.urls || (spec.items || []).map(function (r) { return r.url; });
    c.on("click", function (p) {
      var url = urls[p.dataIndex];
      if (url) window.location.href = url;
    });
    charts.push(c);
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  var clock = document.getElementById("cockpit-clock");
  if (clock) {
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    setInterval(function () {
      var d = new Date();
      clock.textContent = d.getFullYear() + "年" + (d.getMonth() + 1) + "月" + d.getDate() + "日 " + pad(d.getHours()) + ":" + pad(d.getMinutes());
    }, 30000);
  }
})();
