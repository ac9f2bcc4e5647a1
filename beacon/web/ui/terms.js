// Filters: typed in, or picked from the beacon's /filtering_terms (searchable by label and id,
// narrowed by scope and type), shown as chips that can be removed.

import { byId, el, plural } from "./dom.js";
import { filterOf, filterText } from "./query.js";

const SHOWN = 50;
const OPERATORS = ["=", "!", "<", "<=", ">", ">="];
const state = { terms: [], chosen: [], shown: SHOWN, comparing: null };

/** The filters of the query, as Beacon filter objects. */
export function chosenFilters() {
  return state.chosen.map(({ id, operator, value, scope }) => {
    const filter = { id };
    if (operator) Object.assign(filter, { operator, value });
    if (scope) filter.scope = scope;
    return filter;
  });
}

function chipText(f) {
  const text = filterText(f);
  const label = f.label && f.label !== f.id ? `${f.label} (${text})` : text;
  return f.scope ? `${label} · ${f.scope}` : label;
}

function renderChips() {
  const list = byId("filters");
  list.replaceChildren(
    ...state.chosen.map((f, i) => {
      const text = chipText(f);
      const remove = el("button", { type: "button", "aria-label": `remove filter ${text}` }, "×");
      remove.addEventListener("click", () => {
        state.chosen.splice(i, 1);
        renderChips();
        byId("filter").focus();
      });
      return el("li", { class: "chip filter", "data-id": f.id }, text, " ", remove);
    }),
  );
  byId("filters-none").hidden = state.chosen.length > 0;
}

function add(filter) {
  const same = (f) => filterText(f) === filterText(filter) && (f.scope || "") === (filter.scope || "");
  if (!state.chosen.some(same)) state.chosen.push(filter);
  renderChips();
}

/** The typed filter box, if anything is in it (also on Search). */
export function addTyped() {
  const input = byId("filter");
  if (!input.value.trim()) return;
  const filter = filterOf(input.value);
  const known = state.terms.find((t) => t.id === filter.id);
  if (known && known.label) filter.label = known.label;
  add(filter);
  input.value = "";
}

/** The scope a term is added with: the one chosen in the browser, if the term has it; none
 * for a term with one scope (the beacon knows it). */
function scopeFor(term) {
  const scopes = term.scopes || [];
  const wanted = byId("term-scope").value;
  if (scopes.length > 1 && scopes.includes(wanted)) return wanted;
  return undefined;
}

function matches(term, words, scope, type) {
  if (scope && !(term.scopes || []).includes(scope)) return false;
  if (type && term.type !== type) return false;
  const hay = `${term.id} ${term.label || ""}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

function rank(term, words) {
  // Ids and labels that start with what was typed come first.
  const first = words[0] || "";
  const id = term.id.toLowerCase();
  const label = (term.label || "").toLowerCase();
  return id.startsWith(first) || label.startsWith(first) ? 0 : 1;
}

function found() {
  const words = byId("term-search").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const scope = byId("term-scope").value;
  const type = byId("term-type").value;
  const hits = state.terms.filter((t) => matches(t, words, scope, type));
  return hits
    .map((t, i) => [rank(t, words), i, t])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map(([, , t]) => t);
}

function pick(term) {
  if (term.type === "alphanumeric") {
    openCompare(term);
    return;
  }
  const filter = { id: term.id, label: term.label, scope: scopeFor(term) };
  add(filter);
  byId("terms-status").textContent = `added filter ${chipText(filter)}`;
}

function renderTerms() {
  const hits = found();
  const rows = hits.slice(0, state.shown).map((term) => {
    const button = el(
      "button",
      { type: "button", class: "add-term", "aria-label": `add ${term.label || term.id} (${term.id})` },
      term.type === "alphanumeric" ? "Compare…" : "Add",
    );
    button.addEventListener("click", () => pick(term));
    return el(
      "tr",
      { "data-id": term.id },
      el("td", {}, term.label || ""),
      el("td", {}, el("code", {}, term.id)),
      el("td", {}, term.type || ""),
      el("td", {}, (term.scopes || []).join(", ")),
      el("td", {}, button),
    );
  });
  byId("term-rows").replaceChildren(...rows);
  const shown = Math.min(hits.length, state.shown);
  byId("term-count").textContent =
    hits.length === state.terms.length
      ? `${plural(state.terms.length, "term")}, ${shown} shown`
      : `${plural(hits.length, "term")} of ${state.terms.length} match, ${shown} shown`;
  byId("term-more").hidden = hits.length <= state.shown;
}

function openCompare(term) {
  state.comparing = term;
  const box = byId("term-compare");
  byId("compare-label").textContent = `${term.label || term.id} (${term.id})`;
  const values = byId("compare-values");
  values.replaceChildren(...(term.values || []).map((v) => el("option", { value: v })));
  byId("compare-value").value = "";
  box.hidden = false;
  byId("compare-operator").focus();
}

function addCompared() {
  const term = state.comparing;
  const value = byId("compare-value").value.trim();
  if (!term || !value) {
    byId("compare-value").focus();
    return;
  }
  const filter = { id: term.id, label: term.label, operator: byId("compare-operator").value, value, scope: scopeFor(term) };
  add(filter);
  byId("terms-status").textContent = `added filter ${chipText(filter)}`;
  byId("term-compare").hidden = true;
  state.comparing = null;
  byId("term-search").focus();
}

/** The beacon's filtering terms: the typed box's suggestions and the browser's rows. */
export async function loadTerms(get) {
  const { body } = await get("filtering_terms");
  const terms = (body && body.response && body.response.filteringTerms) || [];
  state.terms = terms.filter((t) => t && typeof t.id === "string");
  byId("terms").replaceChildren(
    ...state.terms.slice(0, 2000).map((t) => el("option", { value: t.id }, t.label ? `${t.label} (${t.type || "term"})` : t.type || "")),
  );
  const scopes = [...new Set(state.terms.flatMap((t) => t.scopes || []))].sort();
  byId("term-scope").replaceChildren(el("option", { value: "" }, "any scope"), ...scopes.map((s) => el("option", { value: s }, s)));
  byId("terms-total").textContent = plural(state.terms.length, "term");
  renderTerms();
}

export function setupTerms() {
  byId("add-filter").addEventListener("click", addTyped);
  byId("filter").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      addTyped();
    }
  });
  for (const id of ["term-search", "term-scope", "term-type"]) {
    byId(id).addEventListener("input", () => {
      state.shown = SHOWN;
      renderTerms();
    });
  }
  byId("term-search").addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault(); // Enter here picks the first match; it does not run the search
    const first = found()[0];
    if (first) pick(first);
  });
  byId("term-more").addEventListener("click", () => {
    state.shown += SHOWN;
    renderTerms();
  });
  byId("compare-add").addEventListener("click", addCompared);
  byId("compare-value").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      addCompared();
    }
  });
  byId("compare-cancel").addEventListener("click", () => {
    byId("term-compare").hidden = true;
    byId("term-search").focus();
  });
  byId("compare-operator").replaceChildren(...OPERATORS.map((op) => el("option", { value: op }, op)));
  renderChips();
}
