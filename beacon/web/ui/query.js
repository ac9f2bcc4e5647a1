// What the user typed -> Beacon request parameters. Pure: no page, no network.
//
// The page speaks 1-based, inclusive positions (as VCF, genome browsers and HGVS do); Beacon
// requests are 0-based, half-open: a start loses one, an inclusive end is already the end.

const CHROM = "(?:chr)?([0-9]{1,2}|X|Y|MT?)";
const VARIANT = new RegExp(`^${CHROM}[-:_ ](\\d+)[-:_ ]([ACGTN]+)[-:_ >/]([ACGTN]+)$`, "i");
const HGVS = /^(?:refseq:)?(NC_\d+\.\d+):g\.(\d+)([ACGT])>([ACGT])$/i;
const REGION = new RegExp(`^${CHROM}:([\\d,]+)-([\\d,]+)$`, "i");
const ALPHANUMERIC = /^(.+?):(>=|<=|=|<|>|!)(.*)$/;
const BASES = /^[ACGTN]+$/i;

export const PLACEHOLDERS = {
  variant: "22-16050075-A-G or NC_000022.11:g.16050075A>G",
  region: "22:16050000-16060000 (1-based, inclusive)",
  gene: "COMT",
};

/** The variant types a Beacon takes (SO and EFO terms are accepted too). */
export const VARIANT_TYPES = ["SNP", "MNP", "INS", "DEL", "INDEL", "DELINS", "DUP", "CNV", "INV", "BND"];

/** Which builder fields each kind of query uses (the modifiers apply to most kinds). */
export const BUILDER_FIELDS = {
  sequence: ["chrom", "pos", "ref", "alt", "type", "min-length", "max-length"],
  range: ["chrom", "start", "end", "ref", "alt", "type", "min-length", "max-length", "mate"],
  bracket: ["chrom", "start-min", "start-max", "end-min", "end-max", "type", "min-length", "max-length", "mate"],
  gene: ["gene", "aa", "type", "min-length", "max-length"],
  aminoacid: ["aa", "type", "min-length", "max-length"],
  hgvs: ["hgvs"],
  assembly: [],
};

function number(text) {
  return Number.parseInt(String(text).replaceAll(",", ""), 10);
}

function position(label, text) {
  const value = String(text).trim().replaceAll(",", "");
  if (!/^\d+$/.test(value) || number(value) < 1) throw new Error(`${label} is a position from 1 (1-based)`);
  return number(value);
}

function length(label, text) {
  const value = String(text).trim();
  if (!/^\d+$/.test(value)) throw new Error(`${label} is a whole number of bases`);
  return number(value);
}

/** The quick search box: a variant, a region or a gene. */
export function quickParameters(kind, text, assembly) {
  const value = text.trim();
  if (!value) return {};
  if (kind === "gene") return { geneId: value, assemblyId: assembly };
  if (kind === "region") {
    const m = REGION.exec(value);
    if (!m) throw new Error("a region is CHROM:START-END, e.g. 22:16050000-16060000");
    const start = number(m[2]);
    const end = number(m[3]);
    if (start < 1 || end < start) throw new Error("a region needs 1 <= START <= END");
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

/** The query builder: ``fields`` maps a field name (BUILDER_FIELDS) to what was typed. */
export function builderParameters(kind, fields, assembly) {
  const used = BUILDER_FIELDS[kind];
  if (!used) throw new Error(`unknown kind of query: ${kind}`);
  const given = (name) => used.includes(name) && String(fields[name] ?? "").trim() !== "";
  const text = (name) => String(fields[name]).trim();
  const params = { assemblyId: assembly };
  if (used.includes("chrom")) {
    if (!given("chrom")) throw new Error("Chromosome is needed for this kind of query");
    params.referenceName = text("chrom").replace(/^chr/i, "");
  }
  if (kind === "sequence") params.start = [position("Position", fields.pos) - 1];
  if (kind === "range") {
    const start = position("Start", fields.start);
    const end = position("End", fields.end);
    if (end < start) throw new Error("End must not be before Start");
    params.start = [start - 1];
    params.end = [end];
  }
  if (kind === "bracket") {
    const bounds = ["start-min", "start-max", "end-min", "end-max"].map((name) =>
      position(name.replace("-", " ").replace(/^./, (c) => c.toUpperCase()), fields[name]),
    );
    if (bounds[1] < bounds[0] || bounds[3] < bounds[2]) throw new Error("each bracket goes from its lower to its upper bound");
    params.start = [bounds[0] - 1, bounds[1] - 1];
    params.end = [bounds[2], bounds[3]];
  }
  for (const [name, key] of [["ref", "referenceBases"], ["alt", "alternateBases"]]) {
    if (!given(name)) continue;
    if (!BASES.test(text(name))) throw new Error(`${name === "ref" ? "Reference" : "Alternate"} bases are A, C, G, T or N`);
    params[key] = text(name).toUpperCase();
  }
  if (kind === "gene") {
    if (!given("gene")) throw new Error("Gene is needed for a gene query");
    params.geneId = text("gene");
  }
  if (kind === "aminoacid" && !given("aa")) throw new Error("Amino-acid change is needed, e.g. V600E");
  if (given("aa")) params.aminoacidChange = text("aa");
  if (kind === "hgvs") {
    if (!given("hgvs")) throw new Error("HGVS is needed, e.g. NC_000022.11:g.16050075A>G");
    params.genomicAlleleShortForm = text("hgvs");
  }
  if (given("type")) params.variantType = text("type");
  if (given("min-length")) params.variantMinLength = length("Min length", fields["min-length"]);
  if (given("max-length")) params.variantMaxLength = length("Max length", fields["max-length"]);
  if (given("mate")) params.mateName = text("mate").replace(/^chr/i, "");
  return params;
}

/** A typed filter: "HP:0001626" is a term; "karyotypicSex:=XX" and "LOINC:39156-5:>30"
 * compare a field or a term's value. */
export function filterOf(text) {
  const value = text.trim();
  const m = ALPHANUMERIC.exec(value);
  return m ? { id: m[1], operator: m[2], value: m[3] } : { id: value };
}

/** What a filter looks like on its chip and in exports. */
export function filterText(filter) {
  return filter.operator ? `${filter.id}${filter.operator}${filter.value}` : filter.id;
}
