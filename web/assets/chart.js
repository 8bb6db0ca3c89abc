// A small bar chart drawn as inline SVG (window.TroughChart), with a table of the same numbers for screen
// readers (and, on request, for everyone). No innerHTML: every node is built with createElement(NS).
(function () {
  "use strict";
  const { el } = Trough;
  const SVG = "http://www.w3.org/2000/svg";
  const HEIGHT = 200;
  const MARGIN = { top: 12, right: 8, bottom: 26, left: 60 };
  let chartCount = 0;

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, String(value));
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** Round axis steps (1, 2, 2.5, 5 × 10^k) so that `count` steps cover `max`. */
  function ticks(max, count) {
    if (!(max > 0)) return { top: 1, values: [0], step: 1 };
    const rough = max / count;
    const power = Math.pow(10, Math.floor(Math.log10(rough)));
    const step = [1, 2, 2.5, 5, 10].map(function (m) { return m * power; }).find(function (s) { return s >= rough; });
    const top = Math.ceil(max / step - 1e-9) * step;
    const values = [];
    for (let v = 0; v <= top + step / 2; v += step) values.push(v);
    return { top: top, values: values, step: step };
  }

  /** A dollar axis label with as many decimals as the step needs (2 at least): the data keep their exact text. */
  function dollars(value, step) {
    const decimals = Math.min(9, Math.max(2, Math.ceil(-Math.log10(step)) + (String(step).includes("25") ? 1 : 0)));
    return "$" + value.toFixed(decimals);
  }

  /**
   * Draws a bar chart into `container` (replacing its content) and redraws it when the container's width changes.
   * options: title (also the table's caption), summary (one sentence: the SVG's description), columns (table
   * headings), points [{label (axis, may be ""), value (number, only for drawing), tip (the bar's tooltip),
   * cells (the table row's strings)}], format (axis label for a value, given the step; default dollars),
   * empty (text drawn when every value is 0).
   */
  function bars(container, options) {
    const id = "chart-" + (++chartCount);
    container.replaceChildren();
    container.classList.add("chart");

    const holder = el("div", null, { class: "chart-svg" });
    const toggle = el("button", "Show as a table", { type: "button", class: "secondary small", "aria-expanded": "false", "aria-controls": id + "-table" });
    const tableWrap = el("div", null, { class: "table-wrap visually-hidden", id: id + "-table" });
    const tableEl = el("table");
    tableEl.append(el("caption", options.title));
    const headRow = el("tr");
    for (const heading of options.columns) headRow.append(el("th", heading, { scope: "col" }));
    const head = el("thead");
    head.append(headRow);
    const body = el("tbody");
    for (const point of options.points) {
      const row = el("tr");
      point.cells.forEach(function (cell, i) { row.append(el(i === 0 ? "th" : "td", cell, i === 0 ? { scope: "row" } : {})); });
      body.append(row);
    }
    tableEl.append(head, body);
    tableWrap.append(tableEl);
    toggle.addEventListener("click", function () {
      const shown = tableWrap.classList.toggle("visually-hidden") === false;
      toggle.setAttribute("aria-expanded", String(shown));
      toggle.textContent = shown ? "Hide the table" : "Show as a table";
    });
    container.append(holder, toggle, tableWrap);

    let drawnWidth = 0;
    function draw() {
      const width = Math.max(260, Math.floor(holder.clientWidth || container.clientWidth || 600));
      if (width === drawnWidth) return;
      drawnWidth = width;
      holder.replaceChildren(render(id, width, options));
    }
    draw();
    if (typeof ResizeObserver === "function") {
      let pending = false;
      new ResizeObserver(function () {
        if (pending) return;
        pending = true;
        requestAnimationFrame(function () { pending = false; draw(); });
      }).observe(holder);
    }
  }

  function render(id, width, options) {
    const points = options.points;
    const format = options.format || dollars;
    const plotWidth = width - MARGIN.left - MARGIN.right;
    const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
    const max = points.reduce(function (m, p) { return Math.max(m, p.value || 0); }, 0);
    const axis = ticks(max, 4);

    const root = svg("svg", {
      width: width, height: HEIGHT, viewBox: "0 0 " + width + " " + HEIGHT, role: "img",
      "aria-labelledby": id + "-title " + id + "-desc", class: "chart-graphic",
    });
    root.append(svg("title", { id: id + "-title" }, options.title), svg("desc", { id: id + "-desc" }, options.summary));

    // Horizontal grid lines with their labels on the left.
    for (const value of axis.values) {
      const y = MARGIN.top + plotHeight - (value / axis.top) * plotHeight;
      root.append(svg("line", { x1: MARGIN.left, x2: width - MARGIN.right, y1: y, y2: y, class: value === 0 ? "axis" : "grid" }));
      root.append(svg("text", { x: MARGIN.left - 6, y: y + 4, "text-anchor": "end", class: "tick" }, max > 0 ? format(value, axis.step) : format(0, 1)));
    }

    // Bars, each with its tooltip; labels under every n-th bar so they never overlap.
    const band = plotWidth / Math.max(1, points.length);
    const barWidth = Math.max(1, band * 0.72);
    const labelled = points.filter(function (p) { return p.label; }).length || 1;
    const every = Math.max(1, Math.ceil(labelled / Math.max(1, Math.floor(plotWidth / 52))));
    let labelIndex = 0;
    points.forEach(function (point, i) {
      const x = MARGIN.left + i * band + (band - barWidth) / 2;
      const h = max > 0 ? ((point.value || 0) / axis.top) * plotHeight : 0;
      const bar = svg("rect", { x: x, y: MARGIN.top + plotHeight - h, width: barWidth, height: Math.max(h, point.value > 0 ? 1 : 0), class: "bar" });
      bar.append(svg("title", null, point.tip));
      root.append(bar);
      if (point.label) {
        if (labelIndex % every === 0) {
          root.append(svg("text", { x: x + barWidth / 2, y: HEIGHT - 8, "text-anchor": "middle", class: "tick" }, point.label));
        }
        labelIndex++;
      }
    });
    if (!(max > 0) && options.empty) {
      root.append(svg("text", { x: MARGIN.left + plotWidth / 2, y: MARGIN.top + plotHeight / 2, "text-anchor": "middle", class: "chart-empty" }, options.empty));
    }
    return root;
  }

  window.TroughChart = { bars: bars, ticks: ticks, dollars: dollars };
})();
