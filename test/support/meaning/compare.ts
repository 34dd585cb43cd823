/**
 * Meaning comparison of two FHIR bundles made from one HL7 v2 message (ours and the FHIR-Converter's): pairs
 * the resources (Patient with Patient, Encounter with Encounter, allergies, conditions and procedures by code),
 * compares each pair field by field (fields.ts says what "same meaning" is), and holds the outcomes for the
 * agreement table and the check against the list of explained differences.
 */
import { COMPARED_TYPES, FIELDS, codeValues, text, type Anchors, type BundleIndex, type ComparedType, type Json } from './fields.js';

/**
 * agree: same values. differ: both have values, neither set holds the other. fewer / more: our values are a
 * strict subset / superset of theirs. only-theirs / only-ours: one side has nothing for the field (or, for the
 * field `(resource)`, a resource the other side has no pair for).
 */
export type Kind = 'agree' | 'differ' | 'fewer' | 'more' | 'only-theirs' | 'only-ours';
export const KINDS: readonly Kind[] = ['agree', 'differ', 'fewer', 'more', 'only-theirs', 'only-ours'];
export const RESOURCE_FIELD = '(resource)';

export interface Outcome {
  readonly file: string;
  readonly resource: ComparedType;
  readonly field: string;
  readonly kind: Kind;
  /** which pair: the allergen / diagnosis / procedure code, or the resource type */
  readonly pair: string;
  readonly ours: readonly string[];
  readonly theirs: readonly string[];
}

/**
 * A difference we expect. `ours-right`: the reason ours is right. `gap`: ours misses something (the reason says
 * what, and which mapping file should get it) — listed so the test stays exact, and reported as work to do.
 * Without `files` it holds for every corpus message; without `pairs`, for every pair (a pair is the allergen,
 * diagnosis or procedure code, or the resource type).
 */
export interface Explanation {
  readonly resource: ComparedType;
  readonly field: string;
  readonly kind: Exclude<Kind, 'agree'>;
  readonly files?: readonly string[];
  readonly pairs?: readonly string[];
  readonly verdict: 'ours-right' | 'gap';
  readonly reason: string;
}

interface BundleLike {
  readonly entry?: readonly { readonly resource?: unknown }[];
}

function resourcesOf(bundle: BundleLike): Json[] {
  return (bundle.entry ?? []).flatMap((e) => (typeof e.resource === 'object' && e.resource !== null ? [e.resource as Json] : []));
}

export function indexBundle(bundle: BundleLike): BundleIndex {
  const byKey = new Map<string, Json>();
  const parts = new Map<string, Json[]>();
  for (const r of resourcesOf(bundle)) {
    byKey.set(`${String(r['resourceType'])}/${String(r['id'])}`, r);
    const partOf = (r['partOf'] as Json | undefined)?.['reference'];
    if (typeof partOf === 'string') parts.set(partOf, [...(parts.get(partOf) ?? []), r]);
  }
  return {
    resolve: (reference) => (typeof reference === 'string' ? byKey.get(reference) : undefined),
    partsOf: (r) => parts.get(`${String(r['resourceType'])}/${String(r['id'])}`) ?? [],
  };
}

function identifierSet(r: Json): Set<string> {
  const values = (Array.isArray(r['identifier']) ? r['identifier'] : []) as Json[];
  return new Set(values.map((i) => text(i['value'])).filter((v): v is string => v !== undefined));
}

function codeKeys(r: Json): Set<string> {
  const keys = new Set(codeValues(r['code']));
  if (keys.size === 0) {
    const t = text((r['code'] as Json | undefined)?.['text']);
    if (t !== undefined) keys.add(`text:${t}`);
  }
  return keys;
}

function overlaps(a: Set<string>, b: Set<string>): boolean {
  for (const v of a) if (b.has(v)) return true;
  return false;
}

/** Greedy pairs: each of ours with the first unpaired of theirs sharing a key; a lone pair of each is paired anyway. */
function pairUp(ours: Json[], theirs: Json[], keys: (r: Json) => Set<string>, loneAnyway: boolean): { pairs: [Json, Json][]; oursOnly: Json[]; theirsOnly: Json[] } {
  const free = [...theirs];
  const pairs: [Json, Json][] = [];
  const oursOnly: Json[] = [];
  for (const o of ours) {
    const k = keys(o);
    const i = free.findIndex((t) => overlaps(k, keys(t)));
    if (i >= 0) pairs.push([o, free.splice(i, 1)[0] as Json]);
    else oursOnly.push(o);
  }
  if (loneAnyway && oursOnly.length === 1 && free.length === 1 && pairs.length === 0) {
    pairs.push([oursOnly.pop() as Json, free.pop() as Json]);
  }
  return { pairs, oursOnly, theirsOnly: free };
}

function kindOf(ours: readonly string[], theirs: readonly string[]): Kind | undefined {
  if (ours.length === 0 && theirs.length === 0) return undefined;
  if (theirs.length === 0) return 'only-ours';
  if (ours.length === 0) return 'only-theirs';
  const t = new Set(theirs);
  const o = new Set(ours);
  const oursInTheirs = ours.every((v) => t.has(v));
  const theirsInOurs = theirs.every((v) => o.has(v));
  if (oursInTheirs && theirsInOurs) return 'agree';
  if (oursInTheirs) return 'fewer';
  if (theirsInOurs) return 'more';
  return 'differ';
}

function label(type: ComparedType, r: Json): string {
  if (type === 'Patient' || type === 'Encounter') return type;
  const keys = [...codeKeys(r)];
  return keys.length > 0 ? keys.join('+') : type;
}

/** Every outcome of comparing our bundle with theirs for one message. */
export function compareBundles(file: string, oursBundle: BundleLike, theirsBundle: BundleLike): Outcome[] {
  const ours = indexBundle(oursBundle);
  const theirs = indexBundle(theirsBundle);
  const ofType = (b: BundleLike, t: string) => resourcesOf(b).filter((r) => r['resourceType'] === t);
  const outcomes: Outcome[] = [];
  const oursAnchors: { patient?: Json; encounter?: Json } = {};
  const theirsAnchors: { patient?: Json; encounter?: Json } = {};

  for (const type of COMPARED_TYPES) {
    const byIdentity = type === 'Patient' || type === 'Encounter';
    const { pairs, oursOnly, theirsOnly } = pairUp(ofType(oursBundle, type), ofType(theirsBundle, type), byIdentity ? identifierSet : codeKeys, byIdentity);
    if (byIdentity && pairs[0] !== undefined) {
      const anchor = type === 'Patient' ? 'patient' : 'encounter';
      oursAnchors[anchor] = pairs[0][0];
      theirsAnchors[anchor] = pairs[0][1];
    }
    for (const r of oursOnly) outcomes.push({ file, resource: type, field: RESOURCE_FIELD, kind: 'only-ours', pair: label(type, r), ours: [label(type, r)], theirs: [] });
    for (const r of theirsOnly) outcomes.push({ file, resource: type, field: RESOURCE_FIELD, kind: 'only-theirs', pair: label(type, r), ours: [], theirs: [label(type, r)] });
    for (const [o, t] of pairs) {
      outcomes.push({ file, resource: type, field: RESOURCE_FIELD, kind: 'agree', pair: label(type, o), ours: [type], theirs: [type] });
      for (const spec of FIELDS[type]) {
        const a = spec.read(o, ours, oursAnchors as Anchors);
        const b = spec.read(t, theirs, theirsAnchors as Anchors);
        const kind = kindOf(a, b);
        if (kind !== undefined) outcomes.push({ file, resource: type, field: spec.name, kind, pair: label(type, o), ours: a, theirs: b });
      }
    }
  }
  return outcomes;
}

export function explains(e: Explanation, o: Outcome): boolean {
  return (
    e.resource === o.resource &&
    e.field === o.field &&
    e.kind === o.kind &&
    (e.files === undefined || e.files.includes(o.file)) &&
    (e.pairs === undefined || e.pairs.includes(o.pair))
  );
}

/** Differences no explanation covers. */
export function unexplained(outcomes: readonly Outcome[], explanations: readonly Explanation[]): Outcome[] {
  return outcomes.filter((o) => o.kind !== 'agree' && !explanations.some((e) => explains(e, o)));
}

/** Explanations (or files named in them) that no difference needs any more. */
export function stale(outcomes: readonly Outcome[], explanations: readonly Explanation[]): string[] {
  const problems: string[] = [];
  for (const e of explanations) {
    const used = outcomes.filter((o) => explains(e, o));
    const where = `${e.resource}.${e.field} ${e.kind}`;
    if (used.length === 0) {
      problems.push(`${where}: no message shows this difference any more — remove the entry`);
      continue;
    }
    for (const f of e.files ?? []) {
      if (!used.some((o) => o.file === f)) problems.push(`${where}: ${f} no longer shows it — remove the file from the entry`);
    }
  }
  return problems;
}

/** Paste-ready entries for the differences no explanation covers (reason left for a person to write). */
export function suggestEntries(missing: readonly Outcome[]): string {
  const groups = new Map<string, Outcome[]>();
  for (const o of missing) {
    const key = `${o.resource}\u0000${o.field}\u0000${o.kind}`;
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  return [...groups.values()]
    .map((g) => {
      const first = g[0] as Outcome;
      const files = [...new Set(g.map((o) => o.file))].sort();
      const sample = `ours ${JSON.stringify(first.ours)} theirs ${JSON.stringify(first.theirs)}`;
      return (
        `  // e.g. ${first.file} ${first.pair}: ${sample.slice(0, 300)}\n` +
        `  { resource: '${first.resource}', field: '${first.field}', kind: '${first.kind}', files: ${JSON.stringify(files)}, ` +
        `verdict: 'ours-right', reason: 'TODO: why ours is right (or verdict gap: what we miss)' },`
      );
    })
    .join('\n');
}

/** The agreement table: per resource and field, how many pairs agree, differ …, and the share that agrees. */
export function agreementTable(outcomes: readonly Outcome[]): string {
  const rows = new Map<string, Record<Kind, number>>();
  for (const type of COMPARED_TYPES) {
    for (const field of [RESOURCE_FIELD, ...FIELDS[type].map((f) => f.name)]) {
      rows.set(`${type}.${field}`, { agree: 0, differ: 0, fewer: 0, more: 0, 'only-theirs': 0, 'only-ours': 0 });
    }
  }
  for (const o of outcomes) {
    const row = rows.get(`${o.resource}.${o.field}`);
    if (row) row[o.kind] += 1;
  }
  const width = Math.max(...[...rows.keys()].map((k) => k.length));
  const head = ['field'.padEnd(width), ...KINDS.map((k) => k.padStart(11)), '  agree %'].join(' ');
  const lines = [...rows].map(([name, row]) => {
    const total = KINDS.reduce((n, k) => n + row[k], 0);
    const pct = total === 0 ? '-' : `${((100 * row.agree) / total).toFixed(0)}%`;
    return [name.padEnd(width), ...KINDS.map((k) => String(row[k]).padStart(11)), pct.padStart(9)].join(' ');
  });
  const all = outcomes.length;
  const agree = outcomes.filter((o) => o.kind === 'agree').length;
  return [head, ...lines, `overall: ${agree} of ${all} comparisons agree (${all === 0 ? '-' : ((100 * agree) / all).toFixed(0)}%)`].join('\n');
}
