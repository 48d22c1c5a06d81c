(function () {
  "use strict";
  // kg viz: read the JSON data block, draw with vis-network, stop physics once stabilised, show details
  // on click, draw the base map under pinned places (--geo), show or hide what was left out. DOM is built
  // with textContent only: nothing from the graph is ever parsed as markup.
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(document.getElementById("graph"), {nodes: nodes, edges: edges}, data.options);
  var kg = {network: network, nodes: nodes, edges: edges, ready: false};
  window.kg = kg;
  function settle() {
    network.setOptions({physics: {enabled: false}});
    kg.ready = true;
    document.body.setAttribute("data-ready", "true");
  }
  function relayout() {
    kg.ready = false;
    document.body.setAttribute("data-ready", "false");
    network.setOptions({physics: {enabled: true}});
    network.once("stabilizationIterationsDone", settle);
    network.stabilize(400);
  }
  if (data.nodes.length === 0) { settle(); } else { network.once("stabilizationIterationsDone", settle); }

  var map = data.basemap;
  if (map) {
    network.on("beforeDrawing", function (ctx) {
      var b = map.bounds, scale = network.getScale();
      ctx.save();
      ctx.fillStyle = map.sea;
      ctx.fillRect(b[0], b[1], b[2], b[3]);
      ctx.lineWidth = 1 / scale;
      ctx.lineJoin = "round";
      map.countries.forEach(function (c) {
        ctx.beginPath();
        c.rings.forEach(function (ring) {
          ring.forEach(function (p, i) { if (i === 0) { ctx.moveTo(p[0], p[1]); } else { ctx.lineTo(p[0], p[1]); } });
          ctx.closePath();
        });
        ctx.fillStyle = map.land;
        ctx.fill("evenodd");
        ctx.strokeStyle = map.border;
        ctx.stroke();
      });
      ctx.restore();
    });
  }

  var toggle = document.getElementById("show-left-out");
  if (toggle) {
    toggle.addEventListener("change", function () {
      if (toggle.checked) {
        nodes.add(data.hidden.nodes);
        edges.add(data.hidden.edges);
      } else {
        edges.remove(data.hidden.edges.map(function (e) { return e.id; }));
        nodes.remove(data.hidden.nodes.map(function (n) { return n.id; }));
      }
      relayout();
    });
  }

  var panel = document.getElementById("details");
  function add(parent, tag, text, cls) {
    var el = document.createElement(tag);
    if (text !== undefined && text !== null) { el.textContent = String(text); }
    if (cls) { el.className = cls; }
    parent.appendChild(el);
    return el;
  }
  function clear() { while (panel.firstChild) { panel.removeChild(panel.firstChild); } }
  function hint() { clear(); add(panel, "p", "Click a node or an edge to see its details and evidence.", "meta"); }
  function showNode(id) {
    var d = data.details.nodes[id];
    if (!d) { return hint(); }
    clear();
    add(panel, "h2", d.label);
    add(panel, "p", d.type, "meta");
    if (d.left_out) { add(panel, "p", "Left out of the graph: " + d.left_out, "meta"); }
    if (d.aliases.length) { add(panel, "p", "Also: " + d.aliases.join(", ")); }
    if (d.coordinates) { add(panel, "p", "Coordinates: " + d.coordinates.join(", "), "meta"); }
    if (d.geonames && d.geonames.indexOf("https://sws.geonames.org/") === 0) {
      var p = add(panel, "p", "GeoNames: ");
      var a = add(p, "a", d.geonames);
      a.href = d.geonames; a.target = "_blank"; a.rel = "noopener noreferrer";
    }
    add(panel, "p", "Centrality: " + d.centrality, "meta");
    add(panel, "p", d.iri, "meta");
    var links = network.getConnectedEdges(id);
    if (links.length) {
      add(panel, "h2", "Relations");
      var ul = add(panel, "ul");
      links.forEach(function (eid) {
        var e = data.details.edges[eid];
        if (!e) { return; }
        var text = e.subject + " " + e.predicate + " " + e.object + " (" + e.support + ")";
        add(ul, "li", text + (e.claim ? " [claim]" : ""));
      });
    }
  }
  function showEdge(id) {
    var e = data.details.edges[id];
    if (!e) { return hint(); }
    clear();
    add(panel, "h2", e.subject + " " + e.predicate + " " + e.object);
    var sources = e.support + " source" + (e.support === 1 ? "" : "s");
    add(panel, "p", (e.claim ? "Claim (negated or not factual) · " : "") + sources, "meta");
    e.evidence.forEach(function (ev) {
      add(panel, "blockquote", ev.text);
      var how = [ev.document];
      if (ev.time) { how.push(ev.time); }
      if (ev.polarity !== "Positive") { how.push(ev.polarity.toLowerCase()); }
      if (ev.modality !== "Actual") { how.push(ev.modality.toLowerCase()); }
      if (ev.trigger) { how.push("trigger: " + ev.trigger); }
      if (ev.confidence !== null) { how.push("confidence " + ev.confidence); }
      add(panel, "p", how.join(" · "), "meta");
    });
  }
  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges.length) { showEdge(params.edges[0]); }
    else { hint(); }
  });
  var find = document.getElementById("find");
  find.addEventListener("change", function () {
    var q = find.value.trim().toLowerCase();
    if (!q) { return; }
    var hit = nodes.get({filter: function (n) { return n.label.toLowerCase().indexOf(q) !== -1; }})[0];
    if (hit) { network.selectNodes([hit.id]); network.focus(hit.id, {animation: false}); showNode(hit.id); }
  });
  hint();
})();
