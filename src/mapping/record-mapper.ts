/**
 * The mapper for inputs other than HL7 v2: a FHIR bundle (GP Connect structured record, STU3) or one row of a
 * CSV extract → a transaction Bundle of R4 resources, with the structures of mappings/gp/. Pure, like the HL7 v2
 * mapper (mapper.ts), and with the same result: deterministic ids, labels, preserve rules, unmapped input,
 * warnings. References between the input's resources resolve to the resources mapped from them.
 */
import type { Bundle } from '@medplum/fhirtypes';
import { JsonCursor, JsonRun } from './json-input.js';
import { bundleEntry, mergeInto } from './bundle-entries.js';
import { applyLabels } from './labels.js';
import { CompiledMappingSet, type MappingSet } from './mapping-set.js';
import { csvPersonKey, fhirPersonKey } from './record-identity.js';
import type { CompiledRecordEntry, CompiledRecordStructure } from './record-structure.js';
import { isFhirId, Vars, type JsonObject } from './runtime.js';
import { MappingError, type ChannelContext, type MapResult, type PreserveRule, type UnmappedItem } from './types.js';

/** One CSV row as read: column → text, with where it came from. */
export interface CsvRecord {
  readonly layout: string;
  readonly file: string;
  /** 1-based line number in the file (the header is line 1) */
  readonly row: number;
  readonly values: Readonly<Record<string, string>>;
}

export interface RecordMapper {
  /** a FHIR bundle (parsed JSON) with the structure named `structure` (e.g. gp-connect) */
  mapBundle(structure: string, bundle: unknown, channel: ChannelContext): MapResult;
  /** one CSV row with the structure its layout names */
  mapRow(record: CsvRecord, channel: ChannelContext): MapResult;
  /** the CSV layout whose columns a header has (every column of the layout), or undefined */
  layoutFor(header: readonly string[]): CompiledRecordStructure | undefined;
  structure(name: string): CompiledRecordStructure | undefined;
  /** the CSV layouts and their columns */
  layouts(): { name: string; columns: readonly string[] }[];
}

interface Made {
  readonly entry: CompiledRecordEntry;
  readonly cur: JsonCursor;
  readonly id: string;
  readonly key: string;
}

function isObj(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

interface Input {
  readonly records: readonly JsonObject[];
  /** fullUrl of each record (FHIR), for references written as urn:uuid:… */
  readonly fullUrls: readonly (string | undefined)[];
  readonly placeOf: (record: JsonObject, index: number) => string;
}

function placeOfResource(record: JsonObject, index: number): string {
  const id = typeof record['id'] === 'string' ? record['id'] : `entry[${index}]`;
  return `${String(record['resourceType'])}/${id}`;
}

function assignIds(structure: CompiledRecordStructure, input: Input, run: JsonRun, vars: Vars): Made[] {
  const made: Made[] = [];
  for (const entry of structure.entries) {
    const indexes: number[] = [];
    input.records.forEach((r, i) => {
      if (entry.source === undefined || r['resourceType'] === entry.source) indexes.push(i);
    });
    if (indexes.length === 0) {
      if (entry.required) {
        throw new MappingError(
          `the ${structure.structure} input has no ${entry.source ?? 'record'}, which this mapping needs (template ${entry.template.name}); the sender must include it`,
          `${entry.where}; input ${entry.source ?? 'record'}`,
        );
      }
      continue;
    }
    if (entry.into !== undefined) continue;
    for (const i of entry.repeat ? indexes : indexes.slice(0, 1)) {
      const record = input.records[i] as JsonObject;
      const place = input.placeOf(record, i);
      const cur = new JsonCursor(record, record, place, place, vars);
      if ((entry.when !== undefined && !entry.when(cur, run)) || !entry.template.applies(cur, run)) continue;
      const id = entry.template.id?.(cur, run);
      const type = entry.template.resourceType as string;
      if (id === undefined) {
        run.warn(`${cur.place}: no ${type} made: template ${entry.template.name} found no identifier for its id (${entry.template.idWhere ?? entry.template.where}, ${entry.template.name}.id)`);
        continue;
      }
      if (!isFhirId(id)) {
        throw new MappingError(
          `template ${entry.template.name} made an id that is not a valid FHIR id (1-64 of A-Z a-z 0-9 - .): give its id rule transform: hash-id`,
          `${entry.template.idWhere ?? entry.template.where} (${entry.template.name}.id); input record ${place}`,
        );
      }
      const key = `${type}/${id}`;
      if (entry.key !== undefined) run.refs.set(entry.key, key);
      run.mainKeys.add(key);
      if (typeof record['id'] === 'string') run.sourceRefs.set(`${String(record['resourceType'])}/${record['id']}`, key);
      const fullUrl = input.fullUrls[i];
      if (fullUrl !== undefined) run.sourceRefs.set(fullUrl, key);
      made.push({ entry, cur, id, key });
    }
  }
  return made;
}

const ENGINE_ELEMENTS = new Set(['resourceType', 'id', 'meta']);

function unmapped(structure: CompiledRecordStructure, input: Input): UnmappedItem[] {
  const counts = new Map<string, number>();
  const count = (path: string) => counts.set(path, (counts.get(path) ?? 0) + 1);
  for (const record of input.records) {
    const type = structure.input === 'csv' ? '' : String(record['resourceType']);
    const reads = structure.reads.get(type);
    if (reads === undefined) {
      count(type);
      continue;
    }
    for (const [k, v] of Object.entries(record)) {
      if (ENGINE_ELEMENTS.has(k) && structure.input === 'fhir') continue;
      if (reads.has(k) || v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) continue;
      count(type === '' ? k : `${type}.${k}`);
    }
  }
  return [...counts].map(([path, n]) => ({ path, count: n }));
}

function run(structure: CompiledRecordStructure, input: Input, channel: ChannelContext, builtins: ReadonlyMap<string, string | undefined>, timestamp?: string): MapResult {
  const values = new Map<string, string | undefined>(Object.entries(structure.vars));
  values.set('structure', structure.structure);
  values.set('odsCode', channel.organisation.odsCode.trim().toUpperCase());
  values.set('organisationName', channel.organisation.name);
  values.set('channelId', channel.id);
  for (const [k, v] of builtins) values.set(k, v);
  const vars = new Vars(values);
  const r = new JsonRun();
  const made = assignIds(structure, input, r, vars);
  const main = new Map<string, JsonObject>();
  for (const m of made) {
    if (main.has(m.key)) continue;
    const body = m.entry.template.buildApplied(m.cur, r, m.id);
    if (body !== undefined) main.set(m.key, body);
  }
  for (const entry of structure.entries) {
    if (entry.into === undefined) continue;
    const target = r.refs.get(entry.into);
    const resource = target === undefined ? undefined : main.get(target);
    if (resource === undefined) continue;
    input.records.forEach((record, i) => {
      if (entry.source !== undefined && record['resourceType'] !== entry.source) return;
      const place = input.placeOf(record, i);
      const cur = new JsonCursor(record, record, place, place, vars);
      if (entry.when !== undefined && !entry.when(cur, r)) return;
      const extra = entry.template.build(cur, r);
      if (extra !== undefined) mergeInto(resource, extra);
    });
  }
  const resources = [...main.values()];
  for (const [key, res] of r.secondary) if (!main.has(key)) resources.push(res);
  return {
    bundle: { resourceType: 'Bundle', type: 'transaction', ...(timestamp !== undefined ? { timestamp } : {}), entry: resources.map(bundleEntry) } as Bundle,
    labels: applyLabels(setLabels.get(structure) ?? [], resources),
    unmapped: unmapped(structure, input),
    warnings: r.warnings,
    preserve: preserveRules(structure, r, main),
  };
}

/** label rules of the set a structure belongs to (set when the mapper is made) */
const setLabels = new WeakMap<CompiledRecordStructure, CompiledMappingSet['labelRules']>();

function preserveRules(structure: CompiledRecordStructure, r: JsonRun, main: ReadonlyMap<string, JsonObject>): PreserveRule[] {
  const out: PreserveRule[] = [];
  for (const p of structure.preserve) {
    const key = r.refs.get(p.resource);
    if (key === undefined || !main.has(key)) continue;
    const [resourceType, id] = key.split('/') as [string, string];
    out.push({ resourceType, id, elements: p.elements });
  }
  return out;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function createRecordMapper(set: MappingSet): RecordMapper {
  if (!(set instanceof CompiledMappingSet)) throw new TypeError('createRecordMapper needs a mapping set from loadMappingSet');
  for (const s of set.records.values()) setLabels.set(s, set.labelRules);
  const structureOf = (name: string, input: 'fhir' | 'csv'): CompiledRecordStructure => {
    const s = set.records.get(name);
    if (s === undefined || s.input !== input) {
      const known = [...set.records.values()].filter((x) => x.input === input).map((x) => x.structure);
      throw new MappingError(`no ${input} mapping named ${name}: add mappings/gp/…/${name}.yaml (known: ${known.join(', ') || 'none'})`);
    }
    return s;
  };
  return {
    structure: (name) => set.records.get(name),
    layouts: () => [...set.records.values()].filter((s) => s.input === 'csv').map((s) => ({ name: s.structure, columns: s.columns ?? [] })),
    layoutFor(header) {
      const have = new Set(header);
      return [...set.records.values()].find((s) => s.input === 'csv' && (s.columns ?? []).every((c) => have.has(c)));
    },
    mapBundle(name, bundle, channel) {
      const structure = structureOf(name, 'fhir');
      if (!isObj(bundle) || bundle['resourceType'] !== 'Bundle' || !Array.isArray(bundle['entry'])) {
        throw new MappingError('the input is not a FHIR Bundle with entries', structure.where);
      }
      const entries = bundle['entry'].filter(isObj).filter((e) => isObj(e['resource']));
      const records = entries.map((e) => e['resource'] as JsonObject);
      const fullUrls = entries.map((e) => (typeof e['fullUrl'] === 'string' ? e['fullUrl'] : undefined));
      const meta = isObj(bundle['meta']) ? bundle['meta'] : undefined;
      const lastUpdated = typeof meta?.['lastUpdated'] === 'string' && INSTANT.test(meta['lastUpdated']) ? meta['lastUpdated'] : undefined;
      const builtins = new Map<string, string | undefined>([['personKey', fhirPersonKey(bundle, channel.organisation.odsCode)]]);
      return run(structure, { records, fullUrls, placeOf: placeOfResource }, channel, builtins, lastUpdated);
    },
    mapRow(record, channel) {
      const structure = structureOf(record.layout, 'csv');
      const builtins = new Map<string, string | undefined>([
        ['personKey', csvPersonKey(record.values, structure.person ?? { nhsNumber: '' }, channel.organisation.odsCode)],
        ['sourceFile', record.file],
        ['rowNumber', String(record.row)],
      ]);
      const row = record.values as JsonObject;
      return run(structure, { records: [row], fullUrls: [undefined], placeOf: () => `${record.file}:${record.row}` }, channel, builtins);
    },
  };
}
