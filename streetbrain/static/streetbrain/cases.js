// The case pages: the case's map, picking a point on a map into a form, closing the action
// form. No inline scripts (CSP): data comes from <script type="application/json"> elements.
(function () {
  "use strict";

  function readJSON(id) {
    var el = id && document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function setupMap(el) {
    if (!window.L) return;
    var data = readJSON(el.dataset.geojsonId) || { type: "FeatureCollection", features: [] };
    // No tile server: vector layers on a plain background.
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
    var layer = L.geoJSON(data, {
      style: function (f) {
        if (f.properties.role === "case") {
          return { radius: 8, color: "#c0392b", weight: 2, fillColor: "#e74c3c", fillOpacity: 0.85 };
        }
        return f.properties.role === "grid"
          ? { color: "#5b84b8", weight: 1, fillColor: "#9cc0ea", fillOpacity: 0.15 }
          : { color: "#1f5fae", weight: 2, fillColor: "#9cc0ea", fillOpacity: 0.2 };
      },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, {
          radius: 8, color: "#c0392b", weight: 2, fillColor: "#e74c3c", fillOpacity: 0.8
        });
      },
      onEachFeature: function (f, lyr) {
        if (f.properties.name) lyr.bindTooltip(f.properties.name, { sticky: true });
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    var point = data.features.filter(function (f) { return f.geometry.type === "Point"; })[0];
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [12, 12], maxZoom: 17 });
    } else {
      map.setView([29.87, 121.62], 13);
    }
    if (point && data.features.length === 1) map.setZoom(16);

    var formId = el.dataset.pick;
    var form = formId && document.getElementById(formId);
    if (!form) return;
    var lon = form.querySelector("[name=lon]");
    var lat = form.querySelector("[name=lat]");
    if (!lon || !lat) return;
    var marker = null;
    function place(latlng, pan) {
      if (pan && !map.getBounds().contains(latlng)) map.panTo(latlng);
      if (marker) marker.setLatLng(latlng);
      else marker = L.circleMarker(latlng, {
        radius: 9, color: "#17467f", weight: 3, fillColor: "#ffd54f", fillOpacity: 0.9
      }).addTo(map);
    }
    if (lon.value && lat.value && !isNaN(parseFloat(lon.value))) {
      place([parseFloat(lat.value), parseFloat(lon.value)], true);
    }
    map.on("click", function (evt) {
      lon.value = evt.latlng.lng.toFixed(6);
      lat.value = evt.latlng.lat.toFixed(6);
      place(evt.latlng, false);
      lon.dispatchEvent(new Event("change", { bubbles: true }));
    });
    function typed() {
      var x = parseFloat(lon.value), y = parseFloat(lat.value);
      if (!isNaN(x) && !isNaN(y)) place([y, x], true);
    }
    lon.addEventListener("change", typed);
    lat.addEventListener("change", typed);
  }

  function init() {
    ["case-map", "pick-map"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) setupMap(el);
    });
  }

  // "Cancel" in an action form loaded by HTMX closes the form instead of reloading the page.
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest ? evt.target.closest("[data-dismiss]") : null;
    if (!link) return;
    var panel = document.getElementById(link.dataset.dismiss);
    if (!panel || !panel.contains(link)) return;
    if (!document.getElementById("case-actions")) return; // a page of its own: follow the link
    evt.preventDefault();
    panel.innerHTML = "";
  });

  // A loaded action form scrolls into view and focuses its first input.
  document.addEventListener("htmx:afterSwap", function (evt) {
    if (!evt.detail.target || evt.detail.target.id !== "action-panel") return;
    var first = evt.detail.target.querySelector("textarea, select, input:not([type=hidden])");
    evt.detail.target.scrollIntoView({ block: "nearest" });
    if (first) first.focus();
  });

  // The intake form is sent once per key; a form the browser shows again after it was sent
  // (going back) gets a new key, so that a second call is not taken for the first one.
  var SENT = "streetbrain.cases.sent";
  function sentKeys() {
    try { return JSON.parse(window.sessionStorage.getItem(SENT) || "[]"); } catch (e) { return []; }
  }
  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function freshKey() {
    var form = document.getElementById("intake-form");
    var key = form && form.querySelector("input[name=submission]");
    if (!key || !key.value || !window.crypto) return;
    if (sentKeys().indexOf(key.value) >= 0) key.value = newKey();
    delete form.dataset.sent;
  }
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (form.id !== "intake-form") return;
    if (form.dataset.sent) { evt.preventDefault(); return; } // a double click
    form.dataset.sent = "1";
    var key = form.querySelector("input[name=submission]");
    if (key && key.value) {
      var keys = sentKeys().concat([key.value]).slice(-50);
      try { window.sessionStorage.setItem(SENT, JSON.stringify(keys)); } catch (e) { /* private mode */ }
    }
  });
  window.addEventListener("pageshow", freshKey);

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
