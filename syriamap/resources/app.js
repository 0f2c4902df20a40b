/* syriamap page: draws one day (or a slider over days) from a compact payload.
   Geometry is stored once; the state of every unit is replayed from its sorted states. */
(function () {
  "use strict";
  var P = JSON.parse(document.getElementById("syriamap-data").textContent);
  var map = window[P.map_var];
  var T = P.text;
  var AR = P.lang === "ar";
  // Arabic pages keep the legend on the left: the attribution goes under it, not across it
  if (AR && map.attributionControl) map.attributionControl.setPosition("bottomleft");

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function safeUrl(u) { return /^https?:\/\/[^\s"'<>]+$/i.test(u) ? u : null; }
  function sourceHtml(src) {
    return String(src || "").split(";;").map(function (one) {
      var parts = one.split("|").map(function (p) { return p.trim(); });
      var url = safeUrl(parts[3] || "");
      var text = esc(parts.slice(0, 3).filter(Boolean).join(", "));
      return url ? '<a href="' + esc(url) + '" target="_blank" rel="noopener noreferrer">' + text + "</a>" : text;
    }).join("<br>");
  }
  function faction(code) { return code < 0 ? P.unknown : P.factions[code]; }

  // ---------------------------------------------------------------- geometry
  function unpack(items) {  // quantised, delta-encoded polygons (pages._packed) -> GeoJSON
    return {type: "FeatureCollection", features: items.map(function (it) {
      var polys = it.g.map(function (rings) {
        return rings.map(function (flat) {
          var ring = [], x = 0, y = 0;
          for (var k = 0; k < flat.length; k += 2) {
            x += flat[k]; y += flat[k + 1];
            ring.push([x / 1e4, y / 1e4]);
          }
          return ring;
        });
      });
      return {type: "Feature", properties: {i: it.i, u: it.u, t: it.t},
              geometry: {type: "MultiPolygon", coordinates: polys}};
    })};
  }
  P.pieces = unpack(P.pieces);

  // ---------------------------------------------------------------- state replay
  var nUnits = P.units.length;
  // popups open clear of the title (top) and of the legend and slider (bottom)
  var POPUP = {maxWidth: 360, autoPanPaddingTopLeft: L.point(20, 110), autoPanPaddingBottomRight: L.point(20, 190)};
  var byUnit = [];
  for (var u = 0; u < nUnits; u++) byUnit.push([]);
  for (var s = 0; s < P.states.unit.length; s++) byUnit[P.states.unit[s]].push(s);
  function stateAt(unit, day) {  // last state index with day <= day, or -1
    var list = byUnit[unit], lo = 0, hi = list.length - 1, best = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (P.states.day[list[mid]] <= day) { best = list[mid]; lo = mid + 1; } else { hi = mid - 1; }
    }
    return best;
  }
  function ctrlOf(st) { return st < 0 ? -1 : P.states.ctrl[st]; }
  function statusOf(st) { return st < 0 ? 3 : P.states.status[st]; }

  // ---------------------------------------------------------------- patterns for disputed
  var svgRenderer = L.svg({padding: 0.5});
  map.addLayer(svgRenderer);
  var defs = null, patterns = {};
  function pattern(a, b) {
    var id = "hatch-" + a + "-" + b;
    if (patterns[id]) return "url(#" + id + ")";
    if (!defs) {
      var svg = svgRenderer._container;
      defs = document.createElementNS("http://www.w3.org/2000/svg", "defs");
      svg.insertBefore(defs, svg.firstChild);
    }
    var p = document.createElementNS("http://www.w3.org/2000/svg", "pattern");
    p.setAttribute("id", id);
    p.setAttribute("patternUnits", "userSpaceOnUse");
    p.setAttribute("width", "8"); p.setAttribute("height", "8");
    p.setAttribute("patternTransform", "rotate(45)");
    p.innerHTML = '<rect width="4" height="8" fill="' + faction(a).color + '"/>' +
                  '<rect x="4" width="4" height="8" fill="' + faction(b).color + '"/>';
    defs.appendChild(p);
    patterns[id] = true;
    return "url(#" + id + ")";
  }

  // ---------------------------------------------------------------- context layers
  L.geoJSON(P.context.neighbours, {
    renderer: svgRenderer, interactive: false,
    style: function (f) {
      return f.properties.golan ? {color: "#555", weight: 1, dashArray: "4 3", fillColor: "#9e9e9e", fillOpacity: 0.25}
                                : {color: "#9e9e9e", weight: 1, fillColor: "#eeeeee", fillOpacity: 1};
    }
  }).addTo(map);
  // Syria's land under the territory, in the neighbours' colour: no sea shows where borders differ
  L.geoJSON(P.context.outline, {renderer: svgRenderer, interactive: false,
    style: {stroke: false, fillColor: "#eeeeee", fillOpacity: 1}}).addTo(map);
  // rivers and lakes, over the territory (added to their own pane below the place markers)
  map.createPane("sm-water");
  map.getPane("sm-water").style.zIndex = 450;
  map.getPane("sm-water").style.pointerEvents = "none";
  L.geoJSON(P.context.water, {pane: "sm-water", interactive: false,
    style: function (f) {
      return f.properties.kind === "lake" ? {stroke: false, fillColor: "#6fa8dc", fillOpacity: 0.9}
                                          : {color: "#4a86c5", weight: 1.6, opacity: 0.85, fill: false};
    }
  }).addTo(map);
  var current = {day: P.days[0], cache: []};

  // ---------------------------------------------------------------- territory
  var pieceLayers = [];
  var territory = L.geoJSON(P.pieces, {
    renderer: svgRenderer,
    style: function () { return {weight: 0, fillOpacity: 0.5}; },
    onEachFeature: function (f, layer) {
      pieceLayers[f.properties.i] = layer;
      layer.bindPopup(function () { return unitPopup(f.properties.u, current.day, f.properties.t); },
                      POPUP);
    }
  }).addTo(map);
  // Front lines: the shared border of two adjacent pieces, shown on the days their controllers differ.
  function decodeLine(flat) {  // a delta-encoded line on the 1e-4 degree grid (pages._delta_lines)
    var pts = [], x = 0, y = 0;
    for (var k = 0; k < flat.length; k += 2) { x += flat[k]; y += flat[k + 1]; pts.push([y / 1e4, x / 1e4]); }
    return pts;
  }
  var fronts = P.edges.map(function (e) {
    return L.polyline(e.g.map(decodeLine), {renderer: svgRenderer, interactive: false, color: "#1a1a1a", weight: 1.6,
                                opacity: 0, className: "sm-front"}).addTo(map);
  });
  L.polyline(P.context.governorates.map(decodeLine), {renderer: svgRenderer, interactive: false,
                                                   color: "#333", weight: 1.2}).addTo(map);
  L.geoJSON(P.context.outline, {renderer: svgRenderer, interactive: false,
    style: function () { return {color: "#000", weight: 2, fill: false}; }}).addTo(map);
  // Names on the map, most important first (see declutter): cities (rank 1), governorates (1.5),
  // towns (2), rivers (2.5), villages (3), neighbouring countries (4).
  var labelled = [];
  function areaLabel(l, cls, rank) {
    var m = L.marker([l.lat, l.lon], {interactive: false, keyboard: false,
      icon: L.divIcon({className: cls, html: '<span dir="auto">' + esc(l.name) + "</span>", iconSize: null})
    }).addTo(map);
    labelled.push({el: function () { var e = m.getElement(); return e && e.firstChild; }, rank: rank, pop: 0});
  }
  P.context.countries.forEach(function (l) { areaLabel(l, "sm-country-label", 4); });
  P.context.rivers.forEach(function (l) { areaLabel(l, "sm-river-label", 2.5); });
  P.context.labels.forEach(function (l) { areaLabel(l, "sm-gov-label", 1.5); });

  // A change of hands: another controller than on day d0, reached by a capture or a claim on the
  // way (a succession alone, a handover between authorities, is not one unless P.withSucc).
  function changedHands(u, d0, d1) {
    var s0 = stateAt(u, d0), s1 = stateAt(u, d1);
    if (s0 < 0 || ctrlOf(s0) === ctrlOf(s1)) return false;
    if (P.withSucc) return true;
    for (var k = s0 + 1; k <= s1; k++) {
      if (!P.states.succ[k] && P.states.ctrl[k] !== P.states.ctrl[k - 1]) return true;
    }
    return false;
  }

  function pieceStyle(i, day) {
    var pc = P.pieces.features[i].properties;
    var st = stateAt(pc.u, day), c = ctrlOf(st), status = statusOf(st);
    var f = faction(c), thin = pc.t;
    var style = {fillColor: f.color, fillOpacity: c < 0 ? 0.35 : (thin ? 0.3 : 0.6)};
    if (status === 2) {
      var alt = disputeOther(st, c);
      style.fillColor = pattern(c, alt); style.fillOpacity = thin ? 0.4 : 0.75;
    } else if (status === 1) {
      style.fillOpacity = thin ? 0.15 : 0.35;
    }
    // no hairline seams between neighbouring pieces: each is outlined in its own fill
    style.stroke = true; style.color = f.color; style.weight = 0.5; style.opacity = 0.7 * style.fillOpacity;
    style.dashArray = null;
    if (P.highlight && changedHands(pc.u, P.compare, day)) {
      style.color = "#e65100"; style.weight = 1.5; style.dashArray = "3 2"; style.opacity = 1;
    }
    return style;
  }
  function disputeOther(st, c) {
    var rows = P.disputes[st] || [];
    for (var k = 0; k < rows.length; k++) { var e = P.events[rows[k]]; if (e.c !== c) return e.c; }
    return c;
  }

  // ---------------------------------------------------------------- places
  var placeLayers = [];
  var SHAPES = {crossing: "square", airbase: "triangle", port: "anchor", dam: "diamond", base: "star"};
  function placeIcon(p, color, status, changed) {
    var shape = SHAPES[p.kind];
    var ring = changed ? " sm-changed" : "";
    var dash = status === 1 ? " sm-claimed" : (status === 2 ? " sm-disputed" : "");
    if (!shape) {
      var r = Math.max(3, Math.min(11, 2 + Math.sqrt(p.pop || 0) / 90));
      return L.divIcon({className: "sm-place" + ring + dash, iconSize: [2 * r, 2 * r],
        html: '<span style="background:' + color + ";width:" + 2 * r + "px;height:" + 2 * r + 'px"></span>'});
    }
    return L.divIcon({className: "sm-infra sm-" + shape + ring + dash, iconSize: [14, 14],
      html: '<span style="background:' + color + '"></span>'});
  }
  P.places.forEach(function (p, i) {
    var m = L.marker([p.lat, p.lon], {icon: placeIcon(p, "#fff", 0, false), title: AR ? p.ar : p.en,
                                      riseOnHover: true, keyboard: false});
    m.bindPopup(function () { return unitPopup(i, current.day, false); }, POPUP);
    if (p.label) {  // cities always; towns and villages once zoomed in (see declutter below)
      m.bindTooltip('<span dir="auto">' + esc(AR ? (p.ar || p.en) : p.en) + "</span>",
                    {permanent: true, direction: AR ? "left" : "right", offset: [AR ? -6 : 6, 0],
                     className: "sm-label sm-label-" + p.label});
      labelled.push({el: function () { return m.getTooltip() && m.getTooltip().getElement(); },
                     rank: p.label, pop: p.pop || 0});
    }
    m.addTo(map);
    placeLayers.push(m);
  });

  function unitPopup(unit, day, thin) {
    var st = stateAt(unit, day), c = ctrlOf(st), status = statusOf(st);
    var isPlace = unit < P.places.length;
    var title = isPlace ? P.places[unit] : P.areas[unit - P.places.length];
    var h = '<div class="sm-popup" dir="' + (AR ? "rtl" : "ltr") + '">';
    h += '<div class="sm-name">' + esc(title.en) + ' · <span dir="rtl" lang="ar">' + esc(title.ar) + "</span></div>";
    if (!isPlace) h += '<div class="sm-sub">' + esc(thin ? T.thin : T.area) + "</div>";
    h += '<div><b>' + esc(status === 2 ? T.holder : T.controller) + ":</b> " + '<i class="sm-swatch" style="background:' + faction(c).color +
         '"></i>' + esc(faction(c).name) + "</div>";
    h += "<div><b>" + esc(T.status) + ":</b> " + esc(T.states[status]) + "</div>";
    if (st >= 0) {
      var e = P.events[P.states.event[st]];
      h += "<div><b>" + esc(T.since) + ":</b> " + esc(P.states.since[st]) + "</div>";
      h += "<div><b>" + esc(T.event) + ":</b> " + esc(e.id) + " (" + esc(e.d) + (e.p === "approx" ? ", ~" : e.p === "month" ? ", " + esc(T.monthPrecision) : "") + ")</div>";
      h += '<div class="sm-src"><b>' + esc(T.source) + ":</b> " + sourceHtml(P.sources[e.s]) + "</div>";
      if (e.n) h += '<div class="sm-note">' + esc(e.n) + "</div>";
      (P.disputes[st] || []).forEach(function (r) {
        var x = P.events[r];
        h += '<div class="sm-claim"><b>' + esc(faction(x.c).name) + "</b> (" + esc(T.statusWord[x.st]) + "): " +
             sourceHtml(P.sources[x.s]) + (x.n ? "<br>" + esc(x.n) : "") + "</div>";
      });
    }
    return h + "</div>";
  }

  // ---------------------------------------------------------------- legend, title, day list
  var legend = L.control({position: AR ? "bottomleft" : "bottomright"});
  // On a phone or in a narrow article column the legend and the day list fold into buttons.
  var NARROW = map.getContainer().clientWidth < 800;
  function foldable(d, label) {
    var b = L.DomUtil.create("button", "sm-fold", d);
    b.type = "button";
    b.textContent = label;
    b.setAttribute("aria-expanded", NARROW ? "false" : "true");
    if (NARROW) L.DomUtil.addClass(d, "sm-folded");
    b.addEventListener("click", function () {
      var folded = !L.DomUtil.hasClass(d, "sm-folded");
      (folded ? L.DomUtil.addClass : L.DomUtil.removeClass)(d, "sm-folded");
      b.setAttribute("aria-expanded", folded ? "false" : "true");
    });
    return L.DomUtil.create("div", "sm-body", d);
  }
  var legendBody = null;
  legend.onAdd = function () {
    var d = L.DomUtil.create("div", "sm-legend");
    d.setAttribute("dir", AR ? "rtl" : "ltr");
    legendBody = foldable(d, T.legendButton);
    L.DomEvent.disableClickPropagation(d);
    L.DomEvent.disableScrollPropagation(d);
    return d;
  };
  legend.addTo(map);
  var title = L.control({position: AR ? "topright" : "topleft"});
  title.onAdd = function () {
    var d = L.DomUtil.create("div", "sm-title");
    d.setAttribute("dir", AR ? "rtl" : "ltr");
    return d;
  };
  title.addTo(map);
  // More names as the reader zooms in: towns from zoom 9 (a governorate fills the screen),
  // villages from zoom 10. Names are shown most important first (cities, then by population);
  // one that would overlap a name already shown is hidden until there is room for it.
  labelled.sort(function (a, b) { return a.rank - b.rank || b.pop - a.pop; });
  var declutter = function () {  // read every box first, then decide, then write: one layout pass
    var z = map.getZoom(), view = map.getContainer().getBoundingClientRect(), shown = [];
    var items = labelled.map(function (l) {
      var el = l.el();
      var wanted = !!el && (l.rank === 2 ? z >= 9 : (l.rank === 3 ? z >= 10 : true));
      return {el: el, wanted: wanted, r: wanted ? el.getBoundingClientRect() : null};
    });
    items.forEach(function (it) {
      if (!it.wanted) return;
      var r = it.r;
      if (r.right < view.left || r.left > view.right || r.bottom < view.top || r.top > view.bottom) return;
      it.clash = shown.some(function (s) {
        return r.left < s.right && r.right > s.left && r.top < s.bottom && r.bottom > s.top;
      });
      if (!it.clash) shown.push(r);
    });
    items.forEach(function (it) {
      if (it.el) it.el.classList.toggle("sm-label-hidden", !it.wanted || !!it.clash);
    });
  };
  map.on("zoomend moveend", declutter);
  map.whenReady(function () { setTimeout(declutter, 0); });
  map.on("popupopen", function () { L.DomUtil.addClass(map.getContainer(), "sm-popup-open"); });
  map.on("popupclose", function () { L.DomUtil.removeClass(map.getContainer(), "sm-popup-open"); });
  L.control.scale({imperial: false, position: AR ? "bottomright" : "bottomleft"}).addTo(map);
  map.attributionControl.setPrefix(false);
  P.attribution.forEach(function (a) { map.attributionControl.addAttribution(esc(a)); });

  function legendHtml(day, present, states) {
    var h = "<div class='sm-legend-title'>" + esc(T.legend) + "</div>";
    var seen = {};  // with --legend blocs several factions share one entry (their bloc)
    present.forEach(function (c) {
      var f = faction(c), label = f.group || f.name;
      if (seen[label]) return;
      seen[label] = true;
      h += "<div><i class='sm-swatch' style='background:" + f.color + "'></i>" + esc(label) + "</div>";
    });
    h += "<div class='sm-legend-title'>" + esc(T.states_title) + "</div>";
    if (states[1]) h += "<div><i class='sm-swatch sm-sw-claimed'></i>" + esc(T.states[1]) + "</div>";
    if (states[2]) h += "<div><i class='sm-swatch sm-sw-disputed'></i>" + esc(T.states[2]) + "</div>";
    if (states[3]) h += "<div><i class='sm-swatch' style='background:" + P.unknown.color + "'></i>" + esc(T.states[3]) + "</div>";
    h += "<div><i class='sm-swatch sm-sw-thin'></i>" + esc(T.thin) + "</div>";
    var changedText = P.highlight ? T.changedSince + " " + dateText(P.compare) : T.changed;
    if (states.changed) h += "<div><i class='sm-swatch sm-sw-changed'></i>" + esc(changedText) + "</div>";
    h += "<div class='sm-sources'>" + esc(T.sources) + " " + esc(spanText()) + "</div>";
    return h;
  }

  function show(day) {
    current.day = day;
    var present = {}, states = {};
    for (var i = 0; i < pieceLayers.length; i++) {
      var pc = P.pieces.features[i].properties;
      var st = stateAt(pc.u, day);
      present[ctrlOf(st)] = true; states[statusOf(st)] = true;
      pieceLayers[i].setStyle(pieceStyle(i, day));
    }
    for (var q = 0; q < fronts.length; q++) {
      var ea = P.pieces.features[P.edges[q].a].properties.u, eb = P.pieces.features[P.edges[q].b].properties.u;
      var ca = ctrlOf(stateAt(ea, day)), cb = ctrlOf(stateAt(eb, day));
      fronts[q].setStyle({opacity: ca >= 0 && cb >= 0 && ca !== cb ? 0.85 : 0});
    }
    for (var j = 0; j < placeLayers.length; j++) {
      var s1 = stateAt(j, day), c = ctrlOf(s1);
      var changed = changedHands(j, P.days.length > 1 ? day - 1 : P.compare, day);
      present[c] = true; states[statusOf(s1)] = true; if (changed) states.changed = true;
      placeLayers[j].setIcon(placeIcon(P.places[j], faction(c).color, statusOf(s1), changed));
    }
    var codes = Object.keys(present).map(Number).filter(function (c) { return c >= 0; })
      .sort(function (a, b) { return a - b; });
    legendBody.innerHTML = legendHtml(day, codes, states);
    title.getContainer().innerHTML = "<div class='sm-h1'>" + esc(T.title) + "</div><div class='sm-date'>" +
      esc(dateText(day)) + "</div>" + (P.caption[day] ? "<div class='sm-caption'>" + esc(P.caption[day]) + "</div>" : "") +
      outsideSpan(day);
    if (dayList) dayList.innerHTML = eventsOf(day);
    document.documentElement.setAttribute("data-day", dayText(day));
  }
  // The data's span: said on every page, and loudly when the day shown lies outside it.
  function spanText() {
    return T.dataFrom.replace("{a}", dateText(dayOf(P.span[0]))).replace("{b}", dateText(dayOf(P.span[1])));
  }
  function dayOf(text) { return Math.round(Date.parse(text + "T00:00:00Z") / 86400000); }
  function outsideSpan(day) {
    var msg = day < dayOf(P.span[0]) ? T.beforeData : (day > dayOf(P.span[1]) + 30 ? T.afterData : "");
    return msg ? "<div class='sm-stale' role='alert'>" + esc(msg.replace("{a}", dateText(dayOf(P.span[0])))
      .replace("{b}", dateText(dayOf(P.span[1])))) + "</div>" : "";
  }
  function dayText(day) { return new Date(day * 86400000).toISOString().slice(0, 10); }
  function dateText(day) {
    var d = new Date(day * 86400000);
    return d.getUTCDate() + " " + T.months[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }
  function eventsOf(day) {
    var list = P.eventsByDay[dayText(day)] || [];
    if (!list.length) return "<div class='sm-none'>" + esc(T.noEvents) + "</div>";
    return list.map(function (r) {
      var e = P.events[r];
      return "<div class='sm-ev'><b>" + esc(e.tn) + "</b>" + (AR ? " ← " : " → ") + esc(faction(e.c).name) + " (" +
        esc(T.statusWord[e.st]) + ")<br><span class='sm-src'>" + sourceHtml(P.sources[e.s]) + "</span></div>";
    }).join("");
  }

  // ---------------------------------------------------------------- slider (timeline only)
  var dayList = null;
  if (P.days.length > 1) {
    var ctl = L.control({position: "bottomleft"});
    ctl.onAdd = function () {
      var d = L.DomUtil.create("div", "sm-slider");
      d.setAttribute("dir", "ltr");
      var ticks = P.days.map(function (day, k) { return dayText(day).slice(8) === "01" ? "<option value='" + k + "'>" : ""; });
      d.innerHTML = "<button type='button' class='sm-prev' aria-label='previous day'>◀</button>" +
        "<button type='button' class='sm-play' aria-label='play'>▶</button>" +
        "<button type='button' class='sm-next' aria-label='next day'>▶|</button>" +
        "<select class='sm-speed' aria-label='" + esc(T.speed) + "'>" +
        "<option value='1'>" + esc(T.speeds[0]) + "</option><option value='7'>" + esc(T.speeds[1]) + "</option>" +
        "<option value='30'>" + esc(T.speeds[2]) + "</option></select>" +
        "<input type='range' class='sm-range' list='sm-months' min='0' max='" + (P.days.length - 1) + "' value='0' step='1'>" +
        "<datalist id='sm-months'>" + ticks.join("") + "</datalist>";
      var body = foldable(d, T.eventsButton);
      L.DomUtil.addClass(body, "sm-events");
      L.DomEvent.disableClickPropagation(d);
      L.DomEvent.disableScrollPropagation(d);
      return d;
    };
    ctl.addTo(map);
    var box = ctl.getContainer(), range = box.querySelector(".sm-range");
    dayList = box.querySelector(".sm-events");
    var timer = null;
    var go = function (k) {
      k = Math.max(0, Math.min(P.days.length - 1, k));
      range.value = k;
      var t0 = performance.now();
      show(P.days[k]);
      window.syriamapLastStepMs = performance.now() - t0;
      try { history.replaceState(null, "", "#" + dayText(P.days[k])); } catch (e) { /* a sandboxed frame */ }
    };
    // page.html#2024-12-08 or page.html?date=2024-12-08 opens on that day
    var linked = function () {
      var m = (location.hash.slice(1) || (location.search.match(/[?&]date=([0-9-]+)/) || [])[1] || "");
      if (!/^\d{4}-\d{2}-\d{2}$/.test(m)) return -1;
      var k = dayOf(m) - P.days[0];
      return k >= 0 && k < P.days.length ? k : -1;
    };
    window.addEventListener("hashchange", function () { var k = linked(); if (k >= 0 && k !== +range.value) go(k); });
    range.addEventListener("input", function () { go(+range.value); });
    box.querySelector(".sm-prev").addEventListener("click", function () { go(+range.value - 1); });
    box.querySelector(".sm-next").addEventListener("click", function () { go(+range.value + 1); });
    box.querySelector(".sm-play").addEventListener("click", function (ev) {
      if (timer) { clearInterval(timer); timer = null; ev.target.textContent = "▶"; return; }
      ev.target.textContent = "❚❚";
      timer = setInterval(function () {
        if (+range.value >= P.days.length - 1) { clearInterval(timer); timer = null; ev.target.textContent = "▶"; return; }
        go(+range.value + (+box.querySelector(".sm-speed").value));
      }, 700);
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowRight") go(+range.value + 1);
      if (ev.key === "ArrowLeft") go(+range.value - 1);
    });
    window.syriamapGo = go;
  }
  map.fitBounds(P.bounds, {animate: false});
  if (P.days.length > 1) {
    var first = linked();
    if (first < 0) first = Math.max(0, Math.min(P.days.length - 1, P.initial - P.days[0]));
    go(first);
  } else {
    show(P.days[0]);
  }
  // fit the country between the title above and the slider below, so neither covers it
  var below = P.days.length > 1 ? ctl.getContainer().offsetHeight + 10 : 0;
  var above = NARROW ? title.getContainer().offsetHeight + 10 : 0;
  map.fitBounds(P.bounds, {animate: false, paddingTopLeft: [0, above], paddingBottomRight: [0, below]});
  declutter();
  window.syriamapReady = true;
})();
