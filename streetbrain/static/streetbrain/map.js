// 一图通览: toggleable GeoJSON layers from /api/map/layers/<name>/, scoped by the server.
// Each layer is drawn by the renderer its app declared (data-style on its checkbox: outline,
// areas, cells, buildings, cases, facilities, shops, landmarks, or plain points in the
// layer's data-color), so a new app's layer needs no change here. Areas load once per
// filter change; point layers reload for the view (bbox and zoom) after each move. Works on a plain background; a configured base map (天地图, 高德 in GCJ-02, XYZ)
// goes underneath and the server shifts our WGS-84 vectors when the base map needs GCJ-02.
(function () {
  "use strict";

  // WGS-84 -> GCJ-02, the same published forward transform as streetbrain/core/maps/gcj02.py
  // (a link's ?at= point is WGS-84; a 高德 base map is drawn in GCJ-02).
  var GCJ_A = 6378245.0, GCJ_EE = 0.00669342162296594323, PI = Math.PI;
  function gcjLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    r += (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    return r;
  }
  function gcjLon(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    r += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    return r;
  }
  function gcj02FromWgs84(lon, lat) {
    if (!(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271)) return [lon, lat];
    var dlat = gcjLat(lon - 105.0, lat - 35.0), dlon = gcjLon(lon - 105.0, lat - 35.0);
    var rad = lat / 180.0 * PI, magic = 1 - GCJ_EE * Math.pow(Math.sin(rad), 2), sq = Math.sqrt(magic);
    dlat = (dlat * 180.0) / ((GCJ_A * (1 - GCJ_EE)) / (magic * sq) * PI);
    dlon = (dlon * 180.0) / (GCJ_A / sq * Math.cos(rad) * PI);
    return [lon + dlon, lat + dlat];
  }
  window.StreetBrainMap = { gcj02FromWgs84: gcj02FromWgs84 };

  var el = document.getElementById("onemap");
  if (!el || !window.L) return;
  var t = el.dataset;
  var basemap = JSON.parse(document.getElementById("onemap-basemap").textContent);
  var AREAS = { outline: 1, areas: 1, cells: 1 };  // styles drawn whole, not per view
  var LAYER = {};  // name -> {style, color}, as the apps declared them
  document.querySelectorAll("input[name=layer]").forEach(function (i) {
    LAYER[i.value] = { style: i.dataset.style || "points", color: i.dataset.color || "" };
  });
  function styleOf(name) { return (LAYER[name] || {}).style || "points"; }
  function isArea(name) { return !!AREAS[styleOf(name)]; }
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
  var placeIndex = {}; // name of a loaded feature -> LatLngBounds (the search's fallback)
  var status = document.getElementById("onemap-status");

  function checked() {
    return Array.prototype.map.call(
      document.querySelectorAll("input[name=layer]:checked"), function (i) { return i.value; });
  }

  function query(name) {
    var p = new URLSearchParams(new FormData(document.getElementById("onemap-filters")));
    Array.from(p.keys()).forEach(function (k) { if (!p.get(k)) p.delete(k); });
    if (!isArea(name)) {
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

  // A feature may carry its own colour (a layer that colours by a state of its rows: a tower's
  // party coverage, a plot's stage); only a hex colour is taken.
  function own(p) { return /^#[0-9a-fA-F]{3,8}$/.test(p.color || "") ? p.color : ""; }

  var STYLE = {
    outline: function (f) { return { color: "#1f3f6e", weight: 3, dashArray: "6 4", fill: false }; },
    areas: function (f) {
      var c = own(f.properties);
      if (c) return { color: c, weight: 2, fillColor: c, fillOpacity: 0.3 };
      return { color: "#3d6fb0", weight: 2, fillColor: "#9cc0ea", fillOpacity: 0.08 };
    },
    cells: function (f) {
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
    var p = f.properties, style = styleOf(name);
    if (style === "cases" && p.count !== undefined) {
      var r = 6 + Math.sqrt(p.count) * 2.2;
      var color = p.red ? LIGHT.red : p.yellow ? LIGHT.yellow : p.green ? LIGHT.green : "#6b7785";
      var history = document.querySelector("select[name=history]");
      var dens = !!history && history.value === "1";
      return L.circleMarker(latlng, {
        radius: Math.min(r, 30), color: dens ? "#b03020" : color, weight: 1,
        fillColor: dens ? "#e4572e" : color, fillOpacity: dens ? Math.min(0.85, 0.15 + p.count / 200) : 0.55,
      });
    }
    if (style === "cases") return L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 1, fillColor: LIGHT[p.light || ""], fillOpacity: 0.95 });
    if (p.count !== undefined) {
      return L.circleMarker(latlng, { radius: Math.min(4 + Math.sqrt(p.count) * 1.6, 24), color: "#2b6f8a", weight: 1, fillColor: "#5fa8c4", fillOpacity: 0.5 });
    }
    if (style === "buildings") return L.circleMarker(latlng, STYLE.buildings(f));
    var colors = { landmarks: "#1f3f6e", facilities: "#2b8a8a", shops: "#c27c2c" };
    var fill = own(p) || LAYER[name].color || colors[style] || "#555";
    if (style === "facilities" && p.class) fill = MAJOR[p.class.slice(0, 2)] || fill;  // by GB/T 47678.5 major class
    if (style === "shops" && p.status !== "open") fill = "#9aa3ad";
    return L.circleMarker(latlng, { radius: style === "landmarks" ? 5 : 4, color: "#fff", weight: 1, fillColor: fill, fillOpacity: 0.9 });
  }

  function link(meta, p) { return p.url || (meta.url && p.id != null ? meta.url.replace("{id}", p.id) : ""); }

  function describe(name, f, meta) {
    var p = f.properties, url = link(meta, p);
    switch (styleOf(name)) {
      case "outline": return popup(p.name, [["", t.schematicLabel]]);
      case "areas":
      case "cells":
        return popup(p.name, [[p.parent ? "" : "", p.parent], ["", p.stage_label || p.detail], [t.residentsLabel, num(p.residents)],
          [t.householdsLabel, num(p.households)], [t.openCasesLabel, num(p.open_cases)]], p.url);
      case "buildings":
        if (p.count !== undefined) return popup(num(p.count), []);
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
      default:
        if (p.count !== undefined) return popup(num(p.count), []);
        // A layer may add labelled lines of its own ([label, value] pairs: a park's criteria).
        return popup(p.name || name, [["", p.detail]].concat(Array.isArray(p.rows) ? p.rows : []), url);
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
          style: STYLE[styleOf(name)],
          pointToLayer: function (f, latlng) { return point(name, f, latlng); },
          onEachFeature: function (f, lyr) {
            lyr.bindPopup(describe(name, f, data));
            if (f.properties.name && (isArea(name) || styleOf(name) === "buildings" || styleOf(name) === "landmarks")) {
              placeIndex[f.properties.name] = lyr.getBounds ? lyr.getBounds() : L.latLngBounds([lyr.getLatLng(), lyr.getLatLng()]);
            }
          },
        });
        if (data.attribution) layer.getAttribution = function () { return data.attribution; };
        overlays[name] = layer.addTo(map);
        if (isArea(name)) layer.bringToBack();
        status.textContent = styleOf(name) === "cases" && data.aggregated ? t.binned : "";
        delete pending[name];
        return layer;
      })
      .catch(function (e) { if (e.name !== "AbortError") status.textContent = t.failed; });
  }

  function reloadPoints() { checked().forEach(function (n) { if (!isArea(n)) load(n); }); }
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

  // -- place search: /api/map/search/ finds places of every kind the user may see, in their
  // scope, whether their layer is on or not; the names already on the map answer if it fails.
  var form = document.getElementById("onemap-search");
  var box = document.getElementById("onemap-q");
  var list = document.getElementById("onemap-results");
  var found = [], foundFor = null, active = -1, searching = null, searchTimer, highlight;

  function localMatches(q) {
    return Object.keys(placeIndex).filter(function (k) { return k.indexOf(q) >= 0; })
      .sort(function (a, b) { return (a.indexOf(q) !== 0) - (b.indexOf(q) !== 0) || a.length - b.length; })
      .slice(0, 10).map(function (k) {
        var c = placeIndex[k].getCenter();
        return { name: k, kind_label: t.searchLocal, detail: "", lon: c.lng, lat: c.lat, bounds: placeIndex[k], url: "" };
      });
  }

  function setActive(i) {
    var items = list.querySelectorAll("[role=option]");
    Array.prototype.forEach.call(items, function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
    active = i;
    if (i >= 0 && items[i]) { box.setAttribute("aria-activedescendant", items[i].id); items[i].scrollIntoView({ block: "nearest" }); }
    else box.removeAttribute("aria-activedescendant");
  }

  function closeList() {
    list.hidden = true;
    box.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function render(items, q) {
    found = items; foundFor = q;
    list.innerHTML = "";
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "onemap-result-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.innerHTML = '<span class="onemap-result-kind">' + esc(item.kind_label) + '</span> <span class="onemap-result-name">' +
        esc(item.name) + "</span>" + (item.detail ? ' <span class="onemap-result-detail">' + esc(item.detail) + "</span>" : "");
      li.addEventListener("mousedown", function (e) { e.preventDefault(); });  // keep the focus in the box
      li.addEventListener("click", function () { choose(i); });
      list.appendChild(li);
    });
    if (!items.length) {
      var none = document.createElement("li");
      none.className = "onemap-results-none";
      none.setAttribute("role", "option");
      none.setAttribute("aria-disabled", "true");
      none.textContent = t.searchNone;
      list.appendChild(none);
    }
    list.hidden = false;
    box.setAttribute("aria-expanded", "true");
    setActive(-1);
  }

  function search(q) {
    clearTimeout(searchTimer);
    if (searching) searching.abort();
    if (!q) { found = []; foundFor = null; closeList(); return Promise.resolve(); }
    if (q === foundFor) { render(found, q); return Promise.resolve(); }
    var ctrl = new AbortController();
    searching = ctrl;
    var p = new URLSearchParams({ q: q, limit: "20" });
    if (basemap.datum === "gcj02") p.set("coords", "gcj02");
    return fetch(t.searchUrl + "?" + p.toString(), { signal: ctrl.signal, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) { if (searching === ctrl) render(data.results, q); })
      .catch(function (e) { if (e.name !== "AbortError" && searching === ctrl) render(localMatches(q), q); })
      .then(function () { if (searching === ctrl) searching = null; });
  }

  function choose(i) {
    var item = found[i];
    if (!item) return;
    closeList();
    box.value = item.name;
    var latlng = L.latLng(item.lat, item.lon);
    if (item.bounds) map.flyToBounds(item.bounds, { maxZoom: 17 });
    else if (item.bbox) map.flyToBounds([[item.bbox[1], item.bbox[0]], [item.bbox[3], item.bbox[2]]], { padding: [12, 12], maxZoom: 18 });
    else map.flyTo(latlng, Math.max(17, map.getZoom()));
    if (highlight) map.removeLayer(highlight);
    highlight = L.circleMarker(latlng, { radius: 14, color: "#d23c3c", weight: 3, fill: false, className: "onemap-found" })
      .bindPopup(popup(item.name, [["", item.kind_label], ["", item.detail]], item.url), { autoPan: false })
      .addTo(map);
    highlight.openPopup();
  }

  box.addEventListener("input", function () {
    var q = box.value.trim();
    clearTimeout(searchTimer);
    if (!q) { search(""); return; }
    searchTimer = setTimeout(function () { search(q); }, 250);
  });
  box.addEventListener("keydown", function (e) {
    var n = found.length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (list.hidden) { if (box.value.trim()) search(box.value.trim()); return; }
      if (!n) return;
      setActive(e.key === "ArrowDown" ? (active + 1) % n : (active <= 0 ? n - 1 : active - 1));
    } else if (e.key === "Escape") {
      if (!list.hidden) { e.preventDefault(); closeList(); }
    }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = box.value.trim();
    if (!q) return;
    var pick = function () { if (foundFor === q && found.length) choose(active >= 0 ? active : 0); };
    if (foundFor === q && !searching) pick();
    else search(q).then(pick);
  });
  form.addEventListener("focusout", function (e) { if (!form.contains(e.relatedTarget)) closeList(); });
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
      // The link's point is WGS-84: drawn where the base map has it, like the layers.
      var here = basemap.datum === "gcj02" ? gcj02FromWgs84(at[0], at[1]) : at;
      map.setView([here[1], here[0]], at[2] || 18);
      L.circleMarker([here[1], here[0]], { radius: 12, color: "#d23c3c", weight: 3, fill: false, className: "onemap-at" }).addTo(map);
    } else if (layer && layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [12, 12] });
    if (!checked().includes("street") && overlays.street) { map.removeLayer(overlays.street); delete overlays.street; }
    checked().filter(function (n) { return n !== "street"; }).forEach(load);
  });
})();
