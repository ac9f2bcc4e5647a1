// The query page: plain JS modules, no build step. It calls the API of whatever serves it (a
// node, or the aggregator: /api/info says which) and renders every value as text, never HTML.

import * as api from "./api.js";
import { byId, download, el, plural } from "./dom.js";
import { drawFrequencies } from "./frequencies.js";
import { BUILDER_FIELDS, PLACEHOLDERS, VARIANT_TYPES, builderParameters, quickParameters } from "./query.js";
import {
  COLLECTIONS,
  ENTRY_IDS,
  LINKS,
  NOUNS,
  availableColumns,
  defaultColumnKeys,
  drawTable,
  fields,
  recordId,
  sortRows,
  toCsv,
  toJson,
  toTsv,
  variantName,
} from "./records.js";
import * as signin from "./signin.js";
import { addTyped, chosenFilters, loadTerms, setupTerms } from "./terms.js";

const LEVELS = ["boolean", "count", "record"];
const EXPORT_LIMIT = 100; // records per dataset and request while exporting
const EXPORT_MAX = 10_000; // records in one export
const CHROMOSOMES = [...Array.from({ length: 22 }, (_, i) => String(i + 1)), "X", "Y", "MT"];

const state = {
  network: false,
  views: [], // the search, then each cross-entry view opened from it
  answer: null, // what is drawn: { view, body, rows, pages }
  columns: {}, // entry -> the column keys chosen
  sort: null, // { key, direction }
  generation: 0,
  controller: null,
  opened: new Set(), // datasets the sign-in raised above what anyone sees
  config: null,
  session: null,
  expiry: null,
};

function say(text, kind) {
  const message = byId("message");
  message.textContent = text || "";
  message.className = kind || "";
}

function accountSay(text) {
  const box = byId("account-message");
  box.textContent = text || "";
  box.hidden = !text;
}

function errorOf(reply) {
  const error = (reply.body && reply.body.error) || {};
  return `${reply.status}: ${error.errorMessage || "no answer"}`;
}

// -- the form -> a view (what to ask, where) --------------------------------------------------

function kind() {
  return document.querySelector("input[name=kind]:checked").value;
}

function variantParameters() {
  const entry = byId("entry").value;
  if (COLLECTIONS.includes(entry)) return {};
  const assembly = byId("assembly").value;
  if (kind() !== "builder") return quickParameters(kind(), byId("query").value, assembly);
  const values = {};
  for (const name of Object.values(BUILDER_FIELDS).flat()) values[name] = byId(`b-${name}`).value;
  return builderParameters(byId("b-kind").value, values, assembly);
}

function searchView() {
  const entry = byId("entry").value;
  const query = {};
  const parameters = variantParameters();
  if (Object.keys(parameters).length) query.requestParameters = parameters;
  const filters = chosenFilters();
  if (filters.length) query.filters = filters;
  return {
    entry,
    path: entry,
    query,
    granularity: byId("granularity").value,
    page: 0,
    limit: Number(byId("page-size").value),
    title: `${NOUNS[entry][1]} found by the search`,
  };
}

function requestOf(view, page = view.page, limit = view.limit) {
  return api.body({
    ...view.query,
    requestedGranularity: view.granularity,
    includeResultsetResponses: "HIT",
    pagination: { skip: page, limit },
  });
}

function preview() {
  try {
    const view = searchView();
    byId("request-json").textContent = `POST ${location.pathname.replace(/\/$/, "")}/api/${view.path}\n${JSON.stringify(requestOf(view), null, 2)}`;
  } catch (error) {
    byId("request-json").textContent = error.message;
  }
}

// -- asking ---------------------------------------------------------------------------------

function clearAnswer() {
  state.answer = null;
  byId("answer").hidden = true;
  byId("summary").textContent = "";
  byId("per-node").tBodies[0].replaceChildren();
  byId("sets").tBodies[0].replaceChildren();
  byId("sets-block").hidden = true;
  byId("frequencies-block").hidden = true;
  byId("records-block").hidden = true;
  byId("records").tBodies[0].replaceChildren();
}

/** Ask for ``view`` and draw the answer. A new question clears the old answer at once; a page
 * turn (``keep``) leaves the page shown, and the focus where it is, until the next arrives. */
async function run(view, { keep = false, focus = false } = {}) {
  const generation = ++state.generation;
  if (state.controller) state.controller.abort();
  state.controller = new AbortController();
  if (!keep) clearAnswer(); // an old answer never stays under a new message
  say("searching…", "busy");
  const began = performance.now();
  let reply;
  try {
    reply = await api.post(view.path, requestOf(view), { signal: state.controller.signal });
  } catch (error) {
    if (generation !== state.generation) return;
    clearAnswer();
    say(`the request failed: ${error.message}`, "error");
    return;
  }
  if (generation !== state.generation) return; // a newer search is under way
  const body = reply.body || {};
  if (reply.status !== 200 || body.error) {
    clearAnswer();
    say(errorOf(reply), "error");
    if (reply.status === 401 && api.signedIn()) {
      accountSay(`The beacon refused your sign-in (${errorOf(reply)}). Sign out, then sign in again.`);
    }
    if (body.info && body.info.nodes) {
      drawTrail(view);
      drawNodes(body);
      byId("answer").hidden = false;
    }
    return;
  }
  say("");
  draw(view, body, Math.round(performance.now() - began));
  if (focus) byId("answer-heading").focus(); // a new view: start reading at its answer
}

function search(event) {
  event.preventDefault();
  let view;
  try {
    addTyped();
    view = searchView();
  } catch (error) {
    clearAnswer();
    say(error.message, "error");
    return;
  }
  state.views = [view];
  state.sort = null;
  run(view);
}

// -- the answer -----------------------------------------------------------------------------

function levelOf(set, body) {
  return (set.info && set.info.returnedGranularity) || (body.meta && body.meta.returnedGranularity) || "record";
}

function nodeOf(item) {
  return (item.info && item.info.nodeId) || "";
}

/** A result set's name: its dataset id, and over the network the node it comes from too
 * (dataset ids are each node's own; `<nodeId>:<datasetId>` is how the network addresses one). */
function setName(set) {
  const node = nodeOf(set);
  return state.network && node ? `${node}:${set.id}` : set.id;
}

/** Every record of the answer with where it comes from; only record-level sets have any. */
function rowsOf(view, body) {
  const response = body.response || {};
  if (Array.isArray(response.collections)) {
    return response.collections.map((record) => ({ record, set: record.id, node: nodeOf(record) }));
  }
  return (response.resultSets || []).flatMap((set) =>
    levelOf(set, body) === "record" ? (set.results || []).map((record) => ({ record, set: setName(set), node: nodeOf(set) })) : [],
  );
}

function pagesOf(view, body) {
  const response = body.response || {};
  const nodes = (body.info && body.info.nodes) || [];
  let most;
  if (Array.isArray(response.collections)) {
    const counts = nodes.map((n) => n.numTotalResults || 0);
    most = counts.length ? Math.max(...counts) : (body.responseSummary || {}).numTotalResults || 0;
  } else {
    const sets = (response.resultSets || []).filter((s) => levelOf(s, body) === "record");
    most = Math.max(0, ...sets.map((s) => s.resultsCount || 0));
  }
  return Math.max(1, Math.ceil(most / view.limit));
}

function where(count, nodes) {
  const datasets = plural(count, "dataset");
  return state.network && nodes ? `${datasets} on ${plural(nodes, "node")}` : datasets;
}

/** The headline, worded by what was counted: records of datasets are not distinct variants. */
function summarize(view, body, rows) {
  const [one, many] = NOUNS[view.entry];
  const summary = body.responseSummary || {};
  const returned = (body.meta && body.meta.returnedGranularity) || view.granularity;
  const nodes = (body.info && body.info.nodes) || [];
  const answering = nodes.filter((n) => n.status === "ok");
  if (!summary.exists) {
    const asked = state.network ? ` (${answering.length} of ${plural(nodes.length, "node")} answered)` : "";
    return `Not found: no ${many}${asked}`;
  }
  if (returned === "boolean" || summary.numTotalResults === undefined) {
    const yes = state.network ? ` on ${plural(answering.filter((n) => n.exists).length, "node")}` : "";
    return `Found: yes, there are ${many}${yes} (a yes/no answer: no counts at this level)`;
  }
  const atLeast = body.info && body.info.countIsLowerBound ? "at least " : "";
  const total = summary.numTotalResults;
  const response = body.response || {};
  if (Array.isArray(response.collections)) {
    const on = state.network ? ` on ${plural(answering.filter((n) => n.numTotalResults > 0).length, "node")}` : "";
    const hidden = state.answer && state.answer.pages === 1 && rows.length < total ? `; ${total - rows.length} answered at count level only, not listed` : "";
    return `Found: ${atLeast}${plural(total, one, many)}${on}${hidden}`;
  }
  const sets = (response.resultSets || []).filter((s) => s.exists);
  if (!sets.length) {
    const on = state.network ? ` on ${plural(answering.filter((n) => n.exists).length, "node")}` : "";
    // Counts without result sets: a variant is counted once per dataset holding it.
    if (view.entry === "g_variants") return `Found: ${atLeast}${plural(total, "variant record")}${on} (each dataset counts the variants it holds)`;
    return `Found: ${atLeast}${plural(total, one, many)}${on}`;
  }
  const onNodes = new Set(sets.map(nodeOf)).size;
  const place = where(sets.length, onNodes);
  if (view.entry !== "g_variants" || sets.length === 1) return `Found: ${atLeast}${plural(total, one, many)} in ${place}`;
  // A variant is a record of each dataset that holds it: count the distinct ones shown.
  const distinct = new Set(rows.map((r) => recordId("g_variants", r.record))).size;
  const complete = sets.every((s) => levelOf(s, body) === "record" && (s.results || []).length === s.resultsCount);
  if (complete && !atLeast) {
    return distinct === total
      ? `Found: ${plural(total, "variant")} in ${place}`
      : `Found: ${plural(distinct, "variant")} in ${place} (${total} dataset records: each dataset counts its own)`;
  }
  const shown = rows.length ? ` · ${plural(distinct, "distinct variant")} among the ${rows.length} shown` : "";
  return `Found: ${atLeast}${plural(total, "variant record")} in ${place} (each dataset counts the variants it holds)${shown}`;
}

function drawTrail(view) {
  const deep = state.views.length > 1;
  byId("trail").hidden = !deep;
  if (deep) {
    byId("trail-text").textContent = view.title;
    byId("back").textContent = `← Back to ${state.views[state.views.length - 2].title}`;
  }
}

function drawNodes(body) {
  const rows = byId("per-node").tBodies[0];
  const nodes = (body.info && body.info.nodes) || null;
  byId("per-node").hidden = false;
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
    el(
      "tr",
      { class: "ok", "data-node": "this node" },
      el("td", {}, (body.meta && body.meta.beaconId) || "this node"),
      el("td", {}, ""),
      el("td", {}, "ok"),
      el("td", {}, summary.numTotalResults === undefined ? (summary.exists ? "yes" : "no") : summary.numTotalResults),
      el("td", {}, ""),
    ),
  );
}

const LEVEL_TEXT = { record: "records", count: "count only", boolean: "yes / no only" };

function drawSets(view, body) {
  const sets = (body.response && body.response.resultSets) || [];
  const lines = sets.map((set) => {
    const level = levelOf(set, body);
    const opened = state.opened.has(setName(set)) ? " · opened by your sign-in" : "";
    return el(
      "tr",
      { "data-set": setName(set), class: `level-${level}` },
      el("th", { scope: "row" }, setName(set)),
      el("td", {}, nodeOf(set)),
      el("td", {}, `${LEVEL_TEXT[level] || level}${opened}`),
      el("td", {}, set.resultsCount ?? ""),
      el("td", {}, level === "record" ? (set.results || []).length : "none: not at record level"),
    );
  });
  byId("sets").tBodies[0].replaceChildren(...lines);
  byId("sets-block").hidden = lines.length === 0;
}

function chosenColumns(view, rows) {
  const all = availableColumns(view.entry, rows, state.network);
  const keys = state.columns[view.entry] || defaultColumnKeys(view.entry);
  return { all, shown: all.filter((c) => keys.includes(c.key)) };
}

function drawColumnChooser(view, all, shown) {
  const keys = new Set(shown.map((c) => c.key));
  const boxes = all.map((c) => {
    const box = el("input", { type: "checkbox", id: `col-${c.key}`, value: c.key, checked: keys.has(c.key) });
    box.addEventListener("change", () => {
      const chosen = [...byId("column-list").querySelectorAll("input:checked")].map((b) => b.value);
      state.columns[view.entry] = chosen.length ? chosen : [all[0].key];
      drawRecords();
    });
    return el("label", { class: "column" }, box, ` ${c.label}`);
  });
  byId("column-list").replaceChildren(el("legend", { class: "sr-only" }, "columns shown"), ...boxes);
}

function drawRecords() {
  const { view, rows, pages } = state.answer;
  const { all, shown } = chosenColumns(view, rows);
  const column = state.sort && shown.find((c) => c.key === state.sort.key);
  drawTable(byId("records"), {
    columns: shown,
    rows: sortRows(rows, column, state.sort && state.sort.direction),
    sort: column ? state.sort : null,
    identify: (row) => recordId(view.entry, row.record) || "record",
    onSort: (key) => {
      const same = state.sort && state.sort.key === key;
      state.sort = { key, direction: same && state.sort.direction === "ascending" ? "descending" : "ascending" };
      drawRecords();
      byId("records").querySelector(`button.sort[data-key="${CSS.escape(key)}"]`).focus();
    },
    onOpen: (row) => openRecord(view, row),
  });
  drawColumnChooser(view, all, shown);
  const per = COLLECTIONS.includes(view.entry) ? (state.network ? "per node" : "per page") : "per dataset";
  byId("page-info").textContent = `Page ${view.page + 1} of ${pages} · up to ${view.limit} records ${per}`;
  byId("previous").disabled = view.page === 0;
  byId("next").disabled = view.page + 1 >= pages;
  const [, many] = NOUNS[view.entry];
  byId("records-heading").textContent = `${many[0].toUpperCase()}${many.slice(1)}: ${plural(rows.length, "record")} on this page`;
}

function draw(view, body, ms) {
  const rows = rowsOf(view, body);
  state.answer = { view, body, rows, pages: pagesOf(view, body) };
  const returned = (body.meta && body.meta.returnedGranularity) || view.granularity;
  drawTrail(view);
  byId("summary").textContent = `${summarize(view, body, rows)} · ${returned} level, ${ms} ms`;
  drawNodes(body);
  drawSets(view, body);
  if (view.entry === "g_variants" && rows.length) drawFrequencies(rows);
  byId("records-block").hidden = returned !== "record";
  if (returned === "record") drawRecords();
  byId("answer").hidden = false;
}

// -- one record, and the records linked to it -------------------------------------------------

function linkId(view, row) {
  const id = recordId(view.entry, row.record);
  // Over the network an id is the node's own: name the node (variant ids are the same
  // everywhere, so a variant's carriers are asked of every node).
  if (!state.network || view.entry === "g_variants" || !row.node || id.startsWith(`${row.node}:`)) return id;
  return `${row.node}:${id}`;
}

function recordTitle(view, row) {
  const [one] = NOUNS[view.entry];
  const name = view.entry === "g_variants" ? variantName(row.record) : recordId(view.entry, row.record);
  return `${one[0].toUpperCase()}${one.slice(1)} ${name}`;
}

function openRecord(view, row) {
  const dialog = byId("record");
  const title = recordTitle(view, row);
  byId("record-title").textContent = title;
  const from = [];
  if (!COLLECTIONS.includes(view.entry) && row.set) from.push(`dataset ${row.set}`);
  if (row.node) from.push(`node ${row.node}`);
  byId("record-where").textContent = from.length ? `from ${from.join(" on ")}` : "";
  const id = linkId(view, row);
  byId("record-links").replaceChildren(
    ...(LINKS[view.entry] || []).map((target) => {
      const many = NOUNS[target][1];
      const label = view.entry === "g_variants" && target === "individuals" ? "Its carriers (individuals)" : `Its ${many}`;
      const button = el("button", { type: "button", "data-target": target }, label);
      button.addEventListener("click", () => {
        dialog.close();
        const next = {
          entry: target,
          path: `${view.entry}/${encodeURIComponent(id)}/${target}`,
          query: {},
          granularity: view.granularity,
          page: 0,
          limit: view.limit,
          title: `${many} of ${title.charAt(0).toLowerCase()}${title.slice(1)}`,
        };
        state.views.push(next);
        state.sort = null;
        run(next, { focus: true });
      });
      return button;
    }),
  );
  byId("record-fields").replaceChildren(...fields(row.record).flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  byId("record-json").textContent = JSON.stringify(row.record, null, 2);
  dialog.showModal();
}

function back() {
  if (state.views.length < 2) return;
  state.views.pop();
  state.sort = null;
  run(state.views[state.views.length - 1], { focus: true });
}

function turn(delta) {
  const view = state.views[state.views.length - 1];
  // A page on its way: a second press would skip one (the buttons stay enabled, and focused).
  if (!view || byId("message").classList.contains("busy")) return;
  view.page = Math.max(0, view.page + delta);
  run(view, { keep: true });
}

// -- export ---------------------------------------------------------------------------------

async function everyRow(view) {
  const { rows, pages } = state.answer;
  if (pages === 1 && view.page === 0) return { rows, capped: false };
  const all = [];
  let page = 0;
  let last = 1;
  while (page < last) {
    say(`exporting: page ${page + 1} of ${last}…`, "busy");
    const reply = await api.post(view.path, requestOf(view, page, EXPORT_LIMIT));
    if (reply.status !== 200) throw new Error(`the export stopped at page ${page + 1}: ${errorOf(reply)}`);
    const found = { ...view, limit: EXPORT_LIMIT };
    last = pagesOf(found, reply.body);
    all.push(...rowsOf(found, reply.body));
    if (all.length >= EXPORT_MAX) return { rows: all.slice(0, EXPORT_MAX), capped: true };
    page += 1;
  }
  return { rows: all, capped: false };
}

async function exportAs(format) {
  const answer = state.answer;
  if (!answer) return;
  const { view } = answer;
  try {
    const { rows, capped } = await everyRow(view);
    const { shown } = chosenColumns(view, rows);
    const stamp = new Date().toISOString().slice(0, 19).replaceAll(":", "");
    const name = `${view.entry}-${stamp}.${format}`;
    if (format === "csv") download(name, "text/csv", toCsv(shown, rows));
    if (format === "tsv") download(name, "text/tab-separated-values", toTsv(shown, rows));
    if (format === "json") download(name, "application/json", toJson(rows));
    say(`exported ${plural(rows.length, "record")} as ${format.toUpperCase()}${capped ? ` (the first ${EXPORT_MAX}: narrow the search for the rest)` : ""}`);
  } catch (error) {
    say(error.message, "error");
  }
}

// -- sign-in ----------------------------------------------------------------------------------

function levels(reply) {
  const found = new Map();
  const sets = (reply.body && reply.body.response && reply.body.response.resultSets) || [];
  for (const set of sets) found.set(setName(set), levelOf(set, reply.body));
  return found;
}

/** Ask for every dataset's individuals with and without the token: the datasets answered at
 * more detail when signed in are the ones the sign-in opened. */
async function accessReport() {
  const question = api.body({ requestedGranularity: "record", includeResultsetResponses: "ALL", pagination: { skip: 0, limit: 1 } });
  const [anonymous, signed] = await Promise.all([
    api.post("individuals", question, { anonymous: true }),
    api.post("individuals", question),
  ]);
  if (signed.status === 401) {
    accountSay(`The beacon refused your sign-in (${errorOf(signed)}). Sign out, then sign in again.`);
    return;
  }
  if (signed.status !== 200 || anonymous.status !== 200) return;
  const before = levels(anonymous);
  const after = levels(signed);
  const ids = [...new Set([...before.keys(), ...after.keys()])];
  const rank = (level) => (level ? LEVELS.indexOf(level) : -1);
  state.opened = new Set(ids.filter((id) => rank(after.get(id)) > rank(before.get(id))));
  const shown = (level) => (level ? LEVEL_TEXT[level] : "not shown (hidden, or yes / no only)");
  byId("access-table").tBodies[0].replaceChildren(
    ...ids.map((id) =>
      el(
        "tr",
        { "data-set": id, class: state.opened.has(id) ? "opened" : "" },
        el("th", { scope: "row" }, id),
        el("td", {}, shown(before.get(id))),
        el("td", {}, shown(after.get(id))),
      ),
    ),
  );
  byId("access-summary").textContent = state.opened.size
    ? `Your sign-in opened ${plural(state.opened.size, "dataset")}: ${[...state.opened].join(", ")} (their individuals, compared with what anyone sees).`
    : "Your sign-in opened no dataset beyond what anyone sees (compared on each dataset's individuals).";
  byId("access").hidden = false;
}

function showSignedIn() {
  const session = state.session;
  byId("who").textContent = session ? `Signed in as ${signin.whoIs(session)}` : "";
  byId("who").hidden = !session;
  byId("sign-in").hidden = !state.config || Boolean(session);
  byId("sign-out").hidden = !session;
}

function signOut(message) {
  signin.endSession();
  api.setBearer(null);
  clearTimeout(state.expiry);
  state.session = null;
  state.opened = new Set();
  byId("access").hidden = true;
  clearAnswer(); // what the token opened does not stay on screen
  showSignedIn();
  accountSay(typeof message === "string" ? message : "");
  say(typeof message === "string" ? "" : "Signed out: answers are now what anyone sees.");
}

function signedIn(session) {
  state.session = session;
  api.setBearer(session.accessToken);
  showSignedIn();
  if (session.expiresAt) {
    state.expiry = setTimeout(() => signOut("Your sign-in expired: sign in again to see more than anyone can."), session.expiresAt - Date.now());
  }
  return accessReport().catch((error) => accountSay(`could not compare access: ${error.message}`));
}

async function setupSignIn() {
  state.config = await signin.loadConfig().catch(() => null);
  if (!state.config) return;
  byId("sign-in").addEventListener("click", () => {
    signin.startSignIn(state.config).catch((error) => accountSay(`Sign-in failed: ${error.message}`));
  });
  byId("sign-out").addEventListener("click", () => signOut());
  let session = null;
  try {
    session = await signin.finishSignIn(state.config);
  } catch (error) {
    accountSay(error.message);
  }
  session = session || signin.restoreSession(state.config);
  showSignedIn();
  if (session) await signedIn(session);
}

// -- page furniture ---------------------------------------------------------------------------

async function loadInfo() {
  const { body } = await api.get("info");
  const info = body && body.response;
  if (!info) return;
  // The aggregator says so in /info; a node has no /api/nodes to ask.
  state.network = Boolean(info.info && info.info.isAggregator);
  byId("title").textContent = info.name || "Beacon";
  document.title = `${info.name || "Beacon"} · query`;
  byId("subtitle").textContent = info.description || info.id || "";
  byId("status-heading").textContent = state.network ? "Nodes" : "This beacon";
}

function chip(text, kind, title) {
  return el("li", { class: `chip ${kind}`, title }, text);
}

async function loadStatus() {
  const list = byId("status");
  if (state.network) {
    const nodes = await api.get("nodes");
    if (nodes.status === 200 && nodes.body && Array.isArray(nodes.body.nodes)) {
      list.replaceChildren(
        ...nodes.body.nodes.map((node) => {
          const down = node.health && node.health.state === "down";
          const up = node.capabilities && !down && !node.metadataProblem;
          const why = node.metadataProblem || (down ? "node down" : node.capabilities ? node.capabilities.beaconId : "not reached yet");
          return chip(`${node.nodeId}${node.country ? ` (${node.country})` : ""}: ${up ? "up" : "down"}`, up ? "up" : "down", why);
        }),
      );
      return;
    }
  }
  const health = await api.get("health");
  const up = health.status === 200;
  list.replaceChildren(chip(`this node: ${up ? "up" : "database unavailable"}`, up ? "up" : "down"));
}

async function loadEntryTypes() {
  const { body } = await api.get("entry_types");
  const served = body && body.response && body.response.entryTypes;
  if (!served) return;
  for (const option of byId("entry").options) option.hidden = !(ENTRY_IDS[option.value] in served);
}

function examples() {
  const items = [
    ["variant", "22-16050075-A-G"],
    ["variant", "NC_000022.11:g.16050075A>G"],
    ["region", "22:19941000-19970000"],
    ["gene", "COMT"],
  ];
  byId("examples").replaceChildren(
    "Try: ",
    ...items.flatMap(([k, text], i) => {
      const link = el("a", { href: "#", "data-kind": k }, text);
      link.addEventListener("click", (event) => {
        event.preventDefault();
        document.querySelector(`input[name=kind][value=${k}]`).checked = true;
        showKind();
        byId("query").value = text;
        preview();
      });
      return i ? [", ", link] : [link];
    }),
  );
}

function showKind() {
  const builder = kind() === "builder";
  byId("builder").hidden = !builder;
  byId("quick").hidden = builder;
  byId("examples").hidden = builder;
  if (!builder) byId("query").placeholder = PLACEHOLDERS[kind()];
  const used = BUILDER_FIELDS[byId("b-kind").value];
  for (const field of document.querySelectorAll("#builder .field")) field.hidden = !used.includes(field.dataset.field);
}

function showEntry() {
  const collection = COLLECTIONS.includes(byId("entry").value);
  byId("variant-query").disabled = collection;
  byId("variant-off").hidden = !collection;
}

function setup() {
  setupTerms();
  byId("b-type").append(...VARIANT_TYPES.map((t) => el("option", { value: t }, t)));
  byId("chromosomes").append(...CHROMOSOMES.map((c) => el("option", { value: c })));
  byId("search").addEventListener("submit", search);
  byId("search").addEventListener("input", preview);
  new MutationObserver(preview).observe(byId("filters"), { childList: true }); // chips come and go
  for (const radio of document.querySelectorAll("input[name=kind]")) radio.addEventListener("change", showKind);
  byId("b-kind").addEventListener("change", showKind);
  byId("entry").addEventListener("change", showEntry);
  byId("back").addEventListener("click", back);
  byId("previous").addEventListener("click", () => turn(-1));
  byId("next").addEventListener("click", () => turn(1));
  byId("page-size").addEventListener("change", () => {
    const view = state.views[state.views.length - 1];
    if (!view) return;
    view.limit = Number(byId("page-size").value);
    view.page = 0;
    run(view, { keep: true });
  });
  for (const format of ["csv", "tsv", "json"]) byId(`export-${format}`).addEventListener("click", () => exportAs(format));
  byId("record-close").addEventListener("click", () => byId("record").close());
  examples();
  showKind();
  showEntry();
  preview();
}

setup();
Promise.allSettled([
  loadInfo().then(() => loadStatus()),
  loadTerms(api.get),
  loadEntryTypes(),
  setupSignIn(),
]).then(() => {
  document.body.dataset.ready = "true";
});
