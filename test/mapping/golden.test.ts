/**
 * Golden files: every fixture under fixtures/ (an input a registered kind reads, e.g. <name>.hl7) maps to
 * <name>.expected.json (the whole MapResult), and every bundle passes the rule checks. The same runner as
 * `junction test`; `junction test --update` (or UPDATE_GOLDEN=1 here) rewrites the expected files — read the
 * diff before committing it.
 */
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadR4Definitions } from '../../src/conformance/index.js';
import { discoverFixtures, FixtureRunner, reportDetails } from '../../src/golden/index.js';
import type { MapResult } from '../../src/mapping/types.js';
import { mappingsDir, repoRoot } from '../support/mapping-harness.js';

const found = discoverFixtures(resolve(repoRoot, 'fixtures'));
const runner = new FixtureRunner({ mappingsDir });
const update = process.env['UPDATE_GOLDEN'] === '1';

function mapFixture(stem: string): MapResult {
  const fixture = found.fixtures.find((f) => f.name === `hl7v2/${stem}.hl7`);
  if (fixture === undefined) throw new Error(`no fixture hl7v2/${stem}.hl7`);
  const report = runner.run(fixture);
  if (report.output === undefined) throw new Error(report.error);
  return report.output as MapResult;
}

function resource(result: MapResult, type: string): Record<string, unknown> {
  const found = result.bundle.entry?.find((e) => e.resource?.resourceType === type)?.resource;
  if (found === undefined) throw new Error(`no ${type} in the bundle`);
  return found as unknown as Record<string, unknown>;
}

describe('golden files', () => {
  beforeAll(() => loadR4Definitions(), 60_000);

  it('has the fixtures the README tour uses, and every file in fixtures/ is read by some input kind', () => {
    const names = found.fixtures.map((f) => f.name);
    expect(names).toContain('hl7v2/adt-a01-admit.hl7');
    expect(names).toContain('hl7v2/adt-a03-discharge.hl7');
    expect(names.length).toBeGreaterThanOrEqual(11);
    expect(found.orphans).toEqual([]);
  });

  for (const fixture of found.fixtures) {
    it(`${fixture.name} maps to its expected file and passes the rule checks`, () => {
      const report = update ? runner.update(fixture) : runner.run(fixture);
      expect(report.status, reportDetails(report).join('\n')).toBe('pass');
    });
  }
});

describe('the fixtures tell one story', () => {
  it('the A03 for the same patient and visit leaves the Patient unchanged and finishes the same Encounter', () => {
    const admit = mapFixture('adt-a01-admit');
    const discharge = mapFixture('adt-a03-discharge');
    expect(resource(discharge, 'Patient')).toEqual(resource(admit, 'Patient'));
    const a = resource(admit, 'Encounter');
    const d = resource(discharge, 'Encounter');
    expect(d['id']).toBe(a['id']);
    expect(a['status']).toBe('in-progress');
    expect(d['status']).toBe('finished');
    expect(admit.preserve).toEqual([]);
  });

  it('an A08 without a discharge time keeps the held Encounter status', () => {
    const a08 = mapFixture('adt-a08-update');
    const encounter = resource(a08, 'Encounter');
    expect(a08.preserve).toEqual([{ resourceType: 'Encounter', id: encounter['id'], elements: ['status'] }]);
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
