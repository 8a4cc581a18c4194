// The report pages (citizens' /report/ and the grid worker's /report/grid/): the location
// picker (a Leaflet map of the street's grid cells on a plain background, no tile server; tap to
// mark, or take the phone's position), the photo size check, one submit per form, and the copy
// button of the tracking number. Words come from <script id="report-strings"> (json_script).
(function () {
  "use strict";

  var stringsEl = document.getElementById("report-strings");
  var T = stringsEl ? JSON.parse(stringsEl.textContent) : {};
  var MAX_PHOTO = 10 * 1024 * 1024;

  function fmt(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] !== undefined ? values[key] : "";
    });
  }

  // Ray casting over GeoJSON polygons (lon/lat): enough to tell whether a point is in a cell.
  function inRing(lon, lat, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
    return inside;
  }
  function inPolygon(lon, lat, rings) {
    if (!rings.length || !inRing(lon, lat, rings[0])) return false;
    for (var k = 1; k < rings.length; k++) if (inRing(lon, lat, rings[k])) return false;
    return true;
  }
  function inGeometry(lon, lat, g) {
    if (!g) return false;
    if (g.type === "Polygon") return inPolygon(lon, lat, g.coordinates);
    if (g.type === "MultiPolygon") {
      for (var i = 0; i < g.coordinates.length; i++) {
        if (inPolygon(lon, lat, g.coordinates[i])) return true;
      }
    }
    return false;
  }

  // -- the location picker ------------------------------------------------------------------
  function setupPicker() {
    var el = document.getElementById("report-map");
    var lonInput = document.getElementById("id_lon");
    var latInput = document.getElementById("id_lat");
    var status = document.getElementById("location-status");
    var locateBtn = document.getElementById("locate-me");
    if (!el || !lonInput || !latInput) return;

    var data = JSON.parse(document.getElementById(el.dataset.geojsonId).textContent);
    var cells = data.features.filter(function (f) { return f.properties.role !== "street"; });
    var map = null, marker = null;

    function say(text, bad) {
      if (!status) return;
      status.textContent = text;
      status.classList.toggle("error", !!bad);
    }
    function inside(lon, lat) {
      if (!cells.length) return true; // nothing to check against: the server decides
      for (var i = 0; i < cells.length; i++) {
        if (inGeometry(lon, lat, cells[i].geometry)) return true;
      }
      return false;
    }
    function place(lon, lat, how, accuracy) {
      if (!inside(lon, lat)) {
        say(T.outside, true);
        return false;
      }
      lonInput.value = lon.toFixed(6);
      latInput.value = lat.toFixed(6);
      if (map) {
        var ll = [lat, lon];
        if (marker) marker.setLatLng(ll);
        else {
          marker = L.circleMarker(ll, {
            radius: 9, color: "#c0392b", weight: 3, fillColor: "#e74c3c", fillOpacity: 0.6
          }).addTo(map).bindTooltip(T.chosen || "");
        }
        if (how === "gps") map.setView(ll, Math.max(map.getZoom(), 16));
      }
      say(how === "gps" ? fmt(T.located, { m: Math.round(accuracy || 0) }) : T.tapped, false);
      // Kept as well as announced: a script still loading when the phone answers (the task
      // list's, under load) reads it on arrival instead of missing the event.
      window.streetbrainPosition = { lon: lon, lat: lat, source: how };
      document.dispatchEvent(new CustomEvent("streetbrain:position", {
        detail: window.streetbrainPosition
      }));
      return true;
    }
    function locate(quiet) {
      if (!navigator.geolocation) {
        if (!quiet) say(T.unsupported, true);
        return;
      }
      say(T.locating, false);
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          place(pos.coords.longitude, pos.coords.latitude, "gps", pos.coords.accuracy);
        },
        function () { say(T.denied, !quiet); },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    }

    if (window.L && data.features.length) {
      map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
      var layer = L.geoJSON(data, {
        style: function (f) {
          if (f.properties.role === "street") return { color: "#1f5fae", weight: 3, fill: false };
          if (f.properties.role === "own") {
            return { color: "#1f5fae", weight: 2, fillColor: "#5b9be0", fillOpacity: 0.3 };
          }
          return { color: "#7a9cc6", weight: 1, fillColor: "#cfe0f5", fillOpacity: 0.35 };
        },
        onEachFeature: function (f, lyr) {
          if (f.properties.role !== "street") lyr.bindTooltip(f.properties.name, { sticky: true });
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [6, 6] });
      // Taps on the cells bubble up to the map (Leaflet's default), so one handler serves.
      map.on("click", function (e) { place(e.latlng.lng, e.latlng.lat, "map"); });
    } else {
      el.hidden = true;
    }

    var lon0 = parseFloat(lonInput.value), lat0 = parseFloat(latInput.value);
    if (!isNaN(lon0) && !isNaN(lat0)) place(lon0, lat0, "map");
    else if (el.dataset.autolocate) locate(true);
    if (locateBtn) locateBtn.addEventListener("click", function () { locate(false); });
  }

  // -- photos: refuse files over 10 MB before uploading them --------------------------------
  function setupPhotoChecks() {
    var inputs = document.querySelectorAll("input[type=file][accept^='image']");
    Array.prototype.forEach.call(inputs, function (input) {
      input.addEventListener("change", function () {
        var tooBig = Array.prototype.some.call(input.files || [], function (f) {
          return f.size > MAX_PHOTO;
        });
        input.setCustomValidity(tooBig ? T.tooBig || "" : "");
        if (tooBig) input.reportValidity();
      });
    });
  }

  // -- one submit per form (the idempotency key makes a second one harmless anyway) --------
  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function setupSubmitOnce() {
    var forms = document.querySelectorAll("form.phone-form, form.task-form");
    var button = document.getElementById("report-submit");
    var label = button ? button.textContent : "";
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (e) {
        if (form.dataset.sent) {
          e.preventDefault();
          return;
        }
        form.dataset.sent = "1";
        if (button && form.contains(button)) {
          button.classList.add("is-busy");
          button.setAttribute("aria-busy", "true");
          button.textContent = T.sending || label;
        }
      });
    });
    // Back to a form that was sent (the browser kept the page): sending it again is a new
    // report, so it gets a new key; a key replayed would only show the earlier report.
    window.addEventListener("pageshow", function (e) {
      if (!e.persisted) return;
      Array.prototype.forEach.call(forms, function (form) {
        if (!form.dataset.sent) return;
        delete form.dataset.sent;
        var key = form.querySelector("input[name=idempotency_key]");
        if (key && window.crypto && window.crypto.getRandomValues) key.value = newKey();
      });
      if (button) {
        button.classList.remove("is-busy");
        button.removeAttribute("aria-busy");
        button.textContent = label;
      }
    });
  }

  // -- copy the tracking number -------------------------------------------------------------
  function setupCopy() {
    var buttons = document.querySelectorAll("[data-copy-target]");
    Array.prototype.forEach.call(buttons, function (btn) {
      btn.addEventListener("click", function () {
        var target = document.getElementById(btn.dataset.copyTarget);
        if (!target) return;
        var text = target.textContent.trim();
        var done = function () {
          var before = btn.textContent;
          btn.textContent = T.copied || before;
          window.setTimeout(function () { btn.textContent = before; }, 2000);
        };
        var select = function () {
          var range = document.createRange();
          range.selectNodeContents(target);
          var sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, select);
        } else {
          select(); // the person copies the selected text themselves
        }
      });
    });
  }

  setupPicker();
  setupPhotoChecks();
  setupSubmitOnce();
  setupCopy();
})();
