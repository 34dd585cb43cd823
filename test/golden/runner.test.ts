import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadR4Definitions } from '../../src/conformance/index.js';
import { discoverFixtures, FIXTURE_KINDS, FixtureRunner, jsonDifferences, kindFor, type FixtureKind } from '../../src/golden/index.js';
import { MappingLoadError } from '../../src/mapping/index.js';
import { hl7FixturesDir, mappingsDir } from '../support/mapping-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'junction-golden-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SETTINGS = 'channel:\n  id: rgt-adt\n  organisation: { odsCode: RGT, name: Cambridge University Hospitals NHS Foundation Trust }\n';

/** A fixtures folder with copies of some repository fixtures (input and expected file). */
function fixturesWith(name: string, stems: string[], settings = SETTINGS): string {
  const root = join(dir, name);
  mkdirSync(join(root, 'hl7v2'), { recursive: true });
  writeFileSync(join(root, 'fixtures.yaml'), settings);
  for (const stem of stems) {
    cpSync(join(hl7FixturesDir, `${stem}.hl7`), join(root, 'hl7v2', `${stem}.hl7`));
    cpSync(join(hl7FixturesDir, `${stem}.expected.json`), join(root, 'hl7v2', `${stem}.expected.json`));
  }
  return root;
}

/** A kind for tests: `<name>.bundle.json` is a Bundle, used as it is. */
const bundleKind: FixtureKind = {
  name: 'bundle',
  extensions: ['.bundle.json'],
  prepare: () => (path) => {
    const bundle = JSON.parse(readFileSync(path, 'utf8')) as Bundle;
    return { output: bundle, bundles: [bundle] };
  },
};

beforeAll(() => loadR4Definitions(), 60_000);

describe('input kinds', () => {
  it('picks the kind by the longest matching file ending, never for expected files', () => {
    const kinds = [...FIXTURE_KINDS, bundleKind];
    expect(kindFor('a.hl7', kinds)?.kind.name).toBe('hl7v2');
    expect(kindFor('a.bundle.json', kinds)?.kind.name).toBe('bundle');
    expect(kindFor('a.json', kinds)?.kind.name).toBe('gp-connect');
    expect(kindFor('a.csv', kinds)?.kind.name).toBe('gp-csv');
    expect(kindFor('a.expected.json', kinds)).toBeUndefined();
    expect(kindFor('a.xml', kinds)).toBeUndefined();
  });
});

describe('discovering fixtures', () => {
  it('pairs inputs with expected files, recursively, and lists files no kind reads and expected files without input', () => {
    const root = fixturesWith('discover', ['adt-a01-admit']);
    mkdirSync(join(root, 'gp', 'deep'), { recursive: true });
    writeFileSync(join(root, 'gp', 'deep', 'extract.xml'), '<a/>');
    writeFileSync(join(root, 'gp', 'stale.expected.json'), '{}');
    writeFileSync(join(root, 'README.md'), '# notes');
    const found = discoverFixtures(root);
    expect(found.fixtures.map((f) => [f.name, f.kind.name])).toEqual([['hl7v2/adt-a01-admit.hl7', 'hl7v2']]);
    expect(found.fixtures[0]?.expected).toBe(join(root, 'hl7v2', 'adt-a01-admit.expected.json'));
    expect(found.unread).toEqual(['gp/deep/extract.xml']);
    expect(found.orphans).toEqual(['gp/stale.expected.json']);
  });

  it('takes the channel from the nearest fixtures.yaml, overlays relative to it', () => {
    const root = fixturesWith('nearest', ['adt-a01-admit']);
    mkdirSync(join(root, 'gp'));
    writeFileSync(join(root, 'gp', 'fixtures.yaml'), 'channel: { id: gp-feed, organisation: { odsCode: D81002 } }\nmappings: [../overlay]\n');
    writeFileSync(join(root, 'gp', 'record.bundle.json'), '{}');
    const found = discoverFixtures(root, [...FIXTURE_KINDS, bundleKind]);
    const byName = new Map(found.fixtures.map((f) => [f.name, f]));
    expect(byName.get('hl7v2/adt-a01-admit.hl7')?.channel?.context.organisation.odsCode).toBe('RGT');
    expect(byName.get('gp/record.bundle.json')?.channel).toEqual({ context: { id: 'gp-feed', organisation: { odsCode: 'D81002' } }, overlayDirs: [join(root, 'overlay')] });
  });

  it('reports a bad fixtures.yaml with file:line', () => {
    const root = fixturesWith('bad-settings', [], 'channel:\n  id: x\n  organisation: { ods: RGT }\n');
    try {
      discoverFixtures(root);
      expect.unreachable('a bad fixtures.yaml must be reported');
    } catch (err) {
      expect(err).toBeInstanceOf(MappingLoadError);
      expect((err as Error).message).toMatch(/fixtures\.yaml:3:\d+/);
    }
  });
});

describe('differences', () => {
  it('lists paths with expected and actual values, first ones only, with the total', () => {
    const d = jsonDifferences({ a: [1, 2, 3], b: { c: 'x' }, gone: true }, { a: [1, 5], b: { c: 'y', extra: 1 } }, 3);
    expect(d.total).toBe(5);
    expect(d.first).toEqual([
      { path: 'a[1]', expected: 2, actual: 5 },
      { path: 'a[2]', expected: 3, actual: undefined },
      { path: 'b.c', expected: 'x', actual: 'y' },
    ]);
    expect(jsonDifferences({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }).total).toBe(0);
  });
});

describe('running and updating fixtures', () => {
  it('passes a fixture whose output equals its expected file; fails one that differs, naming where', () => {
    const root = fixturesWith('run', ['adt-a01-admit', 'adt-a03-discharge']);
    const expectedPath = join(root, 'hl7v2', 'adt-a03-discharge.expected.json');
    const expected = JSON.parse(readFileSync(expectedPath, 'utf8'));
    const at = expected.bundle.entry.findIndex((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Encounter');
    expected.bundle.entry[at].resource.status = 'in-progress';
    writeFileSync(expectedPath, JSON.stringify(expected));
    const runner = new FixtureRunner({ mappingsDir });
    const [admit, discharge] = discoverFixtures(root).fixtures.map((f) => runner.run(f));
    expect(admit?.status).toBe('pass');
    expect(discharge?.status).toBe('fail');
    expect(discharge?.differences).toEqual([{ path: `bundle.entry[${at}].resource.status`, expected: 'in-progress', actual: 'finished' }]);
    expect(discharge?.violations).toEqual([]);
  });

  it('fails a fixture whose bundle breaks a rule even when it equals the expected file, and refuses to update it', () => {
    const root = fixturesWith('rules', []);
    writeFileSync(join(root, 'hl7v2', 'broken.bundle.json'), JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [{ fullUrl: 'Patient/p1', resource: { resourceType: 'Patient', id: 'p1', gender: 'mail', generalPractitioner: [{ reference: 'Practitioner/nope' }] }, request: { method: 'PUT', url: 'Patient/p1' } }] }));
    const found = discoverFixtures(root, [bundleKind]);
    const runner = new FixtureRunner({ mappingsDir });
    const fixture = found.fixtures[0]!;
    const update = runner.update(fixture);
    expect(update.action).toBe('refused');
    expect(existsSync(fixture.expected)).toBe(false);
    expect(update.violations.some((v) => v.startsWith('[reference]') && v.includes('Practitioner/nope'))).toBe(true);
    expect(update.violations.some((v) => v.startsWith('[r4]') && v.includes('Patient.gender'))).toBe(true);
    writeFileSync(fixture.expected, readFileSync(fixture.input));
    const report = runner.run(fixture);
    expect(report.differenceCount).toBe(0);
    expect(report.status).toBe('fail');
  });

  it('update creates missing expected files, rewrites changed ones and leaves equal ones alone', () => {
    const root = fixturesWith('update', ['adt-a01-admit', 'adt-a03-discharge']);
    cpSync(join(hl7FixturesDir, 'adt-a08-update.hl7'), join(root, 'hl7v2', 'adt-a08-update.hl7'));
    const changed = join(root, 'hl7v2', 'adt-a03-discharge.expected.json');
    writeFileSync(changed, '{"bundle": {}}');
    const runner = new FixtureRunner({ mappingsDir });
    const actions = discoverFixtures(root).fixtures.map((f) => [f.name, runner.update(f).action]);
    expect(actions).toEqual([
      ['hl7v2/adt-a01-admit.hl7', 'unchanged'],
      ['hl7v2/adt-a03-discharge.hl7', 'updated'],
      ['hl7v2/adt-a08-update.hl7', 'created'],
    ]);
    expect(readFileSync(changed, 'utf8')).toBe(readFileSync(join(hl7FixturesDir, 'adt-a03-discharge.expected.json'), 'utf8'));
    expect(readFileSync(join(root, 'hl7v2', 'adt-a08-update.expected.json'), 'utf8')).toBe(readFileSync(join(hl7FixturesDir, 'adt-a08-update.expected.json'), 'utf8'));
    expect(discoverFixtures(root).fixtures.map((f) => runner.run(f).status)).toEqual(['pass', 'pass', 'pass']);
  });

  it('reports a message that cannot be mapped as an error with where, and mapping files that do not load per fixture', () => {
    const root = fixturesWith('errors', []);
    writeFileSync(join(root, 'hl7v2', 'no-pid.hl7'), 'MSH|^~\\&|EPIC|RGT|JUNCTION|HIE|20240314093012||ADT^A01^ADT_A01|X1|P|2.5\rEVN|A01|20240314093000');
    const fixture = discoverFixtures(root).fixtures[0]!;
    const report = new FixtureRunner({ mappingsDir }).run(fixture);
    expect(report.status).toBe('error');
    expect(report.error).toMatch(/no PID segment.*\(at mappings\/hl7v2\/messages\/ADT_A01\.yaml:\d+:\d+/);
    const broken = new FixtureRunner({ mappingsDir: join(dir, 'no-such-mappings') }).run(fixture);
    expect(broken.status).toBe('error');
    expect(broken.error).toMatch(/mapping folder does not exist/);
  });
});
