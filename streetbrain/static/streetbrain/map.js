// 一图通览: toggleable GeoJSON layers from /api/map/layers/<name>/, scoped by the server.
// Areas load once per filter change; point layers reload for the view (bbox and zoom) after
// each move. Works on a plain background; a configured base map (天地图, 高德 in GCJ-02, XYZ)
// goes underneath and the server shifts our WGS-84 vectors when the base map needs GCJ-02.
(function () {
  "use strict";
  var el = document.getElementById("onemap");
  if (!el || !window.L) return;
  var t = el.dataset;
  var basemap = JSON.parse(document.getElementById("onemap-basemap").textContent);
  var AREAS = { street: 1, communities: 1, grids: 1 };
  var LIGHT = { green: "#2e9d55", yellow: "#e0a400", red: "#d23c3c", "": "#6b7785" };
  var MAJOR = { "01": "#2b6f8a", "02": "#7a5bb5", "03": "#2e7d4f", "04": "#c27c2c", "05": "#b03a6f", "06": "#6b7785" };
  var KIND = { residential: "#8aa6c8", office: "#7a5bb5", commercial: "#c27c2c", mixed: "#5b9aa0" };

  var map = L.map(el, { zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix(false);
  (basemap.layers || []).forEach(function (b) {
    L.tileLayer(b.url, { subdomains: b.subdomains, attribution: b.attribution, maxZoom: 19 }).addTo(map);
  });
  map.setView([29.866, 121.615], 14);

  var overlays = {};   // name -> L.GeoJSON on the map
  var pending = {};    // name -> AbortController
  var placeIndex = {}; // search label -> LatLngBounds
  var status = document.getElementById("onemap-status");

  function checked() {
    return Array.prototype.map.call(
      document.querySelectorAll("input[name=layer]:checked"), function (i) { return i.value; });
  }

  function query(name) {
    var p = new URLSearchParams(new FormData(document.getElementById("onemap-filters")));
    Array.from(p.keys()).forEach(function (k) { if (!p.get(k)) p.delete(k); });
    if (!AREAS[name]) {
      var b = map.getBounds();
      p.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(","));
      p.set("zoom", map.getZoom().toFixed(2));
    }
    if (basemap.datum === "gcj02") p.set("coords", "gcj02");
    return t.layersUrl + name + "/?" + p.toString();
  }

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function popup(title, rows, url) {
    var html = '<div class="onemap-popup"><h4>' + esc(title) + "</h4><dl>";
    rows.forEach(function (r) {
      if (r[1] !== undefined && r[1] !== null && r[1] !== "") html += "<dt>" + esc(r[0]) + "</dt><dd>" + esc(r[1]) + "</dd>";
    });
    html += "</dl>";
    if (url) html += '<a href="' + esc(url) + '">' + esc(t.openLabel) + " →</a>";
    return html + "</div>";
  }

  function num(v) { return v == null ? "" : Number(v).toLocaleString("zh-CN"); }
  function pct(v) { return v == null ? "" : (v * 100).toFixed(1) + "%"; }

  var STYLE = {
    street: function (f) { return { color: "#1f3f6e", weight: 3, dashArray: "6 4", fill: false }; },
    communities: function () { return { color: "#3d6fb0", weight: 2, fillColor: "#9cc0ea", fillOpacity: 0.08 }; },
    grids: function (f) {
      var n = f.properties.open_cases || 0;
      return { color: "#7d97bb", weight: 1, fillColor: "#d23c3c", fillOpacity: Math.min(0.35, n / 60) };
    },
    buildings: function (f) {
      var p = f.properties, color = KIND[p.kind] || "#8a8f98", opacity = 0.55;
      // Office towers by occupancy; homes by how many live there (darker = more people).
      if (p.occupancy != null) color = p.occupancy >= 0.85 ? "#2e7d4f" : p.occupancy >= 0.6 ? "#c9a227" : "#c0392b";
      else if (p.residents != null) opacity = Math.min(0.9, 0.2 + p.residents / 400);
      return { color: color, weight: 1, fillColor: color, fillOpacity: opacity, radius: 5 };
    },
  };

  function point(name, f, latlng) {
    var p = f.properties;
    if (name === "cases" && p.count !== undefined) {
      var r = 6 + Math.sqrt(p.count) * 2.2;
      var color = p.red ? LIGHT.red : p.yellow ? LIGHT.yellow : p.green ? LIGHT.green : "#6b7785";
      var dens = document.querySelector("select[name=history]").value === "1";
      return L.circleMarker(latlng, {
        radius: Math.min(r, 30), color: dens ? "#b03020" : color, weight: 1,
        fillColor: dens ? "#e4572e" : color, fillOpacity: dens ? Math.min(0.85, 0.15 + p.count / 200) : 0.55,
      });
    }
    if (name === "cases") return L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 1, fillColor: LIGHT[p.light || ""], fillOpacity: 0.95 });
    if (p.count !== undefined) {
      return L.circleMarker(latlng, { radius: Math.min(4 + Math.sqrt(p.count) * 1.6, 24), color: "#2b6f8a", weight: 1, fillColor: "#5fa8c4", fillOpacity: 0.5 });
    }
    if (name === "buildings") return L.circleMarker(latlng, STYLE.buildings(f));
    var colors = { landmarks: "#1f3f6e", facilities: "#2b8a8a", shops: "#c27c2c", sensors: "#7a3fb0" };
    var fill = colors[name] || "#555";
    if (name === "facilities" && p.class) fill = MAJOR[p.class.slice(0, 2)] || fill;  // by GB/T 47678.5 major class
    if (name === "shops" && p.status !== "open") fill = "#9aa3ad";
    return L.circleMarker(latlng, { radius: name === "landmarks" ? 5 : 4, color: "#fff", weight: 1, fillColor: fill, fillOpacity: 0.9 });
  }

  function link(meta, p) { return p.url || (meta.url && p.id != null ? meta.url.replace("{id}", p.id) : ""); }

  function describe(name, f, meta) {
    var p = f.properties, url = link(meta, p);
    switch (name) {
      case "street": return popup(p.name, [["", t.schematicLabel]]);
      case "communities":
      case "grids":
        return popup(p.name, [[p.parent ? "" : "", p.parent], [t.residentsLabel, num(p.residents)],
          [t.householdsLabel, num(p.households)], [t.openCasesLabel, num(p.open_cases)]], p.url);
      case "buildings":
        return popup(p.name, [["", (meta.kinds || {})[p.kind]], ["", p.address], [t.residentsLabel, num(p.residents)],
          [t.occupancyLabel, pct(p.occupancy)], [t.taxLabel, p.tax_12m == null ? "" : num(Math.round(p.tax_12m)) + " " + t.yuanLabel]], url);
      case "cases":
        if (p.count !== undefined) return popup(num(p.count) + " " + t.countLabel, [[t.redLabel, num(p.red)], [t.yellowLabel, num(p.yellow)],
          [t.greenLabel, num(p.green)], [t.noClockLabel, num(p.count - p.red - p.yellow - p.green)]]);
        return popup(p.number + " " + p.title, [["", p.reported ? p.reported.slice(0, 16).replace("T", " ") : ""]], p.url);
      case "facilities":
        if (p.count !== undefined) return popup(num(p.count), []);
        var cls = (meta.classes || {})[p.class] || {};
        return popup(p.name || cls.name, [["", (cls.major || "") + " · " + (cls.name || "") + " (" + p.class + ")"]], url);
      case "shops":
        if (p.count !== undefined) return popup(num(p.count), []);
        return popup(p.name, [["", (meta.statuses || {})[p.status]], ["", p.licence]], url);
      case "landmarks": return popup(p.name, [["", p.kind_label], ["", "© OpenStreetMap contributors"]], p.url);
      default: return popup(p.name || name, []);
    }
  }

  function load(name) {
    if (pending[name]) pending[name].abort();
    var ctrl = new AbortController();
    pending[name] = ctrl;
    status.textContent = t.loading;
    return fetch(query(name), { signal: ctrl.signal, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        if (overlays[name]) map.removeLayer(overlays[name]);
        var layer = L.geoJSON(data, {
          style: STYLE[name],
          pointToLayer: function (f, latlng) { return point(name, f, latlng); },
          onEachFeature: function (f, lyr) {
            lyr.bindPopup(describe(name, f, data));
            if (f.properties.name && (AREAS[name] || name === "buildings" || name === "landmarks")) {
              placeIndex[f.properties.name] = lyr.getBounds ? lyr.getBounds() : L.latLngBounds([lyr.getLatLng(), lyr.getLatLng()]);
            }
          },
        });
        if (data.attribution) layer.getAttribution = function () { return data.attribution; };
        overlays[name] = layer.addTo(map);
        if (AREAS[name]) layer.bringToBack();
        refreshPlaces();
        status.textContent = name === "cases" && data.aggregated ? t.binned : "";
        delete pending[name];
        return layer;
      })
      .catch(function (e) { if (e.name !== "AbortError") status.textContent = t.failed; });
  }

  function refreshPlaces() {
    var list = document.getElementById("onemap-places");
    list.innerHTML = "";
    Object.keys(placeIndex).sort().slice(0, 500).forEach(function (k) {
      var o = document.createElement("option"); o.value = k; list.appendChild(o);
    });
  }

  function reloadPoints() { checked().forEach(function (n) { if (!AREAS[n]) load(n); }); }
  function reloadAll() { checked().forEach(load); }

  document.querySelectorAll("input[name=layer]").forEach(function (box) {
    box.addEventListener("change", function () {
      if (box.checked) load(box.value);
      else if (overlays[box.value]) { map.removeLayer(overlays[box.value]); delete overlays[box.value]; }
    });
  });
  document.getElementById("onemap-filters").addEventListener("change", function (e) {
    if (e.target.name === "community") {
      var grid = document.querySelector("select[name=grid]");
      Array.prototype.forEach.call(grid.options, function (o) { o.hidden = !!(e.target.value && o.dataset.community && o.dataset.community !== e.target.value); });
      grid.value = "";
    }
    reloadAll();
  });
  document.getElementById("onemap-search").addEventListener("submit", function (e) {
    e.preventDefault();
    var q = document.getElementById("onemap-q").value.trim();
    var key = placeIndex[q] ? q : Object.keys(placeIndex).find(function (k) { return k.indexOf(q) >= 0; });
    if (q && key) map.fitBounds(placeIndex[key], { maxZoom: 17 });
  });
  var timer;
  map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(reloadPoints, 150); });

  // A link may ask for a place (?at=lon,lat,zoom) and layers (?layers=shops,cases).
  var asked = new URLSearchParams(window.location.search);
  var at = (asked.get("at") || "").split(",").map(Number);
  if (asked.get("layers")) {
    var want = asked.get("layers").split(",");
    document.querySelectorAll("input[name=layer]").forEach(function (box) {
      box.checked = box.value === "street" || want.indexOf(box.value) >= 0;
    });
  }

  // The street's outline frames the map first (and stays only if its layer is on).
  load("street").then(function (layer) {
    if (at.length >= 2 && at.every(isFinite)) {
      map.setView([at[1], at[0]], at[2] || 18);
      L.circleMarker([at[1], at[0]], { radius: 12, color: "#d23c3c", weight: 3, fill: false }).addTo(map);
    } else if (layer && layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [12, 12] });
    if (!checked().includes("street") && overlays.street) { map.removeLayer(overlays.street); delete overlays.street; }
    checked().filter(function (n) { return n !== "street"; }).forEach(load);
  });
})();
