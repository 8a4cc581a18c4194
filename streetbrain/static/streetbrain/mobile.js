// The grid worker's phone page: once the phone's position is known (report.js announces it),
// each task card shows how far away it is and each list is sorted nearest first.
(function () {
  "use strict";

  var stringsEl = document.getElementById("report-strings");
  var T = stringsEl ? JSON.parse(stringsEl.textContent) : {};

  function distanceM(lon1, lat1, lon2, lat2) {
    var rad = Math.PI / 180, p1 = lat1 * rad, p2 = lat2 * rad;
    var dp = p2 - p1, dl = (lon2 - lon1) * rad;
    var a = Math.sin(dp / 2) * Math.sin(dp / 2) +
      Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  function label(metres) {
    if (metres < 1000) return (T.metres || "%(m)s m").replace("%(m)s", String(Math.round(metres)));
    return (T.kilometres || "%(km)s km").replace("%(km)s", (metres / 1000).toFixed(1));
  }

  function update(lon, lat) {
    var lists = document.querySelectorAll(".task-list");
    Array.prototype.forEach.call(lists, function (list) {
      var cards = Array.prototype.slice.call(list.querySelectorAll(".task-card"));
      cards.forEach(function (card) {
        var clon = parseFloat(card.dataset.lon), clat = parseFloat(card.dataset.lat);
        var out = card.querySelector(".distance");
        if (isNaN(clon) || isNaN(clat)) {
          card.dataset.distance = "Infinity";
          return;
        }
        var d = distanceM(lon, lat, clon, clat);
        card.dataset.distance = String(d);
        if (out) out.textContent = label(d);
      });
      cards.sort(function (a, b) {
        return parseFloat(a.dataset.distance) - parseFloat(b.dataset.distance);
      });
      cards.forEach(function (card) { list.appendChild(card); });
    });
  }

  // Only the phone's own position counts: a point tapped for a report is not where they are.
  function heard(pos) {
    if (pos && pos.source === "gps") update(pos.lon, pos.lat);
  }
  document.addEventListener("streetbrain:position", function (e) { heard(e.detail); });
  // The phone may have answered while this script was still loading.
  heard(window.streetbrainPosition);
})();
