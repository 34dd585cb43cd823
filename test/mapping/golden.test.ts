/**
 * Golden files: every fixtures/hl7v2/<name>.hl7 maps to <name>.expected.json (the whole MapResult).
 * UPDATE_GOLDEN=1 npx vitest run test/mapping/golden.test.ts rewrites the expected files — the only way
 * to change them; read the diff before committing it.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMapper, loadMappingSet } from '../../src/mapping/index.js';
import type { MapResult } from '../../src/mapping/types.js';
import { checkBundle } from '../support/bundle-rules.js';
import { channel, hl7FixturesDir, mappingsDir, readHl7 } from '../support/mapping-harness.js';

const RGT = channel('rgt-adt', 'RGT', 'Cambridge University Hospitals NHS Foundation Trust');
const update = process.env['UPDATE_GOLDEN'] === '1';
const mapper = createMapper(loadMappingSet(mappingsDir), { clock: () => new Date('2000-01-01T00:00:00Z') });
const names = readdirSync(hl7FixturesDir)
  .filter((f) => f.endsWith('.hl7'))
  .map((f) => f.slice(0, -'.hl7'.length))
  .sort();

function mapFixture(name: string): MapResult {
  return mapper.map(readHl7(join(hl7FixturesDir, `${name}.hl7`)), RGT);
}

function resource(result: MapResult, type: string): Record<string, unknown> {
  const found = result.bundle.entry?.find((e) => e.resource?.resourceType === type)?.resource;
  if (found === undefined) throw new Error(`no ${type} in the bundle`);
  return found as unknown as Record<string, unknown>;
}

describe('golden files', () => {
  it('has the fixtures the README tour uses', () => {
    expect(names).toContain('adt-a01-admit');
    expect(names).toContain('adt-a03-discharge');
    expect(names.length).toBeGreaterThanOrEqual(11);
  });

  for (const name of names) {
    it(`${name} maps to ${name}.expected.json`, () => {
      const result = mapFixture(name);
      const expectedPath = join(hl7FixturesDir, `${name}.expected.json`);
      const actual = JSON.parse(JSON.stringify(result)) as unknown;
      if (update) {
        writeFileSync(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
        return;
      }
      expect(existsSync(expectedPath), `${expectedPath} is missing: run UPDATE_GOLDEN=1 npx vitest run test/mapping/golden.test.ts`).toBe(true);
      expect(actual).toEqual(JSON.parse(readFileSync(expectedPath, 'utf8')));
      expect(checkBundle(result.bundle)).toEqual([]);
    });
  }
});

describe('the fixtures tell one story', () => {
  it('the A03 for the same patient and visit leaves the Patient unchanged and finishes the same Encounter', () => {
    const admit = mapFixture('adt-a01-admit');
    const discharge = mapFixture('adt-a03-discharge');
    // the A03 carries no NK1: it says nothing of the contacts, so the store keeps the ones the A01 gave
    const { contact, ...admitted } = resource(admit, 'Patient');
    expect(contact).toHaveLength(1);
    expect(resource(discharge, 'Patient')).toEqual(admitted);
    expect(discharge.preserve).toContainEqual({ resourceType: 'Patient', id: admitted['id'], elements: ['contact'] });
    const a = resource(admit, 'Encounter');
    const d = resource(discharge, 'Encounter');
    expect(d['id']).toBe(a['id']);
    expect(a['status']).toBe('in-progress');
    expect(d['status']).toBe('finished');
    expect(admit.preserve).toEqual([]); // the A01 has NK1 and PD1: it says everything itself
  });

  it('an A08 without a discharge time keeps the held Encounter status', () => {
    const update = mapFixture('adt-a08-update');
    const encounter = resource(update, 'Encounter');
    expect(update.preserve).toContainEqual({ resourceType: 'Encounter', id: encounter['id'], elements: ['status'] });
  });

  it('an A11 cancels the Encounter its A01 made', () => {
    const admit = resource(mapFixture('adt-a01-admit-cancelled'), 'Encounter');
    const cancel = resource(mapFixture('adt-a11-cancel-admit'), 'Encounter');
    expect(cancel['id']).toBe(admit['id']);
    expect(cancel['status']).toBe('cancelled');
  });

  it('v2.3 and v2.5 telecoms of the same person give the same contact points', () => {
    const v25 = resource(mapFixture('adt-a01-admit'), 'Patient')['telecom'] as unknown[];
    const v23 = resource(mapFixture('adt-a01-v23-telecom'), 'Patient')['telecom'] as unknown[];
    const phones = (list: unknown[]) => list.filter((t) => (t as { system: string }).system === 'phone');
    expect(phones(v23).map((t) => (t as { use: string }).use)).toEqual(phones(v25).map((t) => (t as { use: string }).use));
  });
});
