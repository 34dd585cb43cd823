/**
 * Parse + map throughput on one core. Prints figures only.
 *   npx tsx bench/mapping.ts [seconds]     (or `npm run bench mapping`)
 *
 * Headline: a ~1.5 KB ADT_A01 (the admit fixture padded with realistic unmapped segments).
 * Then one line per message structure, cycling through the fixtures in fixtures/hl7v2/ that map to it.
 * It runs the parser and mapper as production does, compiled by tsc (see compiled-src.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Hl7v2 from '../src/hl7v2/index.js';
import type * as Mapping from '../src/mapping/index.js';
import type * as MappingSets from '../src/mapping/mapping-set.js';
import { compileSources, load } from './compiled-src.js';

const compiled = compileSources('mapping', ['hl7v2/index.ts', 'mapping/index.ts', 'mapping/mapping-set.ts']);
const { parseMessage } = await load<typeof Hl7v2>(compiled, 'hl7v2/index.js');
const { createMapper, loadMappingSet } = await load<typeof Mapping>(compiled, 'mapping/index.js');
const { CompiledMappingSet } = await load<typeof MappingSets>(compiled, 'mapping/mapping-set.js');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.argv[2] ?? '3');
const channel = { id: 'rgt-adt', organisation: { odsCode: 'RGT', name: 'Cambridge University Hospitals NHS Foundation Trust' } };
const fixtures = resolve(root, 'fixtures/hl7v2');

const base = readFileSync(resolve(fixtures, 'adt-a01-admit.hl7'), 'utf8');
// pad with realistic unmapped content (PV2, a second NK1, AL1s) to reach about 1.5 KB
const extra = [
  'PV2|||^Chest pain||||||20240316|3|||||||||||N',
  'NK1|2|SMITH^PETER^^^MR|SON^Son|4 MILL LANE^NEWNHAM^CAMBRIDGE^CAMBRIDGESHIRE^CB3 9AB^GBR^H|^PRN^CP^^44^07700^900777',
  'AL1|1|DA|PENICILLIN^Penicillin|SV|Rash',
  'AL1|2|FA|PEANUT^Peanut|MO|Swelling',
  'OBX|1|NM|8302-2^Body height^LN||178|cm|||||F',
  'OBX|2|NM|29463-7^Body weight^LN||82|kg|||||F',
  'OBX|3|NM|8867-4^Heart rate^LN||72|/min|||||F',
  'OBX|4|NM|8480-6^Systolic blood pressure^LN||128|mm[Hg]|||||F',
  'NK1|3|JONES^SARAH^^^MRS|SIS^Sister|9 PARK TERRACE^^CAMBRIDGE^CAMBRIDGESHIRE^CB1 1JE^GBR^H|^PRN^CP^^44^07700^900888',
  'AL1|3|DA|ASPIRIN^Aspirin|MI|Wheeze',
  'DG1|1|I10|R07.4^Chest pain, unspecified^I10||20240314093000|A',
  'GT1|1||SMITH^JOHN^PAUL^^MR||12 HILLS ROAD^^CAMBRIDGE^CAMBRIDGESHIRE^CB2 0QQ^GBR^H|^PRN^PH^^44^01223^245151',
].join('\r');
// Decoded from bytes, as production gets every message (MLLP frames and stored messages are decoded from bytes):
// a string built by concatenation is a rope that V8 reads more slowly, which the engine never parses.
const padded = Buffer.from(`${base.trimEnd()}\r${extra}\r`, 'utf8').toString('utf8');

const set = loadMappingSet(resolve(root, 'mappings'));
const mapper = createMapper(set);

interface Rate {
  /** messages per wall-clock second */
  readonly wall: number;
  /** messages per CPU-second of this process (steadier on a busy machine) */
  readonly cpu: number;
}

/** Parse and map the texts in turn for `ms` milliseconds. */
function measure(texts: readonly string[], ms: number): Rate {
  let count = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(ms)) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 500; i++) mapper.map(parseMessage(texts[i % texts.length] as string), channel);
    count += 500;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpuStart);
  return { wall: count / (Number(now - start) / 1e9), cpu: count / ((cpu.user + cpu.system) / 1e6) };
}

function rate(n: number): string {
  return Math.round(n).toLocaleString('en-GB');
}

function structureOf(text: string): string {
  const message = parseMessage(text);
  if (set instanceof CompiledMappingSet) return set.structureFor(message, []).structure;
  return message.header.messageType.structure ?? '?';
}

/** fixtures/hl7v2/*.hl7 grouped by the structure the mapping set maps them with */
function fixturesByStructure(): Map<string, { files: string[]; texts: string[] }> {
  const groups = new Map<string, { files: string[]; texts: string[] }>();
  for (const file of readdirSync(fixtures).filter((f) => f.endsWith('.hl7')).sort()) {
    const text = readFileSync(resolve(fixtures, file), 'utf8');
    const structure = structureOf(text);
    const group = groups.get(structure) ?? { files: [], texts: [] };
    group.files.push(file);
    group.texts.push(text);
    groups.set(structure, group);
  }
  return groups;
}

measure([padded], 500); // warm up
const headline = measure([padded], seconds * 1000);
const result = mapper.map(parseMessage(padded), channel);
console.log(`ADT_A01 headline: ${padded.length} bytes, ${result.bundle.entry?.length ?? 0} resources, ${result.unmapped.length} unmapped items`);
console.log(`parse + map: ${rate(headline.wall)} messages/s (${rate(headline.cpu)} per CPU-second, one core)`);

const groups = fixturesByStructure();
for (const structure of set.structures()) {
  const group = groups.get(structure);
  if (group === undefined) {
    console.log(`  ${structure}: no fixture`);
    continue;
  }
  measure(group.texts, 200);
  const r = measure(group.texts, (seconds * 1000) / 3);
  const bytes = Math.round(group.texts.reduce((n, t) => n + t.length, 0) / group.texts.length);
  console.log(`  ${structure}: ${rate(r.wall)} messages/s (${rate(r.cpu)} per CPU-second; ${group.files.length} fixture(s), ~${bytes} bytes)`);
}
