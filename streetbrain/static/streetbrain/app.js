// StreetBrain page behaviour. No inline scripts anywhere (the content security policy forbids
// them): pages pass data through <script type="application/json"> elements.
document.addEventListener("htmx:responseError", function (evt) {
  var box = document.createElement("div");
  box.className = "msg msg-error";
  box.setAttribute("role", "alert");
  box.textContent = (document.documentElement.lang || "").indexOf("zh") === 0
    ? "请求失败（" + evt.detail.xhr.status + "），请稍后重试。"
    : "Request failed (" + evt.detail.xhr.status + "). Please try again.";
  var main = document.querySelector("main.content");
  if (main) main.prepend(box);
});

// Sortable tables (class "sortable"): a click or Enter on a header sorts by that column,
// numbers by their data-value (empty last), text in the page language's order.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var collator = new Intl.Collator(document.documentElement.lang || undefined);
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, column) {
      th.tabIndex = 0;
      th.classList.add("sorter");
      var sort = function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        if (rows.length < 2) return;
        var descending = th.getAttribute("aria-sort") !== "descending";
        var numeric = th.dataset.sort === "number";
        var key = function (row) {
          var cell = row.cells[column];
          if (!cell) return null;
          if (!numeric) return cell.textContent.trim();
          var raw = cell.dataset.value;
          return raw === undefined || raw === "" ? null : parseFloat(raw);
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          if (x === null && y === null) return 0;
          if (x === null) return 1;
          if (y === null) return -1;
          var order = numeric ? x - y : collator.compare(x, y);
          return descending ? -order : order;
        });
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        rows.forEach(function (row) { body.appendChild(row); });
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
      });
    });
  });
});
