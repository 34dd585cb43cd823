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
    // the A01 has NK1 and PD1, so it says the Patient's contacts and GP itself; without PV2 it keeps the visit's reason
    expect(admit.preserve.filter((p) => p.resourceType === 'Patient')).toEqual([]);
    expect(admit.preserve).toContainEqual({ resourceType: 'Encounter', id: a['id'], elements: ['reasonCode'] });
  });

  it('an A08 without a discharge time keeps the held Encounter status', () => {
    const a08 = mapFixture('adt-a08-update');
    const encounter = resource(a08, 'Encounter');
    expect(a08.preserve).toContainEqual({ resourceType: 'Encounter', id: encounter['id'], elements: ['status'] });
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

describe('every ADT event means what HL7 v2.5 and the NHS ADT specification say', () => {
  const enc = (name: string) => resource(mapFixture(name), 'Encounter');
  const locations = (e: Record<string, unknown>) => (e['location'] as { status: string }[]).map((l) => l.status);

  it('a pre-admit (A05) and a pending admit (A14) are planned; their cancels (A38, A27) cancel the same Encounter', () => {
    for (const [planned, cancel] of [['adt-a05-preadmit', 'adt-a38-cancel-preadmit'], ['adt-a14-pending-admit', 'adt-a27-cancel-pending-admit']] as const) {
      const p = enc(planned);
      const c = enc(cancel);
      expect([p['status'], c['status']]).toEqual(['planned', 'cancelled']);
      expect(c['id']).toBe(p['id']);
    }
    const ext = enc('adt-a05-preadmit')['extension'] as { url: string }[];
    expect(ext.map((e) => e.url.split('.').pop())).toEqual(['plannedStartDate', 'plannedEndDate']);
  });

  it('A06 and A07 change the class of the same visit, which stays in progress', () => {
    const a06 = enc('adt-a06-outpatient-to-inpatient');
    const a07 = enc('adt-a07-inpatient-to-outpatient');
    expect(a07['id']).toBe(a06['id']);
    expect([a06['class'], a07['class']].map((c) => (c as { code: string }).code)).toEqual(['IMP', 'AMB']);
    expect([a06['status'], a07['status']]).toEqual(['in-progress', 'in-progress']);
  });

  it('tracking: A09 keeps the bed reserved while the patient is at the temporary location; A10 brings them back', () => {
    expect(locations(enc('adt-a09-patient-departing'))).toEqual(['reserved', 'active']);
    expect(locations(enc('adt-a10-patient-arriving'))).toEqual(['active']);
  });

  it('A13 (cancel discharge) drops the discharge it cancels: no end, no disposition, the bed still active', () => {
    const a13 = enc('adt-a13-cancel-discharge-sent-end'); // PV1-45 and PV1-36 are the cancelled discharge's
    expect(a13['status']).toBe('in-progress');
    expect(a13['period']).toEqual({ start: '2024-03-14T09:30:00+00:00' });
    expect((a13['hospitalization'] as Record<string, unknown>)['dischargeDisposition']).toBeUndefined();
    expect(locations(a13)).toEqual(['active']);
    expect(a13['id']).toBe(enc('adt-a03-discharge')['id']); // the visit the A03 finished
  });

  it('v2.7+ fields: alias (old name), telecom in PID-40, not deceased, house number and street, temporary locations, other providers', () => {
    const result = mapFixture('adt-a08-v28-patient-fields');
    const patient = resource(result, 'Patient');
    expect(patient['name']).toContainEqual({ use: 'old', family: 'NWOSU', given: ['GRACE'] });
    expect((patient['telecom'] as { value: string }[]).map((t) => t.value)).toEqual(['01223 508812', '07700 900481', 'grace.okafor@example.org']);
    expect(patient['deceasedBoolean']).toBe(false);
    expect((patient['address'] as { line: string[] }[])[0]?.line).toEqual(['14 Chesterton Road', 'Flat 2']);
    const encounter = resource(result, 'Encounter');
    // in theatre (PV1-11) now, back from X-ray (PV1-43); the bed (PV1-3) is kept for them
    expect(locations(encounter)).toEqual(['reserved', 'active', 'completed']);
    const roles = (encounter['participant'] as { type: { coding: { code: string }[] }[] }[]).map((p) => p.type[0]?.coding[0]?.code);
    expect(roles).toEqual(['ATND', 'PART', 'REF']); // PV1-52 other healthcare provider, PV2-13 referral source
    const unmapped = result.unmapped.map((u) => u.path);
    for (const field of ['PID-9', 'PID-30', 'PID-40', 'PV1-11', 'PV1-43', 'PV1-52', 'PV2-13']) expect(unmapped).not.toContain(field);
  });

  it('A12 (cancel transfer) leaves out the location of the cancelled transfer', () => {
    const result = mapFixture('adt-a12-cancel-transfer');
    expect(locations(resource(result, 'Encounter'))).toEqual(['active']);
    expect(result.bundle.entry?.filter((e) => e.resource?.resourceType === 'Location')).toHaveLength(1);
  });

  it('pending transfer (A15) adds a planned location, pending discharge (A16) a planned end; their cancels (A26, A25) drop them', () => {
    expect(locations(enc('adt-a15-pending-transfer'))).toEqual(['active', 'planned']);
    expect(locations(enc('adt-a26-cancel-pending-transfer'))).toEqual(['active']);
    expect((enc('adt-a16-pending-discharge')['extension'] as { url: string }[])[0]?.url).toMatch(/plannedEndDate$/);
    const a25 = mapFixture('adt-a25-cancel-pending-discharge');
    expect(resource(a25, 'Encounter')['extension']).toBeUndefined();
    expect(a25.preserve.some((p) => p.elements.includes('extension'))).toBe(false); // the planned end is not kept
    for (const name of ['adt-a15-pending-transfer', 'adt-a16-pending-discharge', 'adt-a25-cancel-pending-discharge', 'adt-a26-cancel-pending-transfer']) {
      expect(enc(name)['status']).toBe('in-progress');
    }
  });

  it('a leave of absence (A21) puts the Encounter on leave; the return (A22) ends it', () => {
    expect(enc('adt-a21-leave-of-absence')['status']).toBe('onleave');
    expect(enc('adt-a22-return-from-leave')['status']).toBe('in-progress');
    expect(enc('adt-a22-return-from-leave')['id']).toBe(enc('adt-a21-leave-of-absence')['id']);
  });

  it('person-level events (A28, A31, A29) make no Encounter; an update without NK1 keeps the contacts', () => {
    const add = mapFixture('adt-a28-add-person');
    const update = mapFixture('adt-a31-update-person');
    const del = mapFixture('adt-a29-delete-person');
    for (const r of [add, update, del]) expect(r.bundle.entry?.some((e) => e.resource?.resourceType === 'Encounter')).toBe(false);
    expect(resource(add, 'RelatedPerson')['patient']).toEqual({ reference: `Patient/${String(resource(add, 'Patient')['id'])}` });
    expect(update.preserve).toContainEqual({ resourceType: 'Patient', id: resource(update, 'Patient')['id'], elements: ['contact'] });
    expect(resource(del, 'Patient')['id']).toBe(resource(add, 'Patient')['id']);
    expect(resource(del, 'Patient')['active']).toBeUndefined(); // the shared record is not retired by one sender
    expect(resource(del, 'Provenance')['activity']).toEqual({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0003', code: 'A29' }] });
  });

  it('A47 keeps the wrong identifier as old; A41 merges nothing; A45 moves the visit to the PID patient, keeping its status', () => {
    const ids = resource(mapFixture('adt-a47-change-identifier'), 'Patient')['identifier'] as { use?: string; value: string }[];
    expect(ids.filter((i) => i.use === 'old').map((i) => i.value)).toEqual(['RGT2000077']);
    expect(resource(mapFixture('adt-a41-merge-account'), 'Patient')['extension']).toBeUndefined();
    const a45 = mapFixture('adt-a45-move-visit');
    expect(resource(a45, 'Encounter')['subject']).toEqual({ reference: `Patient/${String(resource(a45, 'Patient')['id'])}` });
    expect(a45.preserve).toContainEqual({ resourceType: 'Encounter', id: resource(a45, 'Encounter')['id'], elements: ['status'] });
  });

  it('NHS specifics: NHS number status, ethnic category, GP codes, ITK sex codes, EVN reason and operator', () => {
    const full = mapFixture('adt-a01-admit-full');
    const patient = resource(full, 'Patient');
    const nhs = (patient['identifier'] as { system: string; extension?: unknown[] }[]).find((i) => i.system === 'https://fhir.nhs.uk/Id/nhs-number');
    expect(nhs?.extension).toEqual([
      {
        url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus',
        valueCodeableConcept: { coding: [{ system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland', code: '01', display: 'Number present and verified' }] },
      },
    ]);
    expect(patient['extension']).toEqual([
      {
        url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory',
        valueCodeableConcept: { coding: [{ system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland', code: 'A', display: 'White - British' }] },
      },
    ]);
    const provenance = resource(full, 'Provenance');
    expect((provenance['agent'] as { type: { coding: { code: string }[] } }[]).map((a) => a.type.coding[0]?.code)).toEqual(['enterer', 'author']);
    expect(resource(full, 'Coverage')['payor']).toHaveLength(1);
    const itk = mapFixture('adt-a04-itk-gender-codes');
    expect(resource(itk, 'Patient')['gender']).toBe('male');
    const gp = itk.bundle.entry?.map((e) => e.resource as unknown as Record<string, unknown>).find((r) => r['resourceType'] === 'Practitioner' && JSON.stringify(r).includes('G8406789'));
    expect(gp?.['identifier']).toEqual([{ system: 'https://fhir.hl7.org.uk/Id/gmp-number', value: 'G8406789' }]); // sent as GMC
    expect(mapFixture('adt-a01-admit').bundle.entry?.some((e) => e.resource?.resourceType === 'Provenance')).toBe(false); // no EVN-4/5
  });
});
