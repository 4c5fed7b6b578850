// kg export --format html: pan, zoom, search, relation filter and entity cards over an inline SVG.
// Self-contained: no network, the data is in <script id="kg-data" type="application/json">.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var svg = document.getElementById("kg-canvas");
  var viewport = document.getElementById("kg-viewport");
  var card = document.getElementById("kg-card");
  var search = document.getElementById("kg-search");
  var matches = document.getElementById("kg-matches");
  var state = { x: 0, y: 0, k: 1 };
  var nodeEls = {};
  var edgeEls = [];
  Array.prototype.forEach.call(svg.querySelectorAll(".node"), function (el) { nodeEls[el.getAttribute("data-id")] = el; });
  Array.prototype.forEach.call(svg.querySelectorAll(".edge"), function (el) { edgeEls.push(el); });
  var selected = null;

  // ------------------------------------------------------------ pan and zoom
  function apply() { viewport.setAttribute("transform", "translate(" + state.x + "," + state.y + ") scale(" + state.k + ")"); }
  var zoomNote = document.getElementById("kg-zoom-note");
  function fit() {
    var r = svg.getBoundingClientRect();
    var w = data.width || 1, h = data.height || 1;
    state.k = Math.min(r.width / (w + 24), r.height / (h + 24), 1.6);
    state.x = (r.width - w * state.k) / 2;
    state.y = (r.height - h * state.k) / 2;
    zoomNote.hidden = true;
    apply();
  }
  // on opening: the whole drawing when its labels can be read at that size, else readable labels around the
  // focus (or the most connected node), saying that Fit shows all
  function open() {
    fit();
    if (state.k >= (data.readable || 0)) { return; }
    var r = svg.getBoundingClientRect();
    var c = data.centre || [data.width / 2, data.height / 2];
    state.k = data.readable;
    state.x = Math.min(12, Math.max(r.width - data.width * state.k - 12, r.width / 2 - c[0] * state.k));
    state.y = Math.min(12, Math.max(r.height - data.height * state.k - 12, r.height / 2 - c[1] * state.k));
    zoomNote.hidden = false;
    apply();
  }
  function zoomAt(factor, cx, cy) {
    var k = Math.max(0.05, Math.min(8, state.k * factor));
    state.x = cx - (cx - state.x) * (k / state.k);
    state.y = cy - (cy - state.y) * (k / state.k);
    state.k = k;
    apply();
  }
  function centre(factor) { var r = svg.getBoundingClientRect(); zoomAt(factor, r.width / 2, r.height / 2); }
  function panTo(id) {
    var n = data.layout[id];
    if (!n) { return; }
    var r = svg.getBoundingClientRect();
    if (state.k < 1) { state.k = 1; }
    state.x = r.width / 2 - n.x * state.k;
    state.y = r.height / 2 - n.y * state.k;
    apply();
  }
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect();
    zoomAt(Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
  }, { passive: false });
  var drag = null;
  svg.addEventListener("pointerdown", function (ev) {
    if (ev.target.closest && ev.target.closest(".node")) { return; }
    drag = { x: ev.clientX, y: ev.clientY, sx: state.x, sy: state.y, moved: false };
    svg.classList.add("dragging");
    if (svg.setPointerCapture) { svg.setPointerCapture(ev.pointerId); }
  });
  svg.addEventListener("pointermove", function (ev) {
    if (!drag) { return; }
    var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; }
    state.x = drag.sx + dx;
    state.y = drag.sy + dy;
    apply();
  });
  function endDrag() {
    if (drag && !drag.moved) { select(null); }
    drag = null;
    svg.classList.remove("dragging");
  }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", function () { drag = null; svg.classList.remove("dragging"); });
  document.getElementById("kg-zoom-in").addEventListener("click", function () { centre(1.25); });
  document.getElementById("kg-zoom-out").addEventListener("click", function () { centre(0.8); });
  document.getElementById("kg-fit").addEventListener("click", fit);
  window.addEventListener("resize", open);

  // ------------------------------------------------------------ relation filter
  function applyFilter() {
    var on = {};
    Array.prototype.forEach.call(document.querySelectorAll("#kg-filters input"), function (box) { on[box.value] = box.checked; });
    edgeEls.forEach(function (el) { el.classList.toggle("off", !on[el.getAttribute("data-rel")]); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("#kg-filters input"), function (box) { box.addEventListener("change", applyFilter); });

  // ------------------------------------------------------------ search
  function runSearch() {
    var q = search.value.trim().toLowerCase();
    var found = [];
    data.nodes.forEach(function (n) {
      var hit = q !== "" && n.search.indexOf(q) !== -1;
      nodeEls[n.id].classList.toggle("match", hit);
      nodeEls[n.id].classList.toggle("dim", q !== "" && !hit);
      if (hit) { found.push(n.id); }
    });
    edgeEls.forEach(function (el) { el.classList.toggle("dim", q !== ""); });
    matches.textContent = q === "" ? "" : found.length + (found.length === 1 ? " match" : " matches");
    return found;
  }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { var found = runSearch(); if (found.length) { select(found[0]); panTo(found[0]); } }
    if (ev.key === "Escape") { search.value = ""; runSearch(); }
  });

  // ------------------------------------------------------------ cards
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function entityLink(ref) {
    if (nodeEls[ref.id]) {
      var b = el("button", null, ref.label);
      b.title = "show " + ref.label;
      b.addEventListener("click", function () { select(ref.id); panTo(ref.id); });
      return b;
    }
    return el("span", "plain", ref.label);
  }
  function showCard(id) {
    var c = data.cards[id];
    card.textContent = "";
    if (!c) { card.className = "empty"; card.textContent = "Click a node to see its card."; return; }
    card.className = "";
    card.setAttribute("data-id", id);
    card.appendChild(el("h3", null, c.label));
    var meta = el("div", "meta");
    meta.appendChild(el("span", "badge", c.type));
    if (c.status) { meta.appendChild(el("span", "badge", c.status)); }
    if (c.category) { meta.appendChild(el("span", "badge", c.category)); }
    card.appendChild(meta);
    var dl = el("dl");
    function row(k, v) { if (v !== undefined && v !== null && v !== "") { dl.appendChild(el("dt", null, k)); dl.appendChild(el("dd", null, v)); } }
    row("id", c.id);
    if (c.aliases && c.aliases.length) { row("aliases", c.aliases.join(", ")); }
    Object.keys(c.properties || {}).forEach(function (k) { row(k, c.properties[k]); });
    if (c.mentions) { row("mentioned in", c.mentions + " documents"); }
    card.appendChild(dl);
    if (c.members && c.members.length) {
      card.appendChild(el("h2", null, "collapsed here (" + c.members.length + ")"));
      var ml = el("ul");
      c.members.forEach(function (m) { ml.appendChild(el("li", null, m.label + " (" + m.type + (m.status ? ", " + m.status : "") + ")")); });
      card.appendChild(ml);
    }
    if (c.relations && c.relations.length) {
      card.appendChild(el("h2", null, "relations"));
      var ul = el("ul");
      c.relations.forEach(function (r) {
        var li = el("li", "rel");
        li.appendChild(document.createTextNode(r.direction === "out" ? r.relation + " → " : "← " + r.relation + " "));
        li.appendChild(entityLink(r.other));
        (r.evidence || []).forEach(function (ev) {
          var d = el("div", "ev");
          var where = ev.document + ":" + ev.line;
          if (ev.url) {
            var a = el("a", null, where);
            a.href = ev.url;
            a.target = "_blank";
            a.rel = "noopener";
            a.title = "open " + where;
            d.appendChild(a);
          } else {
            d.appendChild(el("code", null, where));
          }
          d.appendChild(document.createTextNode(" " + (ev.method ? "(" + ev.method + ") " : "") + ev.text));
          li.appendChild(d);
        });
        ul.appendChild(li);
      });
      card.appendChild(ul);
    }
    if (c.documents && c.documents.length) {
      card.appendChild(el("h2", null, "documents (" + c.documents.length + ")"));
      var dul = el("ul", "docs");
      c.documents.forEach(function (d) { dul.appendChild(el("li", null, d)); });
      card.appendChild(dul);
    }
  }
  function select(id) {
    if (selected && nodeEls[selected]) { nodeEls[selected].classList.remove("selected"); }
    selected = id;
    edgeEls.forEach(function (e) {
      e.classList.toggle("hl", id !== null && (e.getAttribute("data-source") === id || e.getAttribute("data-target") === id));
    });
    if (id && nodeEls[id]) { nodeEls[id].classList.add("selected"); }
    if (id) { document.body.classList.add("panel-open"); }
    showCard(id);
  }
  document.getElementById("kg-panel").addEventListener("click", function () { document.body.classList.toggle("panel-open"); });
  document.getElementById("kg-close").addEventListener("click", function () { document.body.classList.remove("panel-open"); });

  // ------------------------------------------------------------ export what is shown as SVG
  function exportSvg() {
    var r = svg.getBoundingClientRect();
    var copy = svg.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".off"), function (e) { e.parentNode.removeChild(e); });
    // the visible window, in drawing coordinates: what is on the screen is what is saved
    var vb = [-state.x / state.k, -state.y / state.k, r.width / state.k, r.height / state.k];
    copy.querySelector("#kg-viewport").removeAttribute("transform");
    copy.setAttribute("viewBox", vb.map(function (v) { return v.toFixed(1); }).join(" "));
    copy.setAttribute("width", Math.round(r.width));
    copy.setAttribute("height", Math.round(r.height));
    copy.removeAttribute("id");
    var style = document.createElementNS("http://www.w3.org/2000/svg", "style");
    style.textContent = data.svgStyle;
    copy.insertBefore(style, copy.firstChild);
    var text = '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy);
    var a = document.createElement("a");
    a.href = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
    a.download = (data.title || "kg").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase() + ".svg";
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
  }
  document.getElementById("kg-export").addEventListener("click", exportSvg);
  Object.keys(nodeEls).forEach(function (id) {
    var n = nodeEls[id];
    n.addEventListener("click", function (ev) { ev.stopPropagation(); select(id); });
    n.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(id); } });
  });

  open();
  applyFilter();
  showCard(null);
})();
