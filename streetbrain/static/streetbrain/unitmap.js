// The mini map of an org unit: its outline and its children's, on a plain background
// (works with no tile service), each child labelled and linked to its page.
(function () {
  var el = document.getElementById("unit-map");
  if (!el || !window.L) return;
  var data = JSON.parse(document.getElementById(el.dataset.geojsonId).textContent);
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix(false);
  if (el.dataset.attribution) map.attributionControl.addAttribution(el.dataset.attribution);
  var layer = L.geoJSON(data, {
    style: function (f) {
      return f.properties.role === "self"
        ? { color: "#1f5fae", weight: 3, fill: false }
        : { color: "#5b84b8", weight: 1, fillColor: "#9cc0ea", fillOpacity: 0.25 };
    },
    onEachFeature: function (f, lyr) {
      if (f.properties.role !== "child") return;
      var few = data.features.length <= 30;
      lyr.bindTooltip(f.properties.name, few
        ? { permanent: true, direction: "center", className: "map-label" }
        : { sticky: true });
      lyr.on("click", function () { window.location.href = f.properties.url; });
    }
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [10, 10] });
})();
