// Record tables: which columns each entry type shows, how a record's values read as text,
// sorting on the page, and the CSV / TSV / JSON exports. Pure apart from the table it draws.

import { el } from "./dom.js";

/** Singular and plural nouns of each entry type (what is counted). */
export const NOUNS = {
  g_variants: ["variant", "variants"],
  individuals: ["individual", "individuals"],
  biosamples: ["biosample", "biosamples"],
  runs: ["run", "runs"],
  analyses: ["analysis", "analyses"],
  cohorts: ["cohort", "cohorts"],
  datasets: ["dataset", "datasets"],
};
/** The entry type ids of /entry_types and /configuration, by path. */
export const ENTRY_IDS = {
  analyses: "analysis",
  biosamples: "biosample",
  cohorts: "cohort",
  datasets: "dataset",
  g_variants: "genomicVariant",
  individuals: "individual",
  runs: "run",
};
/** The cross-entry links of the spec: /{entry}/{id}/{target}. */
export const LINKS = {
  analyses: ["g_variants"],
  biosamples: ["g_variants", "analyses", "runs"],
  cohorts: ["individuals", "biosamples", "g_variants", "analyses", "runs"],
  datasets: ["g_variants", "individuals", "biosamples", "analyses", "runs"],
  g_variants: ["individuals", "biosamples", "analyses", "runs"],
  individuals: ["g_variants", "biosamples", "analyses", "runs"],
  runs: ["analyses", "g_variants"],
};
export const COLLECTIONS = ["datasets", "cohorts"];

const DEFAULT_COLUMNS = {
  g_variants: ["variant", "variantType", "hgvs", "genes", "effects"],
  individuals: ["id", "sex", "karyotypicSex", "geographicOrigin", "diseases", "phenotypicFeatures"],
  biosamples: ["id", "individualId", "biosampleStatus", "sampleOriginType", "collectionDate"],
  runs: ["id", "biosampleId", "individualId", "libraryStrategy", "platform", "runDate"],
  analyses: ["id", "runId", "individualId", "pipelineName", "variantCaller", "analysisDate"],
  cohorts: ["id", "name", "cohortType", "cohortSize", "inclusionCriteria"],
  datasets: ["id", "name", "description", "version", "dataUseConditions"],
};
const HIDDEN_KEYS = new Set(["datasetId", "info", "frequencyInPopulations", "variation", "molecularAttributes", "identifiers"]);

// -- a record's values as text ---------------------------------------------------------------

function isTerm(value) {
  return value && typeof value === "object" && !Array.isArray(value) && typeof value.id === "string" && Object.keys(value).every((k) => k === "id" || k === "label");
}

/** Any JSON value as one line of text: terms read "label (id)" (``brief``: the label only),
 * single-key objects their value. */
export function show(value, brief = false) {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map((v) => show(v, brief)).filter(Boolean).join("; ");
  if (typeof value !== "object") return String(value);
  if (isTerm(value)) return value.label ? (brief ? value.label : `${value.label} (${value.id})`) : value.id;
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
  if (entries.length === 1) return show(entries[0][1], brief);
  if ("value" in value && value.unit) return `${show(value.value)} ${value.unit.label || value.unit.id || ""}`.trim();
  // A code first (diseaseCode, featureType, assayCode ...), then the rest by name.
  const lead = entries.find(([k, v]) => isTerm(v) && /(Code|Type)$/.test(k));
  const rest = entries.filter((e) => e !== lead).map(([k, v]) => `${k}: ${show(v, brief)}`);
  return lead ? `${show(lead[1], brief)}${rest.length ? ` (${rest.join(", ")})` : ""}` : rest.join(", ");
}

/** "22:16050075 A>G" (or "22:42122584-42131381 DEL"): a variant by its 1-based position. */
export function variantName(record) {
  const m = /^([^-]+)-(\d+)-([A-Z]+)-([A-Z]+)$/i.exec(record.variantInternalId || "");
  if (m) return `${m[1]}:${m[2]} ${m[3]}>${m[4]}`;
  const sv = /^([^-]+)-(\d+)-([A-Z]+)-(\d+)$/i.exec(record.variantInternalId || "");
  if (sv) return `${sv[1]}:${sv[2]}-${sv[4]} ${sv[3]}`; // a structural variant: its span and type
  const v = record.variation || {};
  const loc = v.location || {};
  const start = loc.interval && loc.interval.start ? loc.interval.start.value : undefined;
  const chrom = String(loc.sequence_id || "?").replace(/^refseq:/, "");
  return `${chrom}:${start === undefined ? "?" : start + 1} ${v.referenceBases || ""}>${v.alternateBases || ""}`;
}

/** The record's id as the API's /{entry}/{id} paths know it. */
export function recordId(entry, record) {
  return entry === "g_variants" ? record.variantInternalId || record.id : record.id;
}

const DERIVED = {
  variant: ["variant", (r) => variantName(r)],
  variantType: ["type", (r) => (r.variation || {}).variantType || ""],
  hgvs: ["HGVS", (r) => (r.identifiers || {}).genomicHGVSId || ""],
  genes: ["genes", (r) => ((r.molecularAttributes || {}).geneIds || []).join(", ")],
  effects: ["effects", (r, brief) => show((r.molecularAttributes || {}).molecularEffects || [], brief)],
  aminoacidChanges: ["amino-acid changes", (r) => ((r.molecularAttributes || {}).aminoacidChanges || []).join(", ")],
};

// A column: ``value`` is the full text (exports), ``text`` what the table shows (labels only).
function column(key) {
  const derived = DERIVED[key];
  if (derived) return { key, label: derived[0], value: (row) => derived[1](row.record, false), text: (row) => derived[1](row.record, true) };
  return { key, label: key, value: (row) => show(row.record[key]), text: (row) => show(row.record[key], true) };
}

const WHERE = [
  { key: "@dataset", label: "dataset", value: (row) => row.set, text: (row) => row.set },
  { key: "@node", label: "node", value: (row) => row.node || "", text: (row) => row.node || "" },
];

/** Every column the rows could show: the entry type's usual ones first, then every other key
 * found in the records; the dataset (and node) columns last. */
export function availableColumns(entry, rows, network) {
  const keys = [...(DEFAULT_COLUMNS[entry] || ["id"])];
  if (entry === "g_variants") keys.push("aminoacidChanges");
  for (const row of rows) {
    for (const key of Object.keys(row.record)) {
      if (!keys.includes(key) && !HIDDEN_KEYS.has(key)) keys.push(key);
    }
  }
  const columns = keys.map(column);
  if (!COLLECTIONS.includes(entry)) columns.push(WHERE[0]);
  if (network) columns.push(WHERE[1]);
  return columns;
}

export function defaultColumnKeys(entry) {
  return [...(DEFAULT_COLUMNS[entry] || ["id"]), "@dataset", "@node"];
}

// -- sorting and export ----------------------------------------------------------------------

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

export function sortRows(rows, col, direction) {
  if (!col) return rows;
  const sign = direction === "descending" ? -1 : 1;
  return [...rows].sort((a, b) => sign * collator.compare(col.text(a), col.text(b)));
}

function safe(text) {
  // A cell a spreadsheet would run as a formula is quoted as text.
  return /^[=+@\t\r]/.test(text) || /^-[^\d.]/.test(text) ? `'${text}` : text;
}

export function toCsv(columns, rows) {
  const quote = (t) => (/[",\r\n]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t);
  const lines = [columns.map((c) => quote(c.label)), ...rows.map((r) => columns.map((c) => quote(safe(c.value(r)))))];
  return `${lines.map((l) => l.join(",")).join("\r\n")}\r\n`;
}

export function toTsv(columns, rows) {
  const clean = (t) => t.replace(/[\t\r\n]+/g, " ");
  const lines = [columns.map((c) => clean(c.label)), ...rows.map((r) => columns.map((c) => clean(safe(c.value(r)))))];
  return `${lines.map((l) => l.join("\t")).join("\n")}\n`;
}

export function toJson(rows) {
  return `${JSON.stringify(rows.map((r) => ({ resultSet: r.set, node: r.node || undefined, record: r.record })), null, 2)}\n`;
}

// -- the table -------------------------------------------------------------------------------

/** Draw ``rows`` into ``table``: a header of sort buttons, one row per record; the first
 * column opens the record. */
export function drawTable(table, { columns, rows, sort, onSort, onOpen, identify }) {
  const head = el(
    "tr",
    {},
    ...columns.map((c) => {
      const active = sort && sort.key === c.key;
      const button = el("button", { type: "button", class: "sort", "data-key": c.key }, c.label, active ? (sort.direction === "ascending" ? " ▲" : " ▼") : "");
      button.addEventListener("click", () => onSort(c.key));
      return el("th", { scope: "col", "aria-sort": active ? sort.direction : "none" }, button);
    }),
  );
  const body = rows.map((row) =>
    el(
      "tr",
      { "data-set": row.set },
      ...columns.map((c, i) => {
        if (i !== 0) return el("td", { title: c.value(row) === c.text(row) ? undefined : c.value(row) }, c.text(row));
        const open = el("button", { type: "button", class: "link open", title: "open this record" }, c.text(row) || identify(row));
        open.addEventListener("click", () => onOpen(row));
        return el("th", { scope: "row" }, open);
      }),
    ),
  );
  table.tHead.replaceChildren(head);
  table.tBodies[0].replaceChildren(...body);
}

/** Every field of one record, as a flat list of (path, text) for the record view. */
export function fields(record, prefix = "") {
  const out = [];
  for (const [key, value] of Object.entries(record)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === "object" && !Array.isArray(value) && !isTerm(value) && prefix.split(".").length < 3) {
      out.push(...fields(value, path));
    } else {
      out.push([path, show(value)]);
    }
  }
  return out;
}
