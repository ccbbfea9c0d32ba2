"use strict";
// dedupe report: draws clusters and pairs from the embedded data when they are opened.
// Article text only ever reaches the page as text nodes (append/textContent) or as
// attribute values, never as markup.
(function () {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const TEMPLATE = 1, HEADING = 2, STOCK = 4;
  const OPEN_MEMBERS = 6;     // members shown open in a cluster; the rest on demand
  const GAP_CHARS = 600;      // unshared text longer than this is folded in the pair view
  const GAP_EDGE = 240;       // ...keeping this much at each end
  const EDGES_PER_NODE = 8;   // a cluster graph draws at most this many links per member
  const SVG = "http://www.w3.org/2000/svg";

  function el(tag, attrs, ...kids) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    for (const kid of kids) if (kid !== null && kid !== undefined) node.append(kid);
    return node;
  }

  function svg(tag, attrs, ...kids) {
    const node = document.createElementNS(SVG, tag);
    setAttrs(node, attrs);
    for (const kid of kids) if (kid !== null && kid !== undefined) node.append(kid);
    return node;
  }

  function setAttrs(node, attrs) {
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (typeof value === "function") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, String(value));
    }
  }

  const docName = (k) => data.docs[k].id;
  const other = (p, k) => (data.pairs[p].a === k ? data.pairs[p].b : data.pairs[p].a);
  const fixed = (x) => Number(x).toFixed(2);

  function docLink(k) {
    return el("a", {href: "#doc-" + k, class: "doc"}, docName(k));
  }

  function docFacts(k) {
    const doc = data.docs[k];
    const facts = [doc.date || "undated", doc.source, doc.words + " words"];
    if (doc.template_words) facts.push(doc.template_words + " template words");
    return facts.filter(Boolean).join(" · ");
  }

  // --- Text with marks --------------------------------------------------------------
  function firstMark(marks, from) {
    let lo = 0, hi = marks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid][1] <= from) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  function markNode(k, text, flags, pairs) {
    const classes = [], notes = [];
    if (flags & TEMPLATE) { classes.push("tpl"); notes.push("template line: not evidence"); }
    if (flags & HEADING) { classes.push("hd"); notes.push("reused heading"); }
    if (flags & STOCK) { classes.push("stk"); notes.push("stock phrase: not evidence"); }
    if (!pairs.length) return el("span", {class: classes.join(" "), title: notes.join("; ")}, text);
    classes.push("shared", "c" + data.pairs[pairs[0]].colour);
    if (pairs.length > 1) classes.push("multi");
    notes.unshift("shared with " + pairs.map((p) => docName(other(p, k))).join(", ") +
                  " (click for the pair)");
    return el("mark", {class: classes.join(" "), title: notes.join("; "), tabindex: 0,
                       "data-pair": pairs[0]}, text);
  }

  function textRange(k, from, to) {
    const doc = data.docs[k], text = doc.text, marks = doc.marks;
    const out = document.createDocumentFragment();
    let at = from;
    for (let m = firstMark(marks, from); m < marks.length && marks[m][0] < to; m++) {
      const [start, end, flags, pairs] = marks[m];
      const a = Math.max(start, from), b = Math.min(end, to);
      if (a > at) out.append(text.slice(at, a));
      out.append(markNode(k, text.slice(a, b), flags, pairs));
      at = b;
    }
    if (at < to) out.append(text.slice(at, to));
    return out;
  }

  function foldedRange(k, from, to) {
    if (to - from <= GAP_CHARS) return textRange(k, from, to);
    const box = el("span", {class: "folded"});
    const text = data.docs[k].text;
    // Fold at spaces, so that no word is cut in two.
    const head = Math.max(text.lastIndexOf(" ", from + GAP_EDGE), from + GAP_EDGE / 2);
    const tail = Math.min(text.indexOf(" ", to - GAP_EDGE) + 1 || to, to - GAP_EDGE / 2);
    const hidden = tail - head;
    const button = el("button", {type: "button", class: "unfold",
                                 onclick: () => box.replaceChildren(textRange(k, from, to))},
                      `… show ${hidden.toLocaleString("en")} more characters …`);
    box.append(textRange(k, from, head), button, textRange(k, tail, to));
    return box;
  }

  // --- Cluster view -----------------------------------------------------------------
  const clusters = new Map(data.clusters.map((c) => [c.id, c]));

  function showCluster(id, member) {
    const c = clusters.get(id);
    if (!c) return;
    const view = document.getElementById("cluster-view");
    if (view.dataset.cluster !== String(id)) {
      view.dataset.cluster = String(id);
      view.replaceChildren(...clusterParts(c));
    }
    view.hidden = false;
    selectRow("cluster-table", String(id));
    const target = member === undefined ? view : document.getElementById("member-" + member);
    if (target && target.tagName === "DETAILS") target.open = true;
    (target || view).scrollIntoView({block: "start"});
  }

  function clusterParts(c) {
    const dated = c.timeline.filter((t) => t[0] !== null).length;
    return [
      el("div", {class: "view-head"},
         el("h3", {}, `Cluster ${c.id}: ${c.members.length} documents`),
         el("a", {href: "#clusters", class: "close"}, "back to the table")),
      el("p", {class: "origin-line"}, "Likely origin ", docLink(c.origin),
         ` by rule ${c.rule} (confidence ${fixed(c.confidence)}); ${dated} of ` +
         `${c.members.length} members dated.`),
      el("div", {class: "cluster-figures"},
         el("figure", {}, el("figcaption", {}, "Timeline"), timeline(c)),
         el("figure", {}, el("figcaption", {}, "Links (line width: strength)"), graph(c))),
      el("h4", {}, "Links inside the cluster"), pairList(c.pairs),
      c.outside.length ? el("h4", {}, "Links to documents outside the cluster") : null,
      c.outside.length ? pairList(c.outside) : null,
      el("h4", {}, "Members"),
      legend(),
      ...c.members.map((k, i) => member(c, k, i < OPEN_MEMBERS)),
    ];
  }

  function timeline(c) {
    const box = el("div", {class: "timeline"});
    c.members.forEach((k, i) => {
      const [x, lag] = c.timeline[i];
      const track = el("span", {class: "track"});
      if (x === null) {
        track.append(el("span", {class: "undated"}, "undated"));
      } else {
        const dot = el("span", {class: "dot" + (k === c.origin ? " origin" : ""),
                                title: data.docs[k].date});
        dot.style.left = (x * 100).toFixed(2) + "%";
        track.append(dot);
      }
      box.append(el("div", {class: "tl-row" + (k === c.origin ? " origin" : "")},
                    el("span", {class: "tl-date"}, data.docs[k].date || "—"), track,
                    el("span", {class: "tl-doc"}, docLink(k),
                       k === c.origin ? el("span", {class: "badge"}, "origin") : null,
                       lag ? el("span", {class: "lag"}, lag) : null)));
    });
    return box;
  }

  function graph(c) {
    const box = el("div", {class: "graph-box"});
    const [width, height] = c.box;
    const pic = svg("svg", {viewBox: `0 0 ${width} ${height}`, class: "graph", role: "img",
                            "aria-label": `Cluster ${c.id}: documents and their links`});
    const where = new Map(c.members.map((k, i) => [k, c.layout[i]]));
    const limit = EDGES_PER_NODE * c.members.length;
    const edges = [...c.pairs].sort((p, q) => data.pairs[q].strength - data.pairs[p].strength)
      .slice(0, limit);
    for (const p of edges) {
      const pair = data.pairs[p];
      const [x1, y1] = where.get(pair.a), [x2, y2] = where.get(pair.b);
      pic.append(svg("line", {x1, y1, x2, y2, class: "edge c" + pair.colour,
                              "stroke-width": (1 + 7 * pair.strength).toFixed(1),
                              "data-pair": p},
                     svg("title", {}, `${docName(pair.a)} and ${docName(pair.b)}: ` +
                         `${pair.evidence} (strength ${fixed(pair.strength)})`)));
    }
    const labels = c.members.length <= 24;
    for (const k of c.members) {
      const [x, y] = where.get(k);
      const origin = k === c.origin;
      const node = svg("g", {class: "node" + (origin ? " origin" : ""), "data-member": k},
                       svg("circle", {cx: x, cy: y, r: origin ? 10 : 7}),
                       svg("title", {}, `${docName(k)}: ${docFacts(k)}` +
                           (origin ? " (likely origin)" : "")));
      if (labels) {
        const name = docName(k);
        const label = name.length > 14 ? name.slice(0, 13) + "…" : name;
        node.append(svg("text", {x, y: y + (origin ? 24 : 21), "text-anchor": "middle"}, label));
      }
      pic.append(node);
    }
    box.append(pic);
    if (edges.length < c.pairs.length) {
      box.append(el("p", {class: "note"},
                    `The ${edges.length} strongest of ${c.pairs.length} links are drawn.`));
    }
    return box;
  }

  function pairList(pairs) {
    const list = el("ul", {class: "pair-list"});
    for (const p of pairs) {
      const pair = data.pairs[p];
      list.append(el("li", {},
                     el("span", {class: "swatch c" + pair.colour}),
                     el("a", {href: "#pair-" + p}, `${docName(pair.a)} ↔ ${docName(pair.b)}`),
                     ` ${pair.relation}, strength ${fixed(pair.strength)}: ${pair.evidence}`));
    }
    return list;
  }

  function legend() {
    return el("p", {class: "legend"},
              el("mark", {class: "shared c0"}, "shared passage"), " (one colour per link) ",
              el("span", {class: "hd"}, "reused heading"), " ",
              el("span", {class: "stk"}, "stock phrase"), " ",
              el("span", {class: "tpl"}, "template line"));
  }

  function member(c, k, open) {
    const doc = data.docs[k];
    const body = el("div", {class: "text"});
    const box = el("details", {class: "member", id: "member-" + k},
                   el("summary", {},
                      el("strong", {}, doc.id),
                      k === c.origin ? el("span", {class: "badge"}, "origin") : null,
                      el("span", {class: "facts"}, docFacts(k)),
                      doc.title ? el("span", {class: "title"}, doc.title) : null),
                   doc.href ? el("p", {class: "url"},
                                 el("a", {href: doc.href, rel: "noopener noreferrer"},
                                    doc.url)) : null,
                   body);
    const draw = () => {
      if (!body.childNodes.length) body.append(textRange(k, 0, doc.text.length));
    };
    box.addEventListener("toggle", () => { if (box.open) draw(); });
    if (open) { box.open = true; draw(); }
    return box;
  }

  // --- Pair view --------------------------------------------------------------------
  function showPair(p) {
    const pair = data.pairs[p];
    if (!pair) return;
    const view = document.getElementById("pair-view");
    const [ain, bin] = pair.containment;
    const rows = pair.rows.map(([a0, a1, b0, b1, shared]) =>
      el("tr", {class: shared ? "shared-row" : "gap-row"},
         el("td", {}, shared ? textRange(pair.a, a0, a1) : foldedRange(pair.a, a0, a1)),
         el("td", {}, shared ? textRange(pair.b, b0, b1) : foldedRange(pair.b, b0, b1))));
    view.replaceChildren(
      el("div", {class: "view-head"},
         el("h3", {}, "Pair ", docLink(pair.a), " ↔ ", docLink(pair.b)),
         el("a", {href: "#pairs", class: "close"}, "back to the table")),
      el("p", {}, `${pair.relation}, strength ${fixed(pair.strength)}, Jaccard ` +
         `${fixed(pair.jaccard)}, containment ${fixed(ain)} / ${fixed(bin)}` +
         (pair.cluster === null ? "" : `, cluster ${pair.cluster}`) + `: ${pair.evidence}`),
      legend(),
      el("table", {class: "side-by-side"},
         el("thead", {}, el("tr", {}, el("th", {}, docName(pair.a), el("br"),
                                         el("small", {}, docFacts(pair.a))),
                              el("th", {}, docName(pair.b), el("br"),
                                 el("small", {}, docFacts(pair.b))))),
         el("tbody", {}, ...rows)));
    view.dataset.pair = String(p);
    view.hidden = false;
    selectRow("pair-table", String(p));
    view.scrollIntoView({block: "start"});
  }

  function showDoc(k) {
    const doc = data.docs[k];
    if (!doc) return;
    if (doc.cluster !== null) { showCluster(doc.cluster, k); return; }
    const row = selectRow("document-table", String(k));
    if (row) row.scrollIntoView({block: "center"});
  }

  // --- Tables: rows drawn from the data one page at a time; filter, sort --------------
  const cellText = (cell) => (Array.isArray(cell) ? cell[0] : cell);

  function setupTable(table) {
    const body = table.tBodies[0];
    const heads = Array.from(table.tHead.rows[0].cells);
    const classes = heads.map((th) => th.className || null);
    const numeric = heads.map((th) => th.dataset.type === "number");
    const all = data.tables[table.id] || [];
    const haystack = all.map((row) => row.slice(2).map(cellText).join(" ").toLowerCase());
    const page = Number(table.dataset.page) || 100;
    const filter = document.querySelector(`input[data-filter="${table.id}"]`);
    const status = el("p", {class: "table-status"});
    const more = el("button", {type: "button", class: "more"});
    table.after(status, more);
    let order = all.map((_, i) => i), matching = order, shown = page, query = "";
    let selected = null, pinned = null;

    function cellNode(cell, c) {
      const link = Array.isArray(cell) && cell[1] ? cell[1] : null;
      const content = link ? el("a", {href: link, rel: link.startsWith("#") ? null :
                                      "noopener noreferrer"}, String(cell[0]))
                           : String(cellText(cell) ?? "");
      return el("td", {class: classes[c]}, content);
    }
    function rowNode(row) {
      const [key, href, ...cells] = row;
      return el("tr", {"data-key": key, "data-href": href,
                       class: String(key) === selected ? "selected" : null},
                ...cells.map(cellNode));
    }
    function draw() {
      let rows = matching.slice(0, shown);
      // The selected row stays in sight: on top when the page does not reach it.
      if (pinned !== null && !rows.includes(pinned) && matching.includes(pinned)) {
        rows = [pinned, ...rows];
      }
      body.replaceChildren(...rows.map((i) => rowNode(all[i])));
      status.textContent = `${rows.length} of ${matching.length} shown` +
        (query ? ` (${all.length} in all)` : "");
      more.hidden = matching.length <= shown;
      more.textContent = `Show ${Math.min(page, matching.length - shown)} more`;
    }
    function refilter() {
      matching = query ? order.filter((i) => haystack[i].includes(query)) : order;
    }
    more.addEventListener("click", () => { shown += page; draw(); });
    if (filter) filter.addEventListener("input", () => {
      query = filter.value.trim().toLowerCase(); shown = page; refilter(); draw();
    });
    heads.forEach((th, column) => {
      const button = el("button", {type: "button", class: "sort"}, th.textContent);
      th.replaceChildren(button);
      button.addEventListener("click", () => {
        const descending = th.getAttribute("aria-sort") !== "descending";
        heads.forEach((h) => h.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        const key = (i) => {
          const value = cellText(all[i][column + 2]);
          if (!numeric[column]) return String(value ?? "").toLowerCase();
          return value === "" || value === null ? -Infinity : Number(value);
        };
        const keys = all.map((_, i) => key(i));
        order = [...order].sort((x, y) => {
          const a = keys[x], b = keys[y];
          return (a < b ? -1 : a > b ? 1 : 0) * (descending ? -1 : 1);
        });
        refilter();
        draw();
      });
    });
    // Show and select the row with this key.
    table.select = (key) => {
      selected = String(key);
      const at = all.findIndex((row) => String(row[0]) === selected);
      pinned = at < 0 ? null : at;
      draw();
      return body.querySelector(`tr[data-key="${CSS.escape(selected)}"]`);
    };
    body.addEventListener("click", (event) => {
      const row = event.target.closest("tr[data-href]");
      if (row && !event.target.closest("a, button")) go(row.dataset.href);
    });
    draw();
  }

  function selectRow(tableId, key) {
    const table = document.getElementById(tableId);
    return table && table.select ? table.select(key) : null;
  }

  // --- Wiring -----------------------------------------------------------------------
  function go(hash) {
    if (location.hash === hash) route(); else location.hash = hash;
  }

  function route() {
    let hash, match;
    try {
      hash = decodeURIComponent(location.hash.slice(1));
    } catch (error) {
      return;  // not an address of this page
    }
    if ((match = /^cluster-(\d+)$/.exec(hash))) showCluster(Number(match[1]));
    else if ((match = /^pair-(\d+)$/.exec(hash))) showPair(Number(match[1]));
    else if ((match = /^doc-(\d+)$/.exec(hash))) showDoc(Number(match[1]));
  }

  function follow(event) {
    const mark = event.target.closest("mark[data-pair], line[data-pair]");
    if (mark) { go("#pair-" + mark.dataset.pair); return; }
    const node = event.target.closest("g[data-member]");
    if (node) {
      const box = document.getElementById("member-" + node.dataset.member);
      if (box) { box.open = true; box.scrollIntoView({block: "start"}); }
    }
  }

  document.querySelectorAll("table[data-page]").forEach(setupTable);
  document.addEventListener("click", follow);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches("mark[data-pair]")) follow(event);
  });
  window.addEventListener("hashchange", route);
  document.documentElement.classList.add("js");
  route();
})();
