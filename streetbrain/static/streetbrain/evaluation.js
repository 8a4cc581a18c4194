// The evaluation page: the period picker shows the fields of the chosen kind (tables sort by
// a click on a header: app.js), and two ECharts charts draw the composite score and the closing
// rates by month. Data comes from <script type="application/json"> elements (strict CSP).
(function () {
  "use strict";

  // -- period picker: only the inputs of the chosen kind are shown and sent --
  var kind = document.getElementById("eval-kind");
  if (kind) {
    var sync = function () {
      document.querySelectorAll("#eval-period [data-kind]").forEach(function (label) {
        var on = label.dataset.kind === kind.value;
        label.hidden = !on;
        label.querySelectorAll("input, select").forEach(function (input) { input.disabled = !on; });
      });
    };
    kind.addEventListener("change", sync);
    sync();
  }

  if (!window.echarts) return;
  var read = function (el) {
    var source = el && document.getElementById(el.dataset.source);
    return source ? JSON.parse(source.textContent) : null;
  };
  var charts = [];

  // -- composite score: horizontal bars, best on top; one coloured series per table (the
  // roles), long tables shortened to their best and worst ten with a gap marked "…" --
  var scoreEl = document.getElementById("eval-score-chart");
  var tables = read(scoreEl);
  if (scoreEl && tables) {
    var names = [], series = [];
    var colours = ["#1f5fae", "#2e9d5b", "#d08a1e", "#8e44ad"];
    tables.forEach(function (t, k) {
      var data = [];
      t.names.forEach(function (name, i) {
        if (t.gap_after !== null && i === t.gap_after) {
          names.push("…" + "\u200b".repeat(k + 1));  // one distinct gap category per table
          data.push({ index: names.length - 1, value: null });
        }
        names.push(name + "\u200b".repeat(k));  // the same name in two roles stays two bars
        data.push({ index: names.length - 1, value: t.scores[i] });
      });
      series.push({ title: t.title, data: data, colour: colours[k % colours.length] });
    });
    var count = names.length;
    // ECharts draws the first category at the bottom: reverse to put the best on top.
    var flip = function (i) { return count - 1 - i; };
    names.reverse();
    scoreEl.style.height = Math.max(160, 22 * count + 60) + "px";
    var scoreChart = echarts.init(scoreEl);
    scoreChart.setOption({
      grid: { left: 8, right: 48, top: tables.length > 1 ? 30 : 10, bottom: 24, containLabel: true },
      legend: { show: tables.length > 1, top: 0, type: "scroll" },
      tooltip: { trigger: "item", formatter: function (p) { return p.name + "<br>" + p.seriesName + ": " + p.value.toFixed(2); } },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", data: names, axisLabel: { width: 150, overflow: "truncate" } },
      series: series.map(function (s) {
        var data = new Array(count).fill(null);
        s.data.forEach(function (d) { data[flip(d.index)] = d.value; });
        return {
          name: s.title, type: "bar", stack: "score", data: data, barMaxWidth: 16,
          itemStyle: { color: s.colour },
          label: { show: true, position: "right", formatter: function (p) { return p.value.toFixed(2); } }
        };
      })
    });
    charts.push(scoreChart);
    if (!count) { scoreChart.dispose(); scoreEl.style.height = "auto"; scoreEl.textContent = "—"; }
  }

  // -- trend: 结案率 and 按期结案率 by month --
  var trendEl = document.getElementById("eval-trend-chart");
  var trend = read(trendEl);
  if (trendEl && trend) {
    var pct = function (v) { return v === null ? null : Math.round(v * 1000) / 10; };
    var trendChart = echarts.init(trendEl);
    trendChart.setOption({
      grid: { left: 8, right: 16, top: 34, bottom: 24, containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } },
      legend: { top: 0 },
      xAxis: { type: "category", data: trend.map(function (m) { return m.month; }) },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { name: trendEl.dataset.labelClosing, type: "line", connectNulls: false,
          data: trend.map(function (m) { return pct(m.closing_rate); }), itemStyle: { color: "#1f5fae" } },
        { name: trendEl.dataset.labelOnTime, type: "line", connectNulls: false,
          data: trend.map(function (m) { return pct(m.closed_on_time_rate); }), itemStyle: { color: "#2e9d5b" } }
      ]
    });
    charts.push(trendChart);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
