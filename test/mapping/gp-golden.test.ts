/**
 * Golden files for the GP feeds: every fixtures/gp/<name>.json (a GP Connect structured record) and
 * fixtures/gp/<name>.csv (a CSV extract, each row mapped on its own) maps to <name>.expected.json, and every
 * mapped bundle passes the rule checks (valid R4, unique ids, references resolve, no empty values).
 * UPDATE_GOLDEN=1 npx vitest run test/mapping/gp-golden.test.ts rewrites the expected files; read the diff.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/channels/csv.js';
import { loadMappingSet } from '../../src/mapping/index.js';
import { createRecordMapper, type RecordMapper } from '../../src/mapping/record-mapper.js';
import type { MapResult } from '../../src/mapping/types.js';
import { checkBundle } from '../support/bundle-rules.js';
import { loadR4Definitions } from '../support/fhir-validator.js';
import { channel, mappingsDir, repoRoot } from '../support/mapping-harness.js';

const gpFixturesDir = resolve(repoRoot, 'fixtures/gp');
const PRACTICE = channel('histon-gp', 'D81025', 'Histon Road Surgery');
const update = process.env['UPDATE_GOLDEN'] === '1';
const names = readdirSync(gpFixturesDir).filter((f) => /\.(json|csv)$/.test(f) && !f.endsWith('.expected.json')).sort();

let mapper: RecordMapper;
beforeAll(() => {
  loadR4Definitions();
  mapper = createRecordMapper(loadMappingSet(mappingsDir));
}, 60_000);

/** The fixture mapped: one result for a bundle, one per data row for a CSV file. */
function mapFixture(name: string): MapResult[] {
  const text = readFileSync(join(gpFixturesDir, name), 'utf8');
  if (name.endsWith('.json')) return [mapper.mapBundle('gp-connect', JSON.parse(text), PRACTICE)];
  const csv = parseCsv(text);
  const layout = mapper.layoutFor(csv.header);
  if (layout === undefined) throw new Error(`${name}: no CSV layout has the columns ${csv.header.join(', ')}`);
  return csv.rows.map((row) => mapper.mapRow({ layout: layout.structure, file: name, row: row.line, values: row.values }, PRACTICE));
}

describe('GP golden files', () => {
  it('has a GP Connect record and a CSV extract of each kind', () => {
    expect(names).toContain('gp-connect-structured-record.json');
    for (const kind of ['patients', 'problems', 'medications', 'allergies']) expect(names).toContain(`${kind}.csv`);
  });

  for (const name of names) {
    it(`${name} maps to its expected file and passes the bundle rules`, () => {
      const results = mapFixture(name);
      const expectedPath = join(gpFixturesDir, name.replace(/\.(json|csv)$/, '.expected.json'));
      const actual = JSON.parse(JSON.stringify(name.endsWith('.json') ? results[0] : results)) as unknown;
      if (update) {
        writeFileSync(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
      } else {
        expect(existsSync(expectedPath), `${expectedPath} is missing: run UPDATE_GOLDEN=1 npx vitest run test/mapping/gp-golden.test.ts`).toBe(true);
        expect(actual).toEqual(JSON.parse(readFileSync(expectedPath, 'utf8')));
      }
      results.forEach((r, i) => expect(checkBundle(r.bundle), `${name} result ${i}`).toEqual([]));
    });
  }
});
