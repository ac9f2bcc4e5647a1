// The query page: plain JS, no build step. It calls the API of whatever serves it (a node or
// the aggregator) and renders every value with textContent, never as HTML.
"use strict";

const API = "api";
const PLACEHOLDERS = {
  variant: "22-16050075-A-G or NC_000022.11:g.16050075A>G",
  region: "22:16050000-16060000 (1-based, inclusive)",
  gene: "COMT",
};
const state = { filters: [], network: false };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function getJson(path) {
  const response = await fetch(`${API}/${path}`, { headers: { Accept: "application/json" } });
  return { status: response.status, body: await response.json().catch(() => null) };
}

async function postJson(path, payload) {
  const response = await fetch(`${API}/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(payload),
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

function say(text, kind) {
  const message = document.getElementById("message");
  message.textContent = text || "";
  message.className = kind || "";
}

// -- what the user typed -> Beacon request parameters -------------------------------------

const CHROM = "(?:chr)?([0-9]{1,2}|X|Y|MT?)";
const VARIANT = new RegExp(`^${CHROM}[-:_ ](\\d+)[-:_ ]([ACGTN]+)[-:_ >/]([ACGTN]+)$`, "i");
const HGVS = /^(?:refseq:)?(NC_\d+\.\d+):g\.(\d+)([ACGT])>([ACGT])$/i;
const REGION = new RegExp(`^${CHROM}:([\\d,]+)-([\\d,]+)$`, "i");
const ALPHANUMERIC = /^(.+?):(>=|<=|=|<|>|!)(.*)$/;

function number(text) {
  return Number.parseInt(text.replaceAll(",", ""), 10);
}

function parameters(kind, text, assembly) {
  const value = text.trim();
  if (!value) return {};
  if (kind === "gene") return { geneId: value, assemblyId: assembly };
  if (kind === "region") {
    const m = REGION.exec(value);
    if (!m) throw new Error("a region is CHROM:START-END, e.g. 22:16050000-16060000");
    const start = number(m[2]);
    const end = number(m[3]);
    if (start < 1 || end < start) throw new Error("a region needs 1 <= START <= END");
    // The form is 1-based and inclusive; Beacon coordinates are 0-based, half-open.
    return { referenceName: m[1], start: [start - 1], end: [end], assemblyId: assembly };
  }
  const hgvs = HGVS.exec(value);
  if (hgvs) {
    return { genomicAlleleShortForm: `${hgvs[1]}:g.${hgvs[2]}${hgvs[3].toUpperCase()}>${hgvs[4].toUpperCase()}` };
  }
  const m = VARIANT.exec(value);
  if (!m) throw new Error("a variant is CHROM-POS-REF-ALT (22-16050075-A-G) or HGVS (NC_000022.11:g.16050075A>G)");
  return {
    referenceName: m[1],
    start: [number(m[2]) - 1],
    referenceBases: m[3].toUpperCase(),
    alternateBases: m[4].toUpperCase(),
    assemblyId: assembly,
  };
}

function filterOf(text) {
  // "HP:0001626" is a term; "karyotypicSex:=XX" and "LOINC:39156-5:>30" compare a field or a term.
  const value = text.trim();
  const m = ALPHANUMERIC.exec(value);
  return m ? { id: m[1], operator: m[2], value: m[3] } : { id: value };
}

// -- page furniture: title, node status, filtering terms ------------------------------------

async function loadInfo() {
  const { body } = await getJson("info");
  const info = body && body.response;
  if (!info) return;
  document.getElementById("title").textContent = info.name || "Beacon";
  document.title = `${info.name || "Beacon"} · query`;
  document.getElementById("subtitle").textContent = info.description || info.id || "";
}

function chip(text, kind, title) {
  return el("li", { class: `chip ${kind}`, title }, text);
}

async function loadStatus() {
  const list = document.getElementById("status");
  const nodes = await getJson("nodes");
  list.replaceChildren();
  if (nodes.status === 200 && nodes.body && Array.isArray(nodes.body.nodes)) {
    state.network = true;
    for (const node of nodes.body.nodes) {
      const open = node.health && node.health.state === "down";
      const up = node.capabilities && !open && !node.metadataProblem;
      const why = node.metadataProblem || (open ? "node down" : node.capabilities ? node.capabilities.beaconId : "not reached yet");
      const label = `${node.nodeId}${node.country ? ` (${node.country})` : ""}: ${up ? "up" : "down"}`;
      list.append(chip(label, up ? "up" : "down", why));
    }
    return;
  }
  const health = await getJson("health");
  const up = health.status === 200;
  list.append(chip(`this node: ${up ? "up" : "database unavailable"}`, up ? "up" : "down"));
}

async function loadTerms() {
  const { body } = await getJson("filtering_terms");
  const terms = (body && body.response && body.response.filteringTerms) || [];
  const list = document.getElementById("terms");
  list.replaceChildren(
    ...terms.slice(0, 2000).map((t) => el("option", { value: t.id }, t.label ? `${t.label} (${t.type || "term"})` : t.type || "")),
  );
}

function renderFilters() {
  const list = document.getElementById("filters");
  list.replaceChildren(
    ...state.filters.map((f, i) => {
      const text = f.operator ? `${f.id}${f.operator}${f.value}` : f.id;
      const remove = el("button", { type: "button", "aria-label": `remove ${text}` }, "×");
      remove.addEventListener("click", () => {
        state.filters.splice(i, 1);
        renderFilters();
      });
      return el("li", { class: "chip filter" }, text, " ", remove);
    }),
  );
}

function addFilter() {
  const input = document.getElementById("filter");
  if (!input.value.trim()) return;
  state.filters.push(filterOf(input.value));
  input.value = "";
  renderFilters();
}

// -- the answer ------------------------------------------------------------------------------

function variantName(record) {
  const v = record.variation || {};
  const loc = v.location || {};
  const start = loc.interval && loc.interval.start ? loc.interval.start.value : undefined;
  if (record.variantInternalId) return record.variantInternalId;
  return `${loc.sequence_id || "?"}:${start === undefined ? "?" : start + 1} ${v.referenceBases || ""}>${v.alternateBases || ""}`;
}

function effects(record) {
  const attrs = record.molecularAttributes || {};
  const genes = (attrs.geneIds || []).join(", ");
  const effect = (attrs.molecularEffects || []).map((e) => e.label || e.id).join(", ");
  return [genes, effect].filter(Boolean).join(" · ");
}

function renderNodes(body) {
  const rows = document.querySelector("#per-node tbody");
  const nodes = (body.info && body.info.nodes) || null;
  if (nodes) {
    rows.replaceChildren(
      ...nodes.map((n) =>
        el(
          "tr",
          { class: n.status, "data-node": n.nodeId },
          el("td", {}, n.nodeId),
          el("td", {}, n.country || ""),
          el("td", { title: n.reason || "" }, n.reason ? `${n.status}: ${n.reason}` : n.status),
          el("td", {}, n.numTotalResults === undefined ? (n.exists === undefined ? "" : n.exists ? "yes" : "no") : n.numTotalResults),
          el("td", {}, n.ms === undefined ? "" : n.ms),
        ),
      ),
    );
    return;
  }
  const summary = body.responseSummary || {};
  rows.replaceChildren(
    el("tr", { class: "ok", "data-node": "this node" },
      el("td", {}, (body.meta && body.meta.beaconId) || "this node"), el("td", {}, ""), el("td", {}, "ok"),
      el("td", {}, summary.numTotalResults === undefined ? (summary.exists ? "yes" : "no") : summary.numTotalResults),
      el("td", {}, "")),
  );
}

function renderFrequencies(sets) {
  const rows = [];
  for (const set of sets) {
    for (const record of set.results || []) {
      for (const block of record.frequencyInPopulations || []) {
        for (const f of block.frequencies || []) {
          const af = Number(f.alleleFrequency);
          const bar = el("span", { class: "bar" });
          bar.style.width = `${Math.round(Math.min(Math.max(af || 0, 0), 1) * 100)}%`;
          rows.push(
            el(
              "tr",
              { "data-population": f.population },
              el("td", {}, variantName(record)),
              el("td", {}, effects(record)),
              el("td", {}, set.id),
              el("td", {}, f.population),
              el("td", { class: "af" }, el("span", { class: "track" }, bar), Number.isFinite(af) ? af.toFixed(4) : ""),
              el("td", {}, f.alleleCount === undefined ? "" : `${f.alleleCount} / ${f.alleleNumber ?? "?"}`),
              el("td", {}, f.alleleCountHomozygous ?? ""),
            ),
          );
        }
      }
    }
  }
  document.querySelector("#frequencies tbody").replaceChildren(...rows);
  document.getElementById("frequencies-block").hidden = rows.length === 0;
}

function renderSets(sets, returned) {
  const holder = document.getElementById("result-sets");
  if (returned !== "record") {
    holder.replaceChildren(el("p", { class: "hint" }, `The answer is at ${returned} level: no records.`));
    return;
  }
  holder.replaceChildren(
    ...sets.map((set) => {
      const level = set.info && set.info.returnedGranularity;
      const results = set.results || [];
      const head = el("summary", {}, `${set.id}: ${set.resultsCount ?? results.length} result(s)`,
        level ? ` (${level} only: access is controlled)` : "");
      const list = el("ol", {}, ...results.map((rec) => el("li", {}, rec.id || variantName(rec), " ", el("code", {}, effects(rec)))));
      const raw = el("pre", {}, JSON.stringify(results.slice(0, 3), null, 2));
      return el("details", { class: "set", "data-set": set.id }, head, list, raw);
    }),
  );
}

async function search(event) {
  event.preventDefault();
  const kind = document.querySelector("input[name=kind]:checked").value;
  const entry = document.getElementById("entry").value;
  const granularity = document.getElementById("granularity").value;
  let requestParameters;
  try {
    if (document.getElementById("filter").value.trim()) addFilter();
    requestParameters = parameters(kind, document.getElementById("query").value, document.getElementById("assembly").value);
  } catch (error) {
    say(error.message, "error");
    return;
  }
  const query = { requestedGranularity: granularity, includeResultsetResponses: "HIT", pagination: { skip: 0, limit: 25 } };
  if (Object.keys(requestParameters).length) query.requestParameters = requestParameters;
  if (state.filters.length) query.filters = state.filters;
  say("searching…", "busy");
  const began = performance.now();
  let reply;
  try {
    reply = await postJson(entry, { meta: { apiVersion: "v2.0.1" }, query });
  } catch (error) {
    say(`the request failed: ${error.message}`, "error");
    return;
  }
  const body = reply.body || {};
  if (reply.status !== 200 || body.error) {
    const error = body.error || {};
    say(`${reply.status}: ${error.errorMessage || "no answer"}`, "error");
    if (body.info && body.info.nodes) {
      renderNodes(body);
      document.getElementById("answer").hidden = false;
    }
    return;
  }
  const summary = body.responseSummary || {};
  const returned = (body.meta && body.meta.returnedGranularity) || granularity;
  const sets = (body.response && body.response.resultSets) || [];
  const total = summary.numTotalResults;
  document.getElementById("summary").textContent =
    `${summary.exists ? "Found" : "Not found"}${total === undefined ? "" : `: ${total} ${entry.replace("g_", "")}`}` +
    ` (${returned} level, ${Math.round(performance.now() - began)} ms)`;
  say("");
  renderNodes(body);
  renderFrequencies(sets);
  renderSets(sets, returned);
  document.getElementById("answer").hidden = false;
  loadStatus().catch(() => {});
}

function examples() {
  const holder = document.getElementById("examples");
  const items = [
    ["variant", "22-16050075-A-G"],
    ["variant", "NC_000022.11:g.16050075A>G"],
    ["region", "22:19941000-19970000"],
    ["gene", "COMT"],
  ];
  holder.replaceChildren(
    "Try: ",
    ...items.flatMap(([kind, text], i) => {
      const link = el("a", { href: "#", "data-kind": kind }, text);
      link.addEventListener("click", (event) => {
        event.preventDefault();
        document.querySelector(`input[name=kind][value=${kind}]`).checked = true;
        document.getElementById("query").placeholder = PLACEHOLDERS[kind];
        document.getElementById("query").value = text;
      });
      return i ? [", ", link] : [link];
    }),
  );
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("search").addEventListener("submit", search);
  document.getElementById("add-filter").addEventListener("click", addFilter);
  for (const radio of document.querySelectorAll("input[name=kind]")) {
    radio.addEventListener("change", () => {
      document.getElementById("query").placeholder = PLACEHOLDERS[radio.value];
    });
  }
  examples();
  Promise.allSettled([loadInfo(), loadStatus(), loadTerms()]).then(() => {
    document.body.dataset.ready = "true";
  });
});
