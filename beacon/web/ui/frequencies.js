// Allele frequencies of the variants on the page: one bar chart per variant (every population
// of every dataset that has it, by country and sex), and the numbers in a table folded away
// when it is long.

import { byId, el, plural, svg } from "./dom.js";
import { show, variantName } from "./records.js";

const FOLD_ROWS = 12;
const CHARTS = 6; // charts shown before "show all"
const BAR = 14;
const PLOT = 180;
const CHAR = 6.5; // px per character of a label at the chart's font size
const NICE = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];

function sexOf(population) {
  const m = /_(F|M)$/.exec(population || "");
  return m ? m[1] : "";
}

/** Variant name -> its frequency rows, in the order the variants came. */
export function byVariant(rows) {
  const variants = new Map();
  for (const { record, set, node } of rows) {
    for (const block of record.frequencyInPopulations || []) {
      for (const f of block.frequencies || []) {
        const name = variantName(record);
        if (!variants.has(name)) variants.set(name, { name, record, rows: [] });
        variants.get(name).rows.push({
          set,
          node,
          population: String(f.population ?? ""),
          af: Number(f.alleleFrequency),
          ac: f.alleleCount,
          an: f.alleleNumber,
          hom: f.alleleCountHomozygous,
        });
      }
    }
  }
  return [...variants.values()];
}

function chart(variant) {
  const rows = variant.rows.filter((r) => Number.isFinite(r.af));
  const top = Math.max(0, ...rows.map((r) => r.af));
  const scale = NICE.find((n) => n >= top) || 1;
  const height = rows.length * BAR + 22;
  const plot = PLOT;
  // The same population name in two datasets (a node's open and controlled cohorts): say which.
  const seen = rows.map((r) => r.population);
  const label = (r) => (seen.indexOf(r.population) !== seen.lastIndexOf(r.population) ? `${r.population} · ${r.set}` : r.population);
  const described = rows.map((r) => `${label(r)} ${r.af.toFixed(4)}`).join(", ");
  const LABEL = Math.ceil(Math.max(4, ...rows.map((r) => label(r).length)) * CHAR) + 8;
  const WIDTH = LABEL + PLOT + 44;
  const bars = rows.flatMap((r, i) => {
    const y = i * BAR;
    const w = Math.max(r.af > 0 ? 1 : 0, (r.af / scale) * plot);
    const sex = sexOf(r.population);
    return [
      svg("text", { x: LABEL - 4, y: y + BAR - 3, class: "label", "text-anchor": "end" }, label(r)),
      svg(
        "rect",
        { x: LABEL, y: y + 2, width: w.toFixed(1), height: BAR - 4, class: `bar ${sex ? `sex-${sex}` : "all"}` },
        svg("title", {}, `${r.set} · ${r.population}: ${r.af.toFixed(4)} (${r.ac ?? "?"} / ${r.an ?? "?"})`),
      ),
      svg("text", { x: LABEL + w + 3, y: y + BAR - 3, class: "value" }, r.af.toFixed(3)),
    ];
  });
  const axis = rows.length * BAR + 14;
  const picture = svg(
    "svg",
    { viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, role: "img", "aria-label": `allele frequency of ${variant.name} by population: ${described}` },
    ...bars,
    svg("line", { x1: LABEL, x2: LABEL + plot, y1: axis - 10, y2: axis - 10, class: "axis" }),
    svg("text", { x: LABEL, y: axis, class: "tick" }, "0"),
    svg("text", { x: LABEL + plot, y: axis, class: "tick", "text-anchor": "end" }, String(scale)),
  );
  const attrs = variant.record.molecularAttributes || {};
  const genes = (attrs.geneIds || []).join(", ");
  return el(
    "figure",
    { class: "chart", "data-variant": variant.name },
    el("figcaption", { tabindex: "-1" }, el("strong", {}, variant.name), genes ? ` · ${genes}` : "", ` · ${plural(new Set(variant.rows.map((r) => r.set)).size, "dataset")}`),
    picture,
  );
}

/** Draw the charts and the folded table for the rows of a /g_variants page. */
export function drawFrequencies(rows) {
  const variants = byVariant(rows);
  const lines = variants.flatMap((v) =>
    v.rows.map((r) =>
      el(
        "tr",
        { "data-population": r.population },
        el("td", {}, v.name),
        el("td", {}, [((v.record.molecularAttributes || {}).geneIds || []).join(", "), show((v.record.molecularAttributes || {}).molecularEffects || [])].filter(Boolean).join(" · ")),
        el("td", {}, r.set),
        el("td", {}, r.population),
        el("td", { class: "af" }, Number.isFinite(r.af) ? r.af.toFixed(4) : ""),
        el("td", {}, r.ac === undefined ? "" : `${r.ac} / ${r.an ?? "?"}`),
        el("td", {}, r.hom ?? ""),
      ),
    ),
  );
  const charts = variants.map(chart);
  charts.forEach((c, i) => {
    c.hidden = i >= CHARTS;
  });
  const more = byId("more-charts");
  more.hidden = charts.length <= CHARTS;
  more.textContent = `Show all ${charts.length} charts`;
  more.onclick = () => {
    for (const c of charts) c.hidden = false;
    more.hidden = true;
    charts[CHARTS].querySelector("figcaption").focus();
  };
  byId("charts").replaceChildren(...charts);
  byId("frequency-rows").replaceChildren(...lines);
  byId("frequency-count").textContent = `The numbers: ${plural(lines.length, "row")} for ${plural(variants.length, "variant")}`;
  byId("frequency-table").open = lines.length <= FOLD_ROWS;
  byId("frequencies-block").hidden = lines.length === 0;
}
