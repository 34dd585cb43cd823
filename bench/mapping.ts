/**
 * Parse + map throughput for an ADT^A01 (~1.5 KB) on one core. Prints figures only.
 *   npx tsx bench/mapping.ts [seconds]
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMessage } from '../src/hl7v2/index.js';
import { createMapper, loadMappingSet } from '../src/mapping/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.argv[2] ?? '3');
const channel = { id: 'rgt-adt', organisation: { odsCode: 'RGT', name: 'Cambridge University Hospitals NHS Foundation Trust' } };

const base = readFileSync(resolve(root, 'fixtures/hl7v2/adt-a01-admit.hl7'), 'utf8');
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
const text = `${base.trimEnd()}\r${extra}\r`;

const set = loadMappingSet(resolve(root, 'mappings'));
const mapper = createMapper(set);

function run(ms: number): { count: number; elapsed: number } {
  let count = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 500; i++) mapper.map(parseMessage(text), channel);
    count += 500;
    now = process.hrtime.bigint();
  }
  return { count, elapsed: Number(now - start) / 1e9 };
}

run(500); // warm up
const { count, elapsed } = run(seconds * 1000);
const result = mapper.map(parseMessage(text), channel);
console.log(`message: ${text.length} bytes, ${result.bundle.entry?.length ?? 0} resources, ${result.unmapped.length} unmapped items`);
console.log(`parse + map: ${Math.round(count / elapsed).toLocaleString('en-GB')} messages/s (${count} in ${elapsed.toFixed(2)} s, one core)`);
