// Map of affected areas on the public outage pages. Progressive enhancement: without this
// script (or without Leaflet, or without tiles) the page lists every area in the notices.
(function () {
  "use strict";
  var box = document.getElementById("outage-map");
  if (!box || !window.L) { return; }
  var data;
  try { data = JSON.parse(box.dataset.features); } catch (e) { return; }
  if (!data || !data.features || !data.features.length) { return; }
  box.hidden = false;
  var center = (box.dataset.center || "60.17,24.94").split(",").map(Number);
  var map = window.L.map(box, { scrollWheelZoom: false }).setView(center, Number(box.dataset.zoom) || 12);
  if (box.dataset.tiles) {
    window.L.tileLayer(box.dataset.tiles, {
      maxZoom: 19,
      attribution: box.dataset.attribution || ""
    }).addTo(map);
  }
  var noticeUrl = box.dataset.noticeUrl || "";
  var layer = window.L.geoJSON(data, {
    style: function (feature) {
      var now = feature.properties.now;
      return { color: now ? "#a4161a" : "#7a4a00", weight: 2, fillOpacity: now ? 0.35 : 0.15, dashArray: now ? null : "6 4" };
    },
    onEachFeature: function (feature, shape) {
      var p = feature.properties;
      var link = document.createElement("a");
      link.href = noticeUrl.replace(/0$/, String(p.id));
      link.textContent = (p.now ? box.dataset.labelNow : box.dataset.labelPlanned) + " – " + p.postcodes.join(", ");
      shape.bindPopup(link);
    }
  }).addTo(map);
  var bounds = layer.getBounds();
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [16, 16], maxZoom: 16 }); }
})();
