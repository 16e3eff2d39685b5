/* Interactive report of a coating screen. Reads the JSON in #report-data; no network. */
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("report-data").textContent);
  const E = DATA.energy_column;            // "energy_mutual" or "energy"
  const KIND = DATA.energy_kind;           // "mutual" or "total"
  const V_MAX = 6.0;                       // V: right end of the window axis
  const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                  "#bcbd22", "#7f7f7f"];

  // ------------------------------------------------------------------ lookups
  const icol = DATA.interfaces.columns;
  const IFACE = {};
  for (const row of DATA.interfaces.rows) {
    const o = {};
    icol.forEach((c, i) => { o[c] = row[i]; });
    IFACE[String(o.interface)] = o;
  }
  const kcol = DATA.kinks.columns;
  function kinksOf(id) {
    const rows = DATA.kinks.by_interface[String(id)] || [];
    return rows.map((r) => { const o = {}; kcol.forEach((c, i) => { o[c] = r[i]; }); return o; });
  }
  const wcol = DATA.windows.columns;
  const WINDOWS = DATA.windows.rows.map((r) => { const o = {}; wcol.forEach((c, i) => { o[c] = r[i]; }); return o; });
  function windowOf(role, name) {
    return WINDOWS.find((w) => w.role === role && w.name === name) || null;
  }

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  // Text for plotly, which renders a subset of HTML (<a href>, <b>, <br>, ...) in names, labels and hover text
  // and decodes &amp; &lt; &gt;: a name like <a href="..."> must show as text, not become a link.
  function pesc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  function fmt(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(4);
    if (typeof v === "boolean") return v ? "yes" : "no";
    return String(v);
  }
  function ifaceLabel(o) {
    const where = (o.voltage === null || o.voltage === undefined) ? "closed" : o.voltage.toFixed(2) + " V";
    return o.a_name + " | " + (o.b_role === "cathode_charged" ? o.b_name + " (charged)" : o.b_name) + " (" + where + ")";
  }
  function unitsOf(o) {
    return (o.voltage === null || o.voltage === undefined) ? "eV/atom" : "eV per non-Li atom";
  }

  // full rows of every stack (columns constant in a stack are stored once in the data)
  for (const s of DATA.stacks) {
    const pos = {};
    s.varying.forEach((c, i) => { pos[c] = i; });
    s.rows = s.rows.map((r) => DATA.columns.map((c) => (c in pos ? r[pos[c]] : s.constant[c])));
  }

  // ------------------------------------------------------------------ state
  const state = { stack: null, sortCol: "rank", sortDir: 1, filter: "", passingOnly: false, coating: null };
  const cols = DATA.columns;
  const colIndex = {};
  cols.forEach((c, i) => { colIndex[c] = i; });

  // ------------------------------------------------------------------ stack selector
  const select = document.getElementById("stack-select");
  DATA.stacks.forEach((s, i) => {
    const opt = document.createElement("option");
    opt.value = String(i);
    opt.textContent = s.name + " (" + s.n_candidates + " coatings)";
    select.appendChild(opt);
  });
  select.addEventListener("change", () => selectStack(Number(select.value)));

  function selectStack(i) {
    state.stack = DATA.stacks[i];
    const s = state.stack;
    const lo = s.potential_low, hi = s.potential_high;
    const pot = (lo === null) ? "" : (lo === hi ? lo.toFixed(2) + " V" : lo.toFixed(2) + "-" + hi.toFixed(2) + " V");
    document.getElementById("stack-summary").textContent =
      s.electrode + " (" + (s.electrode_role || "electrode") + (pot ? ", " + pot : "") + ") with " + s.electrolyte;
    renderFunnel();
    const first = s.rows.length ? s.rows[0][colIndex.coating] : null;
    renderTable();
    selectCoating(first);
    drawWindows();
  }

  // ------------------------------------------------------------------ funnel
  // Where each candidate left the funnel (column "stage"; Xiao et al. 2019: cheap criteria first, reaction
  // energies only for what survives them).
  function renderFunnel() {
    const el = document.getElementById("funnel");
    const s = state.stack;
    const counts = s.funnel || {};
    const order = DATA.stages.length ? DATA.stages : Object.keys(counts).sort();
    const parts = order.filter((st) => counts[st]).map((st) => st + ": " + counts[st]);
    const left = s.omitted_rows ? " The table holds the " + s.rows.length + " ranked rows; the " + s.omitted_rows +
      " candidates that stopped at the cheap filters are in rankings.csv (report.html_max_rows)." : "";
    const verdict = s.rows.length && colIndex.stack_note !== undefined ? s.rows[0][colIndex.stack_note] : "";
    const crit = s.rows.length && colIndex.criteria !== undefined ? s.rows[0][colIndex.criteria] : "";
    el.textContent = (verdict ? "Verdict (" + crit + "): " + verdict + ". " : "") +
      (parts.length ? "Stages of the " + s.n_candidates + " candidates (passed = every gate; marginal = its worst " +
      "gate is marginal; fails = a gate fails; screened = a database candidate stopped by a cheap gate): " +
      parts.join(", ") + "." : "") + left;
  }

  // ------------------------------------------------------------------ ranking table
  const thead = document.querySelector("#ranking-table thead");
  const tbody = document.querySelector("#ranking-table tbody");
  thead.innerHTML = "<tr>" + cols.map((c) => '<th data-col="' + esc(c) + '">' + esc(c) + "</th>").join("") + "</tr>";
  thead.addEventListener("click", (ev) => {
    const th = ev.target.closest("th");
    if (!th) return;
    const c = th.dataset.col;
    state.sortDir = (state.sortCol === c) ? -state.sortDir : 1;
    state.sortCol = c;
    renderTable();
  });
  document.getElementById("table-filter").addEventListener("input", (ev) => {
    state.filter = ev.target.value.toLowerCase();
    renderTable();
  });
  document.getElementById("passing-only").addEventListener("change", (ev) => {
    state.passingOnly = ev.target.checked;
    renderTable();
  });
  tbody.addEventListener("click", (ev) => {
    const tr = ev.target.closest("tr");
    if (tr) selectCoating(tr.dataset.coating);
  });

  function compare(a, b) {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;   // missing values last in both directions
    if (b === null || b === undefined) return -1;
    if (typeof a === "number" && typeof b === "number") return state.sortDir * (a - b);
    return state.sortDir * String(a).localeCompare(String(b));
  }

  function renderTable() {
    const s = state.stack;
    const ci = colIndex[state.sortCol];
    const iPass = colIndex.passes, iCoat = colIndex.coating;
    let rows = s.rows.slice();
    if (state.passingOnly && iPass !== undefined) rows = rows.filter((r) => r[iPass] === true);
    if (state.filter) rows = rows.filter((r) => r.some((v) => v !== null && String(v).toLowerCase().includes(state.filter)));
    if (ci !== undefined) {
      rows.sort((a, b) => {
        const c = compare(a[ci], b[ci]);
        return c !== 0 ? c : String(a[iCoat]).localeCompare(String(b[iCoat]));
      });
    }
    const parts = [];
    for (const r of rows) {
      const iWorst = colIndex.worst_tier;
      const cls = (iPass === undefined || r[iPass] === null) ? "" : (r[iPass] ? "passes" :
        (iWorst !== undefined && r[iWorst] === "marginal" && r[colIndex.rank] !== null ? "marginal" : "fails"));
      const sel = r[iCoat] === state.coating ? " selected" : "";
      parts.push('<tr class="' + cls + sel + '" data-coating="' + esc(r[iCoat]) + '">' + r.map((v, j) => {
        const k = cols[j] === "fail_reasons" ? "reasons" :
          (typeof v === "number" ? "num" : (typeof v === "string" && v.length > 40 ? "long" : ""));
        const title = k === "long" ? ' title="' + esc(v) + '"' : "";
        return '<td class="' + k + '"' + title + ">" + esc(fmt(v)) + "</td>";
      }).join("") + "</tr>");
    }
    tbody.innerHTML = parts.join("");
    thead.querySelectorAll("th").forEach((th) => {
      th.classList.toggle("sorted-asc", th.dataset.col === state.sortCol && state.sortDir > 0);
      th.classList.toggle("sorted-desc", th.dataset.col === state.sortCol && state.sortDir < 0);
    });
    document.getElementById("row-count").textContent = rows.length + " of " + s.rows.length + " rows";
  }

  // ------------------------------------------------------------------ profiles
  function rowOf(coating) {
    return state.stack.rows.find((r) => r[colIndex.coating] === coating) || null;
  }

  function selectCoating(coating) {
    state.coating = coating;
    tbody.querySelectorAll("tr").forEach((tr) => tr.classList.toggle("selected", tr.dataset.coating === coating));
    drawProfiles();
    drawWindows();
  }

  function profileTraces(ids, axis, colorOffset, dash) {
    const traces = [], minima = [];
    ids.forEach((id, k) => {
      const o = IFACE[String(id)];
      const ks = kinksOf(id);
      if (!o || !ks.length) return;
      const color = dash ? "#444" : COLORS[(colorOffset + k) % COLORS.length];
      const label = ifaceLabel(o);
      const hover = ks.map((q) => pesc(q.reaction) + "<br>products: " + pesc(q.products) +
        "<br>x = " + q.x.toFixed(4) + ", x_molar = " + q.x_molar.toFixed(4) +
        "<br>dE total = " + q.energy.toFixed(4) + ", mutual = " + q.energy_mutual.toFixed(4) + " " + unitsOf(o) +
        (q.interphase ? "<br>interphase: " + pesc(q.interphase) +
          (q.conducting_products ? " (conducting: " + pesc(q.conducting_products) + ")" : "") : ""));
      traces.push({
        type: "scatter", mode: "lines+markers", x: ks.map((q) => q.x), y: ks.map((q) => q[E]),
        name: pesc(label), line: { color: color, dash: dash ? "dash" : "solid", width: 2 }, marker: { size: 5 },
        hovertext: hover, hoverinfo: "text", xaxis: axis.x, yaxis: axis.y,
        meta: { role: "profile", interface_id: String(id) },
      });
      let m = 0;
      ks.forEach((q, j) => { if (q[E] < ks[m][E]) m = j; });
      traces.push({
        type: "scatter", mode: "markers", x: [ks[m].x], y: [ks[m][E]], showlegend: false,
        name: "minimum " + pesc(label), marker: { symbol: "star", size: 14, color: color, line: { color: "#000", width: 1 } },
        hovertext: ["minimum " + ks[m][E].toFixed(4) + " " + unitsOf(o) + "<br>" + pesc(ks[m].reaction)],
        hoverinfo: "text", xaxis: axis.x, yaxis: axis.y,
        meta: { role: "minimum", interface_id: String(id) },
      });
      minima.push({ o: o, min: ks[m][E], x: ks[m].x, reaction: ks[m].reaction });
    });
    return { traces: traces, minima: minima };
  }

  function drawProfiles() {
    const s = state.stack, c = state.coating;
    const title = document.getElementById("profiles-title");
    const note = document.getElementById("profiles-note");
    const div = document.getElementById("profiles");
    const mt = document.getElementById("minima-table");
    title.textContent = c ? "Reaction profiles of " + c + " in " + s.name : "Reaction profiles";
    const ids = c ? s.profiles[c] : undefined;
    if (!c || ids === undefined) {
      Plotly.purge(div);
      div.innerHTML = "";
      const r = c ? rowOf(c) : null;
      const stage = r && colIndex.stage !== undefined ? r[colIndex.stage] : null;
      const why = r && colIndex.fail_reasons !== undefined ? r[colIndex.fail_reasons] : "";
      const stopped = stage === "screened" || stage === "excluded" || stage === "skipped";
      note.textContent = !c ? "" : stopped
        ? (c + " has no reaction profiles in this stack: stage " + stage + (why ? " (" + why + ")" : "") + ".")
        : ("Profiles are embedded for the best " + DATA.top_n + " coatings of each stack and every named coating. " +
          c + ": " + KIND + " reaction energy with the electrolyte " +
          fmt(r && r[colIndex.energy_electrolyte_closed_eV_per_atom]) + " eV/atom (closed), with the electrode " +
          fmt(r && r[colIndex.energy_electrode_closed_eV_per_atom]) + " eV/atom (closed), " +
          fmt(r && r[colIndex.energy_electrode_open_eV_per_nonLi_atom]) + " eV per non-Li atom (open)" +
          ". In Python: screening.api.load_results(...).neighbours(stack, coating) and .kinks(interface).");
      mt.querySelector("thead").innerHTML = "";
      mt.querySelector("tbody").innerHTML = "";
      return;
    }
    note.textContent = "Energy: " + KIND + " reaction energy (the one the ranking uses). Stars: minimum of each profile. " +
      "Hover a point for the balanced reaction and its products.";
    const side = (kind) => ids.filter((id) => IFACE[String(id)] && (IFACE[String(id)].kind === "coating|electrolyte") === kind);
    const a = profileTraces(side(false), { x: "x", y: "y" }, 0, false);
    const b = profileTraces(side(true), { x: "x2", y: "y2" }, 3, false);
    const base = profileTraces(s.baseline, { x: "x3", y: "y3" }, 0, true);
    const yTitle = KIND + " reaction energy<br>[eV/atom closed; eV per non-Li atom open to Li]";
    const layout = {
      height: 460, margin: { l: 70, r: 20, t: 40, b: 60 }, hovermode: "closest",
      legend: { orientation: "h", y: -0.2, font: { size: 10 } },
      xaxis: { domain: [0, 0.3], title: { text: "x, atomic fraction of " + pesc(c) }, range: [0, 1] },
      yaxis: { title: { text: yTitle, font: { size: 11 } }, zeroline: true },
      xaxis2: { domain: [0.36, 0.66], title: { text: "x, atomic fraction of " + pesc(c) }, range: [0, 1], anchor: "y2" },
      yaxis2: { anchor: "x2", zeroline: true },
      xaxis3: { domain: [0.72, 1], title: { text: "x, atomic fraction of " + pesc(s.electrolyte) }, range: [0, 1], anchor: "y3" },
      yaxis3: { anchor: "x3", zeroline: true },
      annotations: [
        { text: pesc(c + " | " + s.electrode), x: 0.15, xref: "paper", y: 1.06, yref: "paper", showarrow: false },
        { text: pesc(c + " | " + s.electrolyte), x: 0.51, xref: "paper", y: 1.06, yref: "paper", showarrow: false },
        { text: "no coating: " + pesc(s.electrolyte + " | " + s.electrode), x: 0.86, xref: "paper", y: 1.06, yref: "paper",
          showarrow: false },
      ],
    };
    Plotly.react(div, a.traces.concat(b.traces, base.traces), layout, { responsive: true, displaylogo: false });
    const all = a.minima.concat(b.minima, base.minima);
    mt.querySelector("thead").innerHTML = "<tr><th>interface</th><th>kind</th><th>minimum (" + KIND +
      ")</th><th>units</th><th>at x</th><th>table value</th><th>interphase</th><th>reaction at the minimum</th></tr>";
    mt.querySelector("tbody").innerHTML = all.map((m) => "<tr data-interface=\"" + esc(String(m.o.interface)) +
      "\"><td>" + esc(ifaceLabel(m.o)) + "</td><td>" + esc(m.o.kind) + '</td><td class="num">' + m.min.toFixed(6) +
      "</td><td>" + unitsOf(m.o) + '</td><td class="num">' + m.x.toFixed(4) + '</td><td class="num">' +
      fmt(m.o[E]) + "</td><td>" + esc(fmt(m.o.interphase)) + "</td><td>" + esc(m.reaction) + "</td></tr>").join("");
  }

  // ------------------------------------------------------------------ windows
  function drawWindows() {
    const s = state.stack;
    if (!s) return;
    const names = Object.keys(s.profiles);
    if (state.coating && !names.includes(state.coating)) names.push(state.coating);
    const items = names.map((n) => ({ label: n, w: windowOf("coating", n) }));
    items.push({ label: s.electrolyte + " (electrolyte)", w: windowOf("electrolyte", s.electrolyte) });
    const shown = items.filter((it) => it.w && it.w.status === "ok").reverse();
    const lo = shown.map((it) => (it.w.reduction_limit === null ? 0 : it.w.reduction_limit));
    const hi = shown.map((it) => (it.w.oxidation_limit === null ? V_MAX : it.w.oxidation_limit));
    const trace = {
      type: "bar", orientation: "h", y: shown.map((it) => pesc(it.label)), base: lo,
      x: hi.map((h, i) => Math.max(h - lo[i], 0.02)),
      marker: {
        color: shown.map((it) => (it.label === state.coating ? "#d62728" : (it.w.virtual ? "#bbbbbb" : "#1f77b4"))),
        pattern: { shape: shown.map((it) => (it.w.virtual ? "/" : "")) },
      },
      hovertext: shown.map((it) => pesc(it.label) + ": " + fmt(it.w.reduction_limit) + " to " +
        (it.w.oxidation_limit === null ? "unbounded" : fmt(it.w.oxidation_limit)) + " V vs Li/Li+" +
        (it.w.virtual ? " (virtual)" : "") + ", e_above_hull " + fmt(it.w.e_above_hull) + " eV/atom"),
      hoverinfo: "text", showlegend: false,
    };
    const shapes = [];
    if (s.potential_low !== null) {
      shapes.push({ type: "rect", xref: "x", yref: "paper", x0: s.potential_low, x1: Math.max(s.potential_high, s.potential_low + 0.02),
                    y0: 0, y1: 1, fillcolor: "rgba(255,127,14,0.25)", line: { width: 0 } });
    }
    Plotly.react(document.getElementById("windows"), [trace], {
      height: Math.max(260, 26 * shown.length + 120), margin: { l: 170, r: 20, t: 20, b: 50 },
      xaxis: { title: { text: "potential [V vs Li/Li+] (band: " + pesc(s.electrode) + ")" }, range: [0, V_MAX] },
      shapes: shapes,
    }, { responsive: true, displaylogo: false });
  }

  // ------------------------------------------------------------------ provenance
  function renderProvenance() {
    const p = DATA.provenance;
    const src = p.source || {};
    const rows = [
      ["data source", src.label || src.path || src.file || src.source],
      ["source kind", src.source],
      ["source sha256", src.sha256],
      ["energy reference", p.energy_reference],
      ["reaction energy ranked", KIND],
      ["screening version", p.screening_version],
      ["results format", p.results_format],
      ["config sha256", p.config_sha256],
    ];
    for (const [k, v] of Object.entries(p.software || {})) rows.push([k, v]);
    document.querySelector("#provenance-table tbody").innerHTML =
      rows.map((r) => "<tr><th>" + esc(r[0]) + "</th><td>" + esc(fmt(r[1])) + "</td></tr>").join("");
    document.getElementById("provenance-config").textContent = JSON.stringify(p.config, null, 2);
  }

  renderProvenance();
  if (DATA.stacks.length) selectStack(0);
  document.body.dataset.ready = "true";
})();
