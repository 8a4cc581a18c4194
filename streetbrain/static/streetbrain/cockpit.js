// 驾驶舱: ECharts charts from the page's JSON (strict CSP: no inline scripts); a click on a bar
// or a slice opens the list behind it. The clock ticks; the feed polls through HTMX.
(function () {
  "use strict";
  var dataEl = document.getElementById("cockpit-data");
  if (!dataEl || !window.echarts) return;
  var data = JSON.parse(dataEl.textContent);
  var L = document.getElementById("cockpit-labels").dataset;
  var wall = document.body.classList.contains("wall");
  var text = wall ? "#e6eef8" : "#1f2d3d";
  var grid = { left: 8, right: 8, top: 28, bottom: 4, containLabel: true };
  var charts = [];

  function chart(id, option, rows) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el, null, { renderer: "svg" });
    option.textStyle = { color: text };
    option.animation = false;
    c.setOption(option);
    if (rows) {
      c.on("click", function (p) {
        var row = rows[p.dataIndex];
        if (row && row.url) window.location.href = row.url;
      });
    }
    charts.push(c);
  }

  var axis = { axisLabel: { color: text }, axisLine: { lineStyle: { color: wall ? "#4b6584" : "#aab4c0" } } };

  if (data.byCommunity && data.byCommunity.length) {
    var rows = data.byCommunity;
    chart("chart-community", {
      tooltip: { trigger: "axis" },
      legend: { textStyle: { color: text } },
      grid: grid,
      xAxis: Object.assign({ type: "category", data: rows.map(function (r) { return r.name.replace("社区", ""); }), axisLabel: { color: text, interval: 0, rotate: 40 } }, {}),
      yAxis: Object.assign({ type: "value" }, axis),
      series: [
        { name: L.registered, type: "bar", data: rows.map(function (r) { return r.registered; }), itemStyle: { color: "#4f9bd8" } },
        { name: L.closed, type: "bar", data: rows.map(function (r) { return r.closed; }), itemStyle: { color: "#2e9d55" } },
      ],
    }, rows);
  }

  if (data.byClass && data.byClass.length) {
    var classes = data.byClass.slice(0, 10);
    chart("chart-class", {
      tooltip: { trigger: "item" },
      series: [{
        type: "pie", radius: ["35%", "70%"], label: { color: text, formatter: "{b} {c}" },
        data: classes.map(function (r) { return { name: r.name, value: r.value }; }),
      }],
    }, classes);
  }

  if (data.people && data.people.length) {
    var people = data.people;
    chart("chart-people", {
      tooltip: { trigger: "axis" },
      legend: { textStyle: { color: text } },
      grid: grid,
      xAxis: { type: "category", data: people.map(function (r) { return r.name.replace("社区", ""); }), axisLabel: { color: text, interval: 0, rotate: 40 } },
      yAxis: Object.assign({ type: "value" }, axis),
      series: [
        { name: L.residents, type: "bar", data: people.map(function (r) { return r.residents; }), itemStyle: { color: "#7a5bb5" } },
        { name: L.households, type: "bar", data: people.map(function (r) { return r.households; }), itemStyle: { color: "#c27c2c" } },
      ],
    }, people);
  }

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
