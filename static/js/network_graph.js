// Network graph page: loads the elements from graph.json (same filters as the page URL)
// and draws them with Cytoscape.js where the server placed them (each node carries its
// position, computed with networkx and cached by data version: the browser lays nothing
// out, it uses Cytoscape's "preset" layout). No inline scripts or styles (strict CSP): the
// colours come from CSS custom properties in network_graph.css, Cytoscape styles are set
// through its JS API. When drawn, the container gets data-rendered="1", data-nodes, data-edges
// and data-selected (the id of the highlighted search hit), which the browser tests read.
(() => {
  "use strict";

  const COMMUNITY_COLOURS = 12;
  const LABEL_ALL = 25; // views up to this size label every node
  const LABELLED = 20; // larger views label this many of the best connected nodes

  function cssVar(element, name, fallback) {
    const value = getComputedStyle(element).getPropertyValue(name).trim();
    return value || fallback;
  }

  function palette(container) {
    const kinds = {};
    for (const kind of ["initiative", "organisation", "person"]) {
      kinds[kind] = cssVar(container, `--graph-kind-${kind}`, "#6c757d");
    }
    const communities = [];
    for (let i = 0; i < COMMUNITY_COLOURS; i += 1) {
      communities.push(cssVar(container, `--graph-community-${i}`, "#6c757d"));
    }
    return {
      kinds,
      communities,
      none: cssVar(container, "--graph-community-none", "#c8c8c8"),
      edge: cssVar(container, "--graph-edge", "#adb5bd"),
      relationship: cssVar(container, "--graph-edge-relationship", "#495057"),
      selected: cssVar(container, "--graph-selected", "#ffc107"),
    };
  }

  function colourOf(node, mode, colours) {
    if (mode === "community") {
      const community = node.data("community");
      return community ? colours.communities[(community - 1) % COMMUNITY_COLOURS] : colours.none;
    }
    return colours.kinds[node.data("kind")] || colours.none;
  }

  function styles(data, mode, colours) {
    const maxDegree = Math.max(1, ...data.nodes.map((n) => n.data.degree || 0));
    const maxWeight = Math.max(1, ...data.edges.map((e) => e.data.weight || 1));
    const size = (node) => 14 + 36 * Math.sqrt((node.data("degree") || 0) / maxDegree);
    // Labels only for the best connected nodes (all of them in small views); the rest on hover.
    const largest = new Set(
      data.nodes
        .filter((n) => data.nodes.length <= LABEL_ALL || (n.data.degree || 0) > 0)
        .sort((a, b) => (b.data.degree || 0) - (a.data.degree || 0) || String(a.data.label).localeCompare(String(b.data.label), "de"))
        .slice(0, data.nodes.length <= LABEL_ALL ? data.nodes.length : LABELLED)
        .map((n) => n.data.id),
    );
    const label = (node) => (largest.has(node.id()) ? node.data("label") : "");
    return [
      {
        selector: "node",
        style: {
          "background-color": (node) => colourOf(node, mode, colours),
          width: size,
          height: size,
          // coloured by kind, the ring shows the community (and the other way round)
          "border-width": (node) => (mode === "kind" && node.data("community") ? 3 : 1),
          "border-color": (node) => (mode === "kind" ? colourOf(node, "community", colours) : "#ffffff"),
          label,
          "font-size": 10,
          "text-valign": "bottom",
          "text-margin-y": 3,
          "text-wrap": "ellipsis",
          "text-max-width": "140px",
          "min-zoomed-font-size": 7,
          color: "#212529",
        },
      },
      { selector: 'node[kind = "initiative"]', style: { shape: "ellipse" } },
      { selector: 'node[kind = "organisation"]', style: { shape: "round-rectangle" } },
      { selector: 'node[kind = "person"]', style: { shape: "diamond" } },
      {
        selector: "edge",
        style: {
          width: (edge) => 1 + 5 * ((edge.data("weight") || 1) / maxWeight),
          "line-color": colours.edge,
          opacity: 0.6,
          "curve-style": "haystack",
        },
      },
      {
        selector: 'edge[kind = "relationship"]',
        style: { "line-color": colours.relationship, "line-style": "dashed", opacity: 0.9, "curve-style": "straight" },
      },
      { selector: "node.hover", style: { label: "data(label)", "z-index": 20 } },
      { selector: "node.zoomed", style: { label: "data(label)" } },
      { selector: ".faded", style: { opacity: 0.15 } },
      {
        selector: "node:selected, node.focus",
        style: {
          label: "data(label)",
          "border-width": 5,
          "border-color": colours.selected,
          "font-weight": "bold",
          "z-index": 30,
        },
      },
    ];
  }

  const MAX_FIT_ZOOM = 1.5;
  const ZOOM_LABELS = 1.4; // zoomed in this much beyond the first view: all labels
  const FIND_ZOOM = 1.2;

  // "Im Graph finden": a name typed or picked from the list centres its node.
  function finder(container, cy) {
    const form = document.getElementById("graph-find");
    const input = document.getElementById("graph-find-q");
    const list = document.getElementById("graph-find-names");
    const result = document.getElementById("graph-find-result");
    if (!form || !input || !list || !result) {
      return;
    }
    const names = cy
      .nodes()
      .map((node) => String(node.data("label")))
      .sort((a, b) => a.localeCompare(b, "de"));
    list.replaceChildren(...names.map((name) => new Option(name)));
    form.hidden = false;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const wanted = input.value.trim().toLocaleLowerCase("de");
      if (!wanted) {
        return;
      }
      const matches = cy.nodes().filter((node) => String(node.data("label")).toLocaleLowerCase("de").includes(wanted));
      const exact = matches.filter((node) => String(node.data("label")).toLocaleLowerCase("de") === wanted);
      const node = (exact.nonempty() ? exact : matches.sort((a, b) => b.degree() - a.degree())).first();
      cy.elements().removeClass("faded");
      if (node.empty()) {
        result.textContent = (result.dataset.missText || "").replace("{q}", input.value.trim());
        container.dataset.centred = "";
        return;
      }
      cy.$(":selected").unselect();
      node.select();
      cy.elements().not(node.closedNeighborhood()).addClass("faded");
      cy.resize(); // the page may have moved or resized the canvas since it was drawn
      cy.zoom(Math.max(cy.zoom(), FIND_ZOOM));
      cy.center(node);
      container.dataset.centred = node.id();
      result.textContent = (result.dataset.foundText || "").replace("{name}", node.data("label"));
    });
  }
  function fitTo(cy, elements, padding) {
    cy.fit(elements, padding);
    if (cy.zoom() > MAX_FIT_ZOOM) {
      // a few nodes only: keep them at a readable size instead of filling the canvas
      cy.zoom(MAX_FIT_ZOOM);
      cy.center(elements);
    }
  }

  function highlight(cy, node) {
    const near = node.closedNeighborhood();
    cy.elements().not(near).addClass("faded");
    cy.$(":selected").unselect();
    node.select();
    fitTo(cy, near, 60);
  }

  function render(container, status, data) {
    const started = performance.now();
    const mode = container.dataset.colour === "community" ? "community" : "kind";
    const colours = palette(container);
    if (!data.nodes.length) {
      container.dataset.nodes = "0";
      container.dataset.edges = "0";
      container.dataset.drawMs = String(Math.round(performance.now() - started));
      container.dataset.rendered = "1";
      status.textContent = status.dataset.emptyText || "";
      return;
    }
    const cy = window.cytoscape({
      container,
      elements: { nodes: data.nodes, edges: data.edges },
      style: styles(data, mode, colours),
      layout: { name: "preset", fit: false },
      minZoom: 0.05,
      maxZoom: 4,
      textureOnViewport: data.nodes.length > 250,
      hideEdgesOnViewport: data.nodes.length > 250,
      boxSelectionEnabled: false,
      autoungrabify: false,
    });
    // The server placed every node (nodes without a shown link in rows below the network).
    const meta = data.meta;
    if (meta.focus) {
      cy.$id(meta.focus).addClass("focus");
    }
    const selected = meta.selected ? cy.$id(meta.selected) : cy.collection();
    if (selected.nonempty()) {
      highlight(cy, selected);
      container.dataset.selected = meta.selected;
    } else {
      fitTo(cy, cy.elements(), 30);
    }
    container.dataset.fitZoom = String(cy.zoom());
    container.dataset.labels = "largest";
    container.dataset.labelled = String(cy.nodes().filter((n) => n.style("label") !== "").length);
    container.dataset.layout = "preset";
    container.dataset.nodes = String(cy.nodes().length);
    container.dataset.edges = String(cy.edges().length);
    container.dataset.drawMs = String(Math.round(performance.now() - started));
    container.dataset.rendered = "1";
    status.textContent = (status.dataset.countText || "{nodes} / {edges}")
      .replace("{nodes}", String(cy.nodes().length))
      .replace("{edges}", String(cy.edges().length));

    // Zoomed in well beyond the first view: every node gets its label.
    let labelsAll = false;
    cy.on("zoom", () => {
      const base = Number(container.dataset.fitZoom || cy.zoom());
      const wanted = cy.zoom() >= base * ZOOM_LABELS;
      if (wanted !== labelsAll) {
        labelsAll = wanted;
        cy.batch(() => (wanted ? cy.nodes().addClass("zoomed") : cy.nodes().removeClass("zoomed")));
        container.dataset.labels = wanted ? "all" : "largest";
      }
    });
    finder(container, cy);

    cy.on("mouseover", "node", (event) => event.target.addClass("hover"));
    cy.on("mouseout", "node", (event) => event.target.removeClass("hover"));
    cy.on("tap", "node", (event) => {
      const node = event.target;
      const url = node.data("url");
      if (url) {
        window.location.assign(url);
      } else {
        const params = new URLSearchParams(window.location.search);
        params.set("focus", node.data("focus"));
        params.delete("q");
        window.location.assign(`${window.location.pathname}?${params.toString()}`);
      }
    });
    cy.on("tap", (event) => {
      if (event.target === cy) {
        cy.elements().removeClass("faded");
      }
    });
    container.cy = cy; // for debugging in the console
  }

  function start() {
    const container = document.getElementById("network-graph");
    const status = document.getElementById("graph-status");
    if (!container || !status) {
      return;
    }
    if (typeof window.cytoscape !== "function") {
      status.textContent = status.dataset.errorText || "";
      return;
    }
    fetch(container.dataset.src, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then((data) => render(container, status, data))
      .catch(() => {
        container.dataset.error = "1";
        status.textContent = status.dataset.errorText || "";
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
