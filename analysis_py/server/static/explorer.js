// The wage explorer: talks only to this server's /api; workbook text goes in as text, never as HTML.
"use strict";

(() => {
  const SVG = "http://www.w3.org/2000/svg";
  const COLOURS = ["#edf8fb", "#b3cde3", "#8c96c6", "#8856a7", "#810f7c"]; // ColorBrewer BuPu, 5 classes
  const MEASURES = { a_mean: "mean annual wage", a_median: "median annual wage" };
  const FLAG_WORDS = {
    a_mean_top_coded: "mean top-coded (at least the bound)",
    a_median_top_coded: "median top-coded (at least the bound)",
    a_mean_not_available: "mean not published",
    a_median_not_available: "median not published",
    tot_emp_not_available: "employment not published",
  };
  const state = { release: null, occupation: null, rows: [], byFips: new Map(), fipsByArea: new Map(), picked: [], areas: [] };
  const $ = (id) => document.getElementById(id);
  const money = (v) => (v === null || v === undefined ? "n/a" : "$" + Math.round(v).toLocaleString("en-US"));
  const count = (v) => (v === null || v === undefined ? "n/a" : Math.round(v).toLocaleString("en-US"));

  function el(tag, text, attributes) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    return node;
  }

  async function api(path) {
    const response = await fetch(path, { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  }

  function measure() { return $("measure").value; }

  function flagText(row) {
    return row.flags.filter((f) => FLAG_WORDS[f]).map((f) => FLAG_WORDS[f]);
  }

  // ---------- map
  function ringPath(ring) { return "M" + ring.map((p) => p[0].toFixed(1) + "," + p[1].toFixed(1)).join("L") + "Z"; }

  function geometryPath(geometry) {
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    return polygons.map((polygon) => polygon.map(ringPath).join("")).join("");
  }

  async function drawMap() {
    const response = await fetch("/static/vendor/us-atlas/states-albers-10m.json");
    const topology = await response.json();
    const features = topojson.feature(topology, topology.objects.states).features;
    const map = $("map");
    features.sort((a, b) => a.properties.name.localeCompare(b.properties.name));
    for (const feature of features) {
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("d", geometryPath(feature.geometry));
      map.appendChild(path);
      if (feature.id === "11") {
        // DC is a few pixels wide: a marker east of it, in the Atlantic, takes its place for pointer and keyboard.
        path.setAttribute("class", "dc-shape");
        const box = path.getBBox();
        const marker = document.createElementNS(SVG, "circle");
        marker.setAttribute("cx", String(box.x + 48));
        marker.setAttribute("cy", String(box.y + 22));
        marker.setAttribute("r", "7");
        const label = document.createElementNS(SVG, "text");
        label.setAttribute("x", String(box.x + 58));
        label.setAttribute("y", String(box.y + 26));
        label.setAttribute("class", "dc-label");
        label.textContent = "DC";
        map.appendChild(label);
        makeFocusable(marker, feature);
        map.appendChild(marker);
      } else {
        makeFocusable(path, feature);
      }
    }
  }

  function makeFocusable(shape, feature) {
    shape.classList.add("state", "missing");
    shape.setAttribute("tabindex", "0");
    shape.setAttribute("role", "button");
    shape.setAttribute("aria-label", feature.properties.name);
    shape.dataset.fips = feature.id;
    shape.dataset.name = feature.properties.name;
    shape.addEventListener("mouseenter", (event) => showTip(shape, event));
    shape.addEventListener("mousemove", (event) => showTip(shape, event));
    shape.addEventListener("mouseleave", hideTip);
    shape.addEventListener("focus", () => showTip(shape, null));
    shape.addEventListener("blur", hideTip);
    shape.addEventListener("click", () => pick(shape.dataset.fips));
    shape.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); pick(shape.dataset.fips); }
    });
  }

  function showTip(path, event) {
    const tip = $("tooltip");
    const row = state.byFips.get(path.dataset.fips);
    tip.replaceChildren(el("strong", path.dataset.name));
    if (!row) {
      tip.appendChild(el("div", state.rows.length ? "BLS published no estimate" : "search an occupation first"));
    } else {
      tip.appendChild(el("div", "Mean " + money(row.a_mean) + " a year"));
      tip.appendChild(el("div", "95% CI " + money(row.a_mean_ci_low) + " to " + money(row.a_mean_ci_high)));
      tip.appendChild(el("div", "Median " + money(row.a_median) + " (no SE published)"));
      tip.appendChild(el("div", "Employment " + count(row.tot_emp) + (row.mean_prse !== null ? "; relative SE of the mean " + row.mean_prse + "%" : "")));
      for (const text of flagText(row)) tip.appendChild(el("div", "Flag: " + text));
    }
    const wrap = $("map-wrap").getBoundingClientRect();
    tip.hidden = false;
    const width = tip.offsetWidth;
    let x, y;
    if (event) {
      x = event.clientX - wrap.left + 14; y = event.clientY - wrap.top + 14;
      if (x + width > wrap.width) x = Math.max(0, x - width - 28);
    } else {
      // Keyboard focus: beside the state, never over it (right, else left, else above, else below it).
      const box = path.getBoundingClientRect(), height = tip.offsetHeight;
      const left = box.left - wrap.left, right = box.right - wrap.left, top = box.top - wrap.top;
      y = top;
      if (right + 6 + width <= wrap.width) x = right + 6;
      else if (left - 6 - width >= 0) x = left - 6 - width;
      else {
        x = Math.max(0, Math.min(left, wrap.width - width));
        y = top - 6 - height >= 0 ? top - 6 - height : box.bottom - wrap.top + 6;
      }
    }
    tip.style.left = x + "px";
    tip.style.top = Math.max(0, y) + "px";
  }

  function hideTip() { $("tooltip").hidden = true; }

  function classBreaks(values) {
    const sorted = values.filter((v) => v !== null).sort((a, b) => a - b);
    if (!sorted.length) return [];
    return [1, 2, 3, 4].map((k) => sorted[Math.floor((k * sorted.length) / 5)]);
  }

  function colourOf(value, breaks) {
    if (value === null || value === undefined) return null;
    let index = 0;
    while (index < breaks.length && value >= breaks[index]) index += 1;
    return COLOURS[index];
  }

  function paintMap() {
    const key = measure();
    const values = state.rows.map((r) => r[key]);
    const breaks = classBreaks(values);
    for (const path of $("map").querySelectorAll(".state")) {
      const row = state.byFips.get(path.dataset.fips);
      const colour = row ? colourOf(row[key], breaks) : null;
      path.classList.toggle("missing", !colour);
      if (colour) path.setAttribute("fill", colour); else path.removeAttribute("fill");
      path.classList.toggle("picked", state.picked.includes(path.dataset.fips));
      const label = row ? path.dataset.name + ": " + MEASURES[key] + " " + money(row[key]) : path.dataset.name + ": no estimate";
      path.setAttribute("aria-label", label);
    }
    const legend = $("legend");
    legend.replaceChildren(el("span", MEASURES[key] + ", quintiles of the states:"));
    if (!breaks.length) return;
    const low = Math.min(...values.filter((v) => v !== null));
    const high = Math.max(...values.filter((v) => v !== null));
    const edges = [low, ...breaks, high];
    COLOURS.forEach((colour, i) => {
      const item = el("span");
      const swatch = el("span", null, { class: "swatch" });
      swatch.style.background = colour;
      item.append(swatch, document.createTextNode(money(edges[i]) + "–" + money(edges[i + 1])));
      legend.appendChild(item);
    });
    const none = el("span");
    const grey = el("span", null, { class: "swatch" });
    grey.style.background = "#e6e6e6";
    none.append(grey, document.createTextNode("not published"));
    legend.appendChild(none);
  }

  // ---------- table
  function drawTable() {
    const body = $("ranking").querySelector("tbody");
    const rows = [...state.rows].sort((a, b) => (b[measure()] ?? -Infinity) - (a[measure()] ?? -Infinity));
    body.replaceChildren();
    rows.forEach((row, i) => {
      const fips = state.fipsByArea.get(row.area);
      const tr = el("tr");
      if (state.picked.includes(fips)) tr.classList.add("picked");
      tr.appendChild(el("td", row[measure()] === null ? "–" : i + 1));
      const name = el("td");
      const button = el("button", row.area_title, { type: "button", class: "state-name", "aria-label": "pick " + row.area_title + " for the comparison" });
      button.addEventListener("click", () => pick(fips));
      name.appendChild(button);
      tr.appendChild(name);
      tr.appendChild(el("td", money(row.a_mean), { class: "num" }));
      tr.appendChild(el("td", row.a_mean_ci_low === null ? "n/a" : "±" + money(row.a_mean - row.a_mean_ci_low), { class: "num" }));
      tr.appendChild(el("td", row.a_mean_ci_low === null ? "n/a" : money(row.a_mean_ci_low) + "–" + money(row.a_mean_ci_high), { class: "num" }));
      tr.appendChild(el("td", money(row.a_median), { class: "num" }));
      const flags = el("td");
      for (const text of flagText(row)) flags.appendChild(el("span", text, { class: "flag" }));
      tr.appendChild(flags);
      body.appendChild(tr);
    });
    $("table-title").textContent = "Ranking by " + MEASURES[measure()] + " (" + rows.length + " states and DC)";
  }

  // ---------- comparison
  function fillStateSelects() {
    for (const id of ["state-a", "state-b"]) {
      const select = $(id);
      const chosen = select.value;
      select.replaceChildren(el("option", "choose a state", { value: "" }));
      for (const area of state.areas) select.appendChild(el("option", area.area_title, { value: area.prim_state }));
      select.value = chosen;
    }
  }

  function pick(fips) {
    const area = state.areas.find((a) => a.state_fips === fips);
    if (!area) return;
    state.picked = [...state.picked.filter((f) => f !== fips), fips].slice(-2);
    const [first, second] = state.picked.map((f) => state.areas.find((a) => a.state_fips === f));
    $("state-a").value = first ? first.prim_state : "";
    $("state-b").value = second ? second.prim_state : "";
    paintMap();
    drawTable();
    if (first && second) compare();
  }

  async function compare() {
    const verdict = $("verdict");
    const a = $("state-a").value, b = $("state-b").value;
    if (!state.occupation) { verdict.replaceChildren(el("p", "Search an occupation first.", { class: "error" })); return; }
    if (!a || !b || a === b) { verdict.replaceChildren(el("p", "Choose two different states.", { class: "error" })); return; }
    state.picked = [a, b].map((s) => (state.areas.find((x) => x.prim_state === s) || {}).state_fips);
    paintMap();
    drawTable();
    const query = new URLSearchParams({ occ_code: state.occupation.occ_code, release: state.release });
    query.append("area", a);
    query.append("area", b);
    try {
      const result = await api("/api/compare?" + query);
      const sentence = el("p", result.sentence, { class: "sentence" + (result.distinguishable ? "" : " same") });
      const facts = el("dl");
      const add = (term, value) => facts.append(el("dt", term), el("dd", value));
      // h_mean for an occupation BLS publishes hourly wages only for: dollars and cents an hour
      const hourly = result.measure === "h_mean";
      const amount = (v) => (hourly && v !== null && v !== undefined ? (v < 0 ? "-$" : "$") + Math.abs(v).toFixed(2) : money(v));
      const side = (s) => amount(s[result.measure]) + (hourly ? " an hour" : "") + " (SE " + amount(s[result.measure + "_se"]) + ")";
      add(result.first.area_title, side(result.first));
      add(result.second.area_title, side(result.second));
      add("Difference", amount(result.difference) + ", 95% CI " + amount(result.ci_low) + " to " + amount(result.ci_high));
      // both MEAN_PRSE 0: exact figures, so the difference is exact and there is no z
      add("z, p", result.z === null ? "exact on both sides: the difference is exact"
        : result.z.toFixed(2) + ", " + (result.p_value < 1e-4 ? "p < 0.0001" : "p = " + result.p_value.toFixed(4)));
      add("Verdict", result.is_exact ? (result.distinguishable ? "an exact difference" : "exactly equal")
        : result.distinguishable ? "distinguishable from survey error" : "not distinguishable from survey error");
      verdict.replaceChildren(sentence, facts, el("p", result.caution, { class: "note" }));
    } catch (error) {
      verdict.replaceChildren(el("p", error.message, { class: "error" }));
    }
  }

  // ---------- search and data
  async function search(event) {
    if (event) event.preventDefault();
    const q = $("search").value.trim();
    const list = $("matches");
    if (!q) return;
    try {
      const found = await api("/api/occupations?" + new URLSearchParams({ q, release: state.release, o_group: "detailed", limit: 12 }));
      list.replaceChildren();
      if (!found.occupations.length) { list.appendChild(el("li", "No occupation matches “" + q + "”.")); return; }
      for (const occupation of found.occupations) {
        const item = el("li");
        const button = el("button", occupation.occ_title + " (" + occupation.occ_code + ")", { type: "button", "aria-pressed": "false" });
        button.addEventListener("click", () => choose(occupation));
        item.appendChild(button);
        list.appendChild(item);
      }
      await choose(found.occupations[0]);
    } catch (error) {
      list.replaceChildren(el("li", error.message, { class: "error" }));
    }
  }

  async function choose(occupation) {
    state.occupation = occupation;
    for (const button of $("matches").querySelectorAll("button")) {
      button.setAttribute("aria-pressed", String(button.textContent === occupation.occ_title + " (" + occupation.occ_code + ")"));
    }
    await loadWages();
  }

  function wagesQuery(format) {
    const query = new URLSearchParams({ occ_code: state.occupation.occ_code, area_type: 2, release: state.release, sort: "-" + measure(), limit: 100 });
    if (format) query.set("format", format);
    return "/api/wages?" + query;
  }

  async function loadWages() {
    if (!state.occupation) return;
    const page = await api(wagesQuery());
    state.rows = page.rows;
    state.byFips = new Map(page.rows.map((r) => [state.fipsByArea.get(r.area), r]));
    const published = page.rows.filter((r) => r[measure()] !== null).length;
    $("map-title").textContent = state.occupation.occ_title + " (SOC " + state.occupation.occ_code + "), May " + state.release;
    $("map-note").textContent = MEASURES[measure()] + " in nominal dollars, not adjusted for states' price levels; " + page.total + " areas in the table, "
      + published + " with a published " + MEASURES[measure()] + ". Hover or focus a state for its estimate, 95% CI and flags.";
    const download = $("download");
    download.setAttribute("href", wagesQuery("csv"));
    download.setAttribute("aria-disabled", "false");
    paintMap();
    drawTable();
    if ($("state-a").value && $("state-b").value) compare();
  }

  async function loadRelease() {
    state.release = Number($("release").value);
    const found = await api("/api/areas?" + new URLSearchParams({ release: state.release, area_type: 2 }));
    state.areas = found.areas;
    state.fipsByArea = new Map(found.areas.map((a) => [a.area, a.state_fips]));
    fillStateSelects();
    await loadWages();
  }

  async function start() {
    $("download").setAttribute("aria-disabled", "true");
    await drawMap();
    const found = await api("/api/releases");
    const select = $("release");
    for (const release of found.releases) select.appendChild(el("option", release.label, { value: release.release_year }));
    await loadRelease();
    $("search-form").addEventListener("submit", search);
    $("release").addEventListener("change", loadRelease);
    $("measure").addEventListener("change", () => { if (state.occupation) loadWages(); else paintMap(); });
    $("compare").addEventListener("click", compare);
    document.body.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", () => {
    start().catch((error) => {
      document.body.dataset.ready = "error";
      $("map-note").textContent = error.message;
      $("map-note").classList.add("error");
    });
  });
})();
