// The building brain's pages: ECharts charts (data from <script type="application/json">
// elements: the CSP forbids inline scripts), sortable tables, the stacking plan's colour
// toggle and unit details, the month picker, and the warning's step forms.
(function () {
  "use strict";

  var lang = document.documentElement.lang || "zh-hans";
  var locale = lang.indexOf("zh") === 0 ? "zh-CN" : "en";
  var fmt = function (v, digits) {
    if (v === null || v === undefined || isNaN(v)) return "—";
    return Number(v).toLocaleString(locale, { maximumFractionDigits: digits === undefined ? 1 : digits });
  };

  // -- month picker: a change shows that month --
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // -- stacking plan: colour by status or by the tenant's industry; a click shows the unit --
  var stack = document.getElementById("stack");
  if (stack) {
    document.querySelectorAll("[data-colour]").forEach(function (button) {
      button.addEventListener("click", function () {
        var mode = button.dataset.colour;
        stack.dataset.mode = mode;
        document.querySelectorAll("[data-colour]").forEach(function (b) {
          var on = b === button;
          b.classList.toggle("active", on);
          b.setAttribute("aria-pressed", on ? "true" : "false");
        });
        document.querySelectorAll("[data-legend]").forEach(function (legend) {
          legend.hidden = legend.dataset.legend !== mode;
        });
      });
    });
    var detail = document.getElementById("unit-detail");
    var show = function (cell) {
      if (!detail) return;
      stack.querySelectorAll(".stack-cell.selected").forEach(function (c) { c.classList.remove("selected"); });
      cell.classList.add("selected");
      detail.hidden = false;
      detail.querySelectorAll("[data-field]").forEach(function (dd) {
        var name = dd.dataset.field;
        var value = cell.getAttribute("data-" + name) || "—";
        dd.textContent = "";
        if (name === "tenant" && cell.dataset.tenantUrl) {
          var a = document.createElement("a");
          a.href = cell.dataset.tenantUrl;
          a.textContent = value;
          dd.appendChild(a);
        } else {
          dd.textContent = value;
        }
      });
      // the chosen unit's edit and sign links (shown to those who may)
      detail.querySelectorAll("[data-unit-href]").forEach(function (a) {
        a.href = a.dataset.unitHref.replace("{pk}", cell.id.slice("unit-".length));
        if (a.dataset.unitLink === "sign") a.hidden = cell.classList.contains("st-occupied");
      });
    };
    stack.addEventListener("click", function (e) {
      var cell = e.target.closest(".stack-cell");
      if (cell) show(cell);
    });
    if (location.hash && location.hash.indexOf("#unit-") === 0) {
      var target = document.getElementById(location.hash.slice(1));
      if (target && target.classList.contains("stack-cell")) show(target);
    }
  }

  // -- the warning's step forms: "Cancel" empties the panel instead of reloading --
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest ? evt.target.closest("[data-dismiss]") : null;
    if (!link) return;
    var panel = document.getElementById(link.dataset.dismiss);
    if (panel) { evt.preventDefault(); panel.innerHTML = ""; }
  });
  document.body.addEventListener("htmx:afterSwap", function (evt) {
    if (!evt.detail.target || evt.detail.target.id !== "action-panel") return;
    var first = evt.detail.target.querySelector("textarea, select, input:not([type=hidden])");
    evt.detail.target.scrollIntoView({ block: "nearest" });
    if (first) first.focus();
  });

  if (!window.echarts) return;
  var read = function (el) {
    var source = el && document.getElementById(el.dataset.source);
    return source ? JSON.parse(source.textContent) : null;
  };
  var charts = [];
  var BLUE = "#1f5fae", GREEN = "#2e8b57", AMBER = "#d08a1e", GREY = "#9aa5b1";
  var axisTooltip = function (units) {
    return {
      trigger: "axis",
      formatter: function (items) {
        var lines = [items[0].axisValueLabel];
        items.forEach(function (p) {
          lines.push(p.marker + p.seriesName + ": " + fmt(p.value, 1) + (units[p.seriesIndex] || ""));
        });
        return lines.join("<br>");
      }
    };
  };
  var builders = {
    "space-trend": function (el, d) {
      return {
        grid: { left: 8, right: 8, top: 34, bottom: 24, containLabel: true },
        legend: { top: 0 },
        tooltip: axisTooltip(["%", " m²", " m²"]),
        xAxis: { type: "category", data: d.months },
        yAxis: [
          { type: "value", name: "m²", axisLabel: { formatter: function (v) { return fmt(v, 0); } } },
          { type: "value", name: "%", min: 0, max: 100, splitLine: { show: false } }
        ],
        series: [
          { name: el.dataset.labelOccupancy, type: "line", yAxisIndex: 1, data: d.occupancy, itemStyle: { color: BLUE }, connectNulls: false },
          { name: el.dataset.labelLeased, type: "bar", data: d.leased_new, itemStyle: { color: GREEN }, barMaxWidth: 14 },
          { name: el.dataset.labelNet, type: "line", data: d.net_absorption, itemStyle: { color: AMBER }, lineStyle: { type: "dashed" } }
        ]
      };
    },
    "tax-trend": function (el, d) {
      return {
        grid: { left: 8, right: 8, top: 34, bottom: 24, containLabel: true },
        legend: { top: 0 },
        tooltip: axisTooltip(["", "", "%"]),
        xAxis: { type: "category", data: d.months },
        yAxis: [
          { type: "value", axisLabel: { formatter: function (v) { return fmt(v, 0); } } },
          // early months compare with a thin first year: keep the axis readable
          { type: "value", name: "%", splitLine: { show: false },
            min: function (v) { return Math.max(Math.floor(v.min / 10) * 10, -100); },
            max: function (v) { return Math.min(Math.ceil(v.max / 10) * 10, 100); } }
        ],
        series: [
          { name: el.dataset.labelTax, type: "bar", data: d.tax, itemStyle: { color: BLUE }, barMaxWidth: 14 },
          { name: el.dataset.labelLocal, type: "bar", data: d.tax_local, itemStyle: { color: GREEN }, barMaxWidth: 14 },
          { name: el.dataset.labelYoy, type: "line", yAxisIndex: 1, data: d.tax_yoy, itemStyle: { color: AMBER } }
        ]
      };
    },
    "ranking": function (el, d) {
      var rows = d.slice().reverse();  // ECharts draws the first category at the bottom
      el.style.height = Math.max(200, 24 * rows.length + 50) + "px";
      return {
        grid: { left: 8, right: 60, top: 10, bottom: 20, containLabel: true },
        tooltip: { trigger: "item", formatter: function (p) { return p.name + "<br>" + el.dataset.label + ": " + fmt(p.value, 1); } },
        xAxis: { type: "value", axisLabel: { formatter: function (v) { return fmt(v, 0); } } },
        yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { width: 140, overflow: "truncate" } },
        series: [{ type: "bar", data: rows.map(function (r) { return r.value; }), barMaxWidth: 16, itemStyle: { color: BLUE },
                   label: { show: true, position: "right", formatter: function (p) { return fmt(p.value, 0); } } }]
      };
    },
    "industry-pie": function (el, d) {
      return {
        tooltip: { trigger: "item", formatter: function (p) { return p.name + "<br>" + el.dataset.label + ": " + fmt(p.value, 1) + " (" + p.percent + "%)"; } },
        // the table beside the chart is its legend; small slices go unlabelled
        series: [{ type: "pie", radius: ["35%", "68%"], center: ["50%", "52%"], data: d,
                   minShowLabelAngle: 10, avoidLabelOverlap: true,
                   label: { formatter: function (p) {
                     var parts = p.name.split(" "), name = parts.slice(1).join(" ");
                     return parts[0] + " " + (name.length > 6 ? name.slice(0, 6) + "…" : name) + "\n" + p.percent + "%";
                   } } }]
      };
    },
    "tax-history": function (el, d) {
      return {
        grid: { left: 8, right: 8, top: 34, bottom: 24, containLabel: true },
        legend: { top: 0 },
        tooltip: axisTooltip(["", ""]),
        xAxis: { type: "category", data: d.months },
        yAxis: { type: "value", axisLabel: { formatter: function (v) { return fmt(v, 0); } } },
        series: [
          { name: el.dataset.labelTotal, type: "bar", data: d.total, itemStyle: { color: BLUE }, barMaxWidth: 14 },
          { name: el.dataset.labelLocal, type: "line", data: d.local, itemStyle: { color: GREEN } }
        ]
      };
    },
    "headcount": function (el, d) {
      return {
        grid: { left: 8, right: 8, top: 34, bottom: 24, containLabel: true },
        legend: { top: 0 },
        tooltip: axisTooltip(["", ""]),
        xAxis: { type: "category", data: d.months },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: el.dataset.labelHeadcount, type: "line", data: d.headcount, itemStyle: { color: BLUE }, areaStyle: { opacity: 0.08 } },
          { name: el.dataset.labelInsured, type: "line", data: d.insured, itemStyle: { color: GREY }, connectNulls: false }
        ]
      };
    }
  };
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var build = builders[el.dataset.chart];
    var data = read(el);
    if (!build || !data) return;
    if ((Array.isArray(data) && !data.length) || (data.months && !data.months.length)) {
      el.classList.add("eco-chart-empty");
      el.textContent = "—";
      return;
    }
    var option = build(el, data);
    var chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
