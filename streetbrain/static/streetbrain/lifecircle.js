// The 15-minute life circle on a map (plain background: works with no tile service): the
// community's outline, every building coloured by the walking minutes to the nearest service
// of the chosen category, the services, and their 15-minute reach as circles (straight-line
// estimate: the radius the page's stated factor gives).
(function () {
  var el = document.getElementById("lifecircle-map");
  if (!el || !window.L) return;
  var data = JSON.parse(document.getElementById("lifecircle-geojson").textContent);
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("© OpenStreetMap contributors");
  var outline = L.geoJSON(data.features.filter(function (f) { return f.properties.role === "community"; }), {
    style: { color: "#1f5fae", weight: 2, fill: false }
  }).addTo(map);
  var circles = data.circles;  // e.g. [5, 10, 15]
  function colour(minutes) {
    if (minutes === null || minutes === undefined) return "#999";
    if (minutes <= circles[0]) return "#1a7f37";
    if (minutes <= circles[1]) return "#9a6700";
    if (minutes <= circles[2]) return "#d1670b";
    return "#cf222e";
  }
  var layer = L.layerGroup().addTo(map);
  var bounds = outline.getBounds();
  function draw(category) {
    layer.clearLayers();
    data.features.forEach(function (f) {
      var at = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      if (f.properties.role === "service" && f.properties.category === category) {
        L.circle(at, { radius: data.radius_m, color: "#1f5fae", weight: 1, fillOpacity: 0.06 }).addTo(layer);
        L.circleMarker(at, { radius: 6, color: "#1f5fae", fillColor: "#1f5fae", fillOpacity: 1 })
          .bindTooltip(f.properties.name).addTo(layer);
      } else if (f.properties.role === "building") {
        var m = f.properties.minutes[category];
        L.circleMarker(at, { radius: 4, weight: 1, color: colour(m), fillColor: colour(m), fillOpacity: 0.9 })
          .bindTooltip(f.properties.name + " · " + f.properties.houses + " · " + (m === null ? "—" : Math.round(m) + " min"))
          .addTo(layer);
      }
    });
  }
  data.features.forEach(function (f) {
    if (f.properties.role === "building") {
      var at = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
      bounds = bounds.isValid() ? bounds.extend(at) : L.latLngBounds(at, at);
    }
  });
  var select = document.getElementById("lifecircle-category");
  draw(select ? select.value : Object.keys(data.categories)[0]);
  if (select) select.addEventListener("change", function () { draw(select.value); });
  if (bounds.isValid()) map.fitBounds(bounds.pad(0.15));
  else map.setView([29.87, 121.62], 14);
})();
