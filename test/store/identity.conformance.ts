/**
 * Identity scenarios (DESIGN.md, Identity; issue 4): real ADT messages mapped with the repository's mappings
 * and applied to a RecordStore, each asserting the records that result. Every RecordStore must pass.
 */
import type { Encounter, Patient, Provenance } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_UNCHANGED_URL } from '../../src/store/provenance.js';
import type { RecordStore } from '../../src/store/types.js';
import { IdentityHarness, keysOf, localSystem, NHS, nhsNumber, RGN, RGT } from './fixtures/identity-harness.js';
import type { OpenedStore } from './record-store.conformance.js';

export function describeIdentityConformance(name: string, open: () => Promise<OpenedStore>): void {
  describe(`identity scenarios: ${name}`, () => {
    let opened: OpenedStore | undefined;
    const store = (): RecordStore => {
      if (!opened) throw new Error('store did not open');
      return opened.store;
    };
    const h = new IdentityHarness(store);
    const read = async <T>(type: string, id: string) => (await store().read(type, id)) as unknown as T & { id: string };

    beforeAll(async () => {
      opened = await open();
    }, 120_000);
    afterAll(async () => {
      await opened?.close();
    });

    it('one person from two hospitals by NHS number is one Patient with both local identifiers', async () => {
      const nhs = nhsNumber();
      const [mrnA, mrnB] = [h.id('A'), h.id('B')];
      await h.send(RGT, { nhsNumber: nhs, mrn: mrnA, visitNumber: h.id('V') });
      await h.send(RGN, { nhsNumber: nhs, mrn: mrnB, visitNumber: h.id('V'), eventTime: '20261126100000' });

      const patient = await h.onePatient(NHS, nhs);
      expect(keysOf(patient.identifier)).toEqual(
        [`${NHS}|${nhs}`, `${localSystem('RGT')}|${mrnA}`, `${localSystem('RGN')}|${mrnB}`].sort(),
      );
      expect((await h.onePatient(localSystem('RGT'), mrnA)).id).toBe(patient.id);
      expect((await h.onePatient(localSystem('RGN'), mrnB)).id).toBe(patient.id);
    });

    it('links a record known by a local id when its NHS number arrives; the record keeps its id', async () => {
      const nhs = nhsNumber();
      const mrn = h.id('L');
      const visit = h.id('V');
      await h.send(RGT, { nhsNumber: '', mrn, visitNumber: visit, eventTime: '20261126090000' });
      const local = await h.onePatient(localSystem('RGT'), mrn);
      expect(local.identifier?.some((i) => i.system === NHS)).toBe(false);

      await h.send(RGT, { event: 'A08', nhsNumber: nhs, mrn, visitNumber: visit, eventTime: '20261126100000' });
      const linked = await h.onePatient(NHS, nhs);
      expect(linked.id).toBe(local.id);
      expect(keysOf(linked.identifier)).toEqual([`${NHS}|${nhs}`, `${localSystem('RGT')}|${mrn}`].sort());
      expect((await h.encounterByVisit(RGT, visit)).subject?.reference).toBe(`Patient/${local.id}`);

      // another hospital sending only the NHS number reaches the same record
      const otherMrn = h.id('B');
      await h.send(RGN, { nhsNumber: nhs, mrn: otherMrn, visitNumber: h.id('V'), eventTime: '20261126110000' });
      expect((await h.onePatient(localSystem('RGN'), otherMrn)).id).toBe(local.id);
      expect(await h.patientsBy(NHS, nhs)).toHaveLength(1);
    });

    it('joins two local-only records when one message names the NHS number and the second one local id', async () => {
      const nhs = nhsNumber();
      const [mrnA, mrnB, visitB] = [h.id('A'), h.id('B'), h.id('V')];
      await h.send(RGT, { nhsNumber: '', mrn: mrnA, visitNumber: h.id('V'), eventTime: '20261126090000' });
      await h.send(RGN, { nhsNumber: '', mrn: mrnB, visitNumber: visitB, eventTime: '20261126090000' });
      const a = await h.onePatient(localSystem('RGT'), mrnA);
      const b = await h.onePatient(localSystem('RGN'), mrnB);
      expect(a.id).not.toBe(b.id);

      await h.send(RGT, { event: 'A08', nhsNumber: nhs, mrn: mrnA, visitNumber: h.id('V'), eventTime: '20261126100000' });
      const joined = await h.send(RGN, { event: 'A08', nhsNumber: nhs, mrn: mrnB, visitNumber: visitB, eventTime: '20261126110000' });

      const survivor = await read<Patient>('Patient', a.id);
      const retired = await read<Patient>('Patient', b.id);
      expect(retired.active).toBe(false);
      expect(retired.link).toEqual([{ other: { reference: `Patient/${a.id}` }, type: 'replaced-by' }]);
      expect(survivor.link).toEqual([{ other: { reference: `Patient/${b.id}` }, type: 'replaces' }]);
      expect(keysOf(survivor.identifier)).toEqual([`${NHS}|${nhs}`, `${localSystem('RGT')}|${mrnA}`, `${localSystem('RGN')}|${mrnB}`].sort());
      expect((await h.encounterByVisit(RGN, visitB)).subject?.reference).toBe(`Patient/${a.id}`);
      expect(joined.versions.map((v) => `${v.resourceType}/${v.id}`)).toContain(`Patient/${b.id}`);
      // the next message with only the retired record's local id reaches the survivor
      await h.send(RGN, { event: 'A08', nhsNumber: '', mrn: mrnB, visitNumber: visitB, family: 'LATER', eventTime: '20261126120000' });
      expect((await read<Patient>('Patient', a.id)).name?.[0]?.family).toBe('LATER');
      expect((await read<Patient>('Patient', b.id)).meta?.versionId).toBe(retired.meta?.versionId);
    });

    it('does not use an invalid NHS number as a key', async () => {
      const invalid = '1234567890';
      const [mrnA, mrnB] = [h.id('A'), h.id('B')];
      await h.send(RGT, { nhsNumber: invalid, mrn: mrnA, visitNumber: h.id('V') });
      await h.send(RGN, { nhsNumber: invalid, mrn: mrnB, visitNumber: h.id('V') });
      const a = await h.onePatient(localSystem('RGT'), mrnA);
      const b = await h.onePatient(localSystem('RGN'), mrnB);
      expect(a.id).not.toBe(b.id);
      for (const p of [a, b]) expect(p.identifier?.some((i) => i.system === NHS)).toBe(false);
      expect(await h.patientsBy(NHS, invalid)).toEqual([]);
    });

    it('keeps the discharge when the A03 arrives before its A01', async () => {
      const nhs = nhsNumber();
      const visit = h.id('V');
      const discharge = h.input(RGT, {
        event: 'A03', nhsNumber: nhs, visitNumber: visit, family: 'NEWER', admitted: '20261126090000',
        discharged: '20261127150000', eventTime: '20261127150000',
      });
      const admit = h.input(RGT, { event: 'A01', nhsNumber: nhs, visitNumber: visit, family: 'OLDER', admitted: '20261126090000', eventTime: '20261126090000' });
      await store().apply(discharge);
      const late = await store().apply(admit);

      const encounter = await h.encounterByVisit(RGT, visit);
      expect(encounter.status).toBe('finished');
      expect(encounter.period?.end).toBe('2026-11-27T15:00:00+00:00');
      expect(encounter.meta?.versionId).toBe('1');
      const patient = await h.onePatient(NHS, nhs);
      expect(patient.name?.[0]?.family).toBe('NEWER');
      expect(late.versions.every((v) => !v.changed)).toBe(true);
      // the late A01 is still on record
      const provenance = await h.provenanceOf(admit);
      expect(provenance?.occurredDateTime).toBe('2026-11-26T09:00:00+00:00');
      expect(provenance?.target.every((t) => t.extension?.[0]?.url === TARGET_UNCHANGED_URL)).toBe(true);
    });

    it('cancels an admission (A11)', async () => {
      const nhs = nhsNumber();
      const visit = h.id('V');
      await h.send(RGT, { event: 'A01', nhsNumber: nhs, visitNumber: visit, eventTime: '20261126090000' });
      expect((await h.encounterByVisit(RGT, visit)).status).toBe('in-progress');
      await h.send(RGT, { event: 'A11', nhsNumber: nhs, visitNumber: visit, eventTime: '20261126093000' });
      const encounter = await h.encounterByVisit(RGT, visit);
      expect(encounter.status).toBe('cancelled');
      expect(encounter.meta?.versionId).toBe('2');
    });

    it('cancels a discharge (A13): in progress again, no end', async () => {
      const nhs = nhsNumber();
      const visit = h.id('V');
      await h.send(RGT, { event: 'A01', nhsNumber: nhs, visitNumber: visit, eventTime: '20261126090000' });
      await h.send(RGT, { event: 'A03', nhsNumber: nhs, visitNumber: visit, discharged: '20261127120000', eventTime: '20261127120000' });
      expect((await h.encounterByVisit(RGT, visit)).period?.end).toBe('2026-11-27T12:00:00+00:00');
      await h.send(RGT, { event: 'A13', nhsNumber: nhs, visitNumber: visit, eventTime: '20261127130000' });
      const encounter = await h.encounterByVisit(RGT, visit);
      expect(encounter.status).toBe('in-progress');
      expect(encounter.period?.start).toBe('2026-11-26T09:00:00+00:00');
      expect(encounter.period?.end).toBeUndefined();
    });

    it('merges on A40: retired inactive and replaced-by, references repointed, old identifiers find the survivor', async () => {
      const [nhsS, nhsR] = [nhsNumber(), nhsNumber()];
      const [mrnS, mrnR, visitR] = [h.id('S'), h.id('R'), h.id('V')];
      await h.send(RGT, { nhsNumber: nhsS, mrn: mrnS, visitNumber: h.id('V'), eventTime: '20261126090000' });
      await h.send(RGT, { nhsNumber: nhsR, mrn: mrnR, visitNumber: visitR, eventTime: '20261126090000' });
      const survivorId = (await h.onePatient(NHS, nhsS)).id;
      const retiredId = (await h.onePatient(NHS, nhsR)).id;

      const merge = h.input(RGT, { event: 'A40', nhsNumber: nhsS, mrn: mrnS, merged: { mrn: mrnR, nhsNumber: nhsR }, eventTime: '20261126100000' });
      const result = await store().apply(merge);
      expect(result.status).toBe('applied');

      const retired = await read<Patient>('Patient', retiredId);
      expect(retired.active).toBe(false);
      expect(retired.link).toEqual([{ other: { reference: `Patient/${survivorId}` }, type: 'replaced-by' }]);
      const survivor = await read<Patient>('Patient', survivorId);
      expect(survivor.link).toEqual([{ other: { reference: `Patient/${retiredId}` }, type: 'replaces' }]);
      expect(keysOf(survivor.identifier)).toEqual(
        [`${NHS}|${nhsS}`, `${localSystem('RGT')}|${mrnS}`, `old:${NHS}|${nhsR}`, `old:${localSystem('RGT')}|${mrnR}`].sort(),
      );
      const encounter = await h.encounterByVisit(RGT, visitR);
      expect(encounter.subject?.reference).toBe(`Patient/${survivorId}`);
      expect(encounter.meta?.versionId).toBe('2');

      // a search by either old identifier finds the survivor (and the retired record, which says where it went)
      for (const [system, value] of [[NHS, nhsR], [localSystem('RGT'), mrnR]] as const) {
        const found = await h.patientsBy(system, value);
        expect(found.map((p) => p.id).sort()).toEqual([survivorId, retiredId].sort());
        expect(found.filter((p) => p.active !== false).map((p) => p.id)).toEqual([survivorId]);
      }
      // later news about the retired record lands on the survivor
      await h.send(RGT, { event: 'A08', nhsNumber: '', mrn: mrnR, visitNumber: visitR, family: 'MERGEDLATER', eventTime: '20261126110000' });
      expect((await read<Patient>('Patient', survivorId)).name?.[0]?.family).toBe('MERGEDLATER');
      expect((await read<Patient>('Patient', retiredId)).meta?.versionId).toBe(retired.meta?.versionId);

      const provenance = await h.provenanceOf(merge);
      const targets = (provenance?.target ?? []).map((t) => t.reference);
      expect(targets).toEqual(expect.arrayContaining([
        `Patient/${survivorId}/_history/${survivor.meta?.versionId}`,
        `Patient/${retiredId}/_history/${retired.meta?.versionId}`,
        `Encounter/${encounter.id}/_history/2`,
      ]));
      expect(provenance?.activity?.coding?.[0]?.code).toBe('A40');
    });

    it('A40 naming an identifier no record holds: the survivor takes it (use old) and it resolves there', async () => {
      const nhs = nhsNumber();
      const [mrn, unknown] = [h.id('S'), h.id('U')];
      await h.send(RGT, { nhsNumber: nhs, mrn, visitNumber: h.id('V'), eventTime: '20261126090000' });
      await h.send(RGT, { event: 'A40', nhsNumber: nhs, mrn, merged: { mrn: unknown }, eventTime: '20261126100000' });
      const survivor = await h.onePatient(NHS, nhs);
      expect(keysOf(survivor.identifier)).toContain(`old:${localSystem('RGT')}|${unknown}`);
      expect(survivor.link).toBeUndefined();
      await h.send(RGT, { event: 'A08', nhsNumber: '', mrn: unknown, visitNumber: h.id('V'), eventTime: '20261126110000' });
      expect(await h.patientsBy(localSystem('RGT'), unknown)).toHaveLength(1);
      expect((await h.onePatient(localSystem('RGT'), unknown)).id).toBe(survivor.id);
    });

    it('applies the same message twice once: a duplicate writes nothing, not even a Provenance', async () => {
      const nhs = nhsNumber();
      const input = h.input(RGT, { nhsNumber: nhs, visitNumber: h.id('V') });
      const first = await store().apply(input);
      const again = await store().apply(input);
      expect(again).toEqual({ status: 'duplicate', messageId: first.messageId, versions: [] });
      expect(first.provenance).toMatchObject({ resourceType: 'Provenance', versionId: '1', changed: true });
      const patient = await h.onePatient(NHS, nhs);
      expect(patient.meta?.versionId).toBe('1');
      expect(await store().vread('Provenance', first.provenance?.id ?? '', '2')).toBeUndefined();
    });

    it('two sources disagreeing on demographics: the newest event wins, both are in Provenance', async () => {
      const nhs = nhsNumber();
      const [mrnA, mrnB] = [h.id('A'), h.id('B')];
      const first = h.input(RGT, { nhsNumber: nhs, mrn: mrnA, family: 'SMITH', visitNumber: h.id('V'), eventTime: '20261126090000' });
      const newest = h.input(RGN, { nhsNumber: nhs, mrn: mrnB, family: 'SMYTHE', visitNumber: h.id('V'), eventTime: '20261126120000' });
      const late = h.input(RGT, { event: 'A08', nhsNumber: nhs, mrn: mrnA, family: 'SMITH-JONES', visitNumber: h.id('V'), eventTime: '20261126100000' });
      for (const input of [first, newest, late]) await store().apply(input);

      const patient = await h.onePatient(NHS, nhs);
      expect(patient.name?.[0]?.family).toBe('SMYTHE');
      expect(patient.managingOrganization?.reference).toMatch(/^Organization\//);
      expect(keysOf(patient.identifier)).toEqual([`${NHS}|${nhs}`, `${localSystem('RGT')}|${mrnA}`, `${localSystem('RGN')}|${mrnB}`].sort());
      expect(await store().vread('Patient', patient.id, '1')).toMatchObject({ name: [expect.objectContaining({ family: 'SMITH' })] });

      const provenances = await Promise.all([first, newest, late].map((input) => h.provenanceOf(input)));
      const targetsPatient = (p: Provenance | undefined) => p?.target.find((t) => t.reference?.startsWith(`Patient/${patient.id}/`));
      expect(targetsPatient(provenances[0])?.reference).toBe(`Patient/${patient.id}/_history/1`);
      expect(targetsPatient(provenances[1])?.reference).toBe(`Patient/${patient.id}/_history/2`);
      expect(targetsPatient(provenances[2])).toMatchObject({
        reference: `Patient/${patient.id}/_history/2`,
        extension: [{ url: TARGET_UNCHANGED_URL, valueBoolean: true }],
      });
      expect(provenances.map((p) => p?.agent[0]?.who?.reference)).toEqual([
        provenances[0]?.agent[0]?.who?.reference,
        expect.stringMatching(/^Organization\//),
        provenances[0]?.agent[0]?.who?.reference,
      ]);
      expect(provenances[1]?.agent[0]?.who?.reference).not.toBe(provenances[0]?.agent[0]?.who?.reference);
    });

    it('an older message still adds the identifiers it brings', async () => {
      const nhs = nhsNumber();
      const [mrnA, mrnB] = [h.id('A'), h.id('B')];
      await h.send(RGT, { nhsNumber: nhs, mrn: mrnA, family: 'CURRENT', visitNumber: h.id('V'), eventTime: '20261126120000' });
      const late = await h.send(RGN, { nhsNumber: nhs, mrn: mrnB, family: 'STALE', visitNumber: h.id('V'), eventTime: '20261126090000' });
      const patient = await h.onePatient(localSystem('RGN'), mrnB);
      expect(patient.name?.[0]?.family).toBe('CURRENT');
      expect(keysOf(patient.identifier)).toContain(`${localSystem('RGN')}|${mrnB}`);
      expect(late.versions.find((v) => v.resourceType === 'Patient')).toMatchObject({ versionId: '2', changed: true });
      // the encounter the older message made is new, so it is written
      expect(late.versions.find((v) => v.resourceType === 'Encounter')).toMatchObject({ versionId: '1', changed: true });
    });

    it('never joins two records with different NHS numbers through a shared local id', async () => {
      const [nhs1, nhs2] = [nhsNumber(), nhsNumber()];
      const mrn = h.id('C');
      await h.send(RGT, { nhsNumber: nhs1, mrn, visitNumber: h.id('V'), eventTime: '20261126090000' });
      await h.send(RGT, { event: 'A08', nhsNumber: nhs2, mrn, visitNumber: h.id('V'), eventTime: '20261126100000' });
      const first = await h.onePatient(NHS, nhs1);
      const second = await h.onePatient(NHS, nhs2);
      expect(first.id).not.toBe(second.id);
      expect(first.active).toBeUndefined();
      expect(keysOf(first.identifier).filter((k) => k.startsWith(NHS))).toEqual([`${NHS}|${nhs1}`]);
      expect(keysOf(second.identifier).filter((k) => k.startsWith(NHS))).toEqual([`${NHS}|${nhs2}`]);
      // the local id keeps resolving to the record that had it first
      await h.send(RGT, { event: 'A08', nhsNumber: '', mrn, family: 'BYLOCAL', visitNumber: h.id('V'), eventTime: '20261126110000' });
      expect((await read<Patient>('Patient', first.id)).name?.[0]?.family).toBe('BYLOCAL');
      expect((await read<Patient>('Patient', second.id)).name?.[0]?.family).not.toBe('BYLOCAL');
    });

    it('writes a Provenance naming the message, the sender, the event and the versions produced', async () => {
      const nhs = nhsNumber();
      const input = h.input(RGT, { event: 'A01', nhsNumber: nhs, visitNumber: h.id('V'), eventTime: '20261126093000' });
      const result = await store().apply(input);
      const provenance = await h.provenanceOf(input);
      const organisation = input.bundle.entry?.find((e) => e.resource?.resourceType === 'Organization')?.resource;
      expect(provenance).toMatchObject({
        resourceType: 'Provenance',
        id: result.provenance?.id,
        occurredDateTime: '2026-11-26T09:30:00+00:00',
        activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0003', code: 'A01' }] },
        agent: [{ who: { reference: `Organization/${organisation?.id}` } }],
        entity: [{ role: 'source', what: { identifier: { system: 'https://junction.nhs.uk/Id/message/rgt-adt', value: input.source.controlId } } }],
      });
      expect(Number.isNaN(Date.parse(provenance?.recorded ?? ''))).toBe(false);
      expect(provenance?.target.map((t) => t.reference).sort()).toEqual(
        result.versions.map((v) => `${v.resourceType}/${v.id}/_history/${v.versionId}`).sort(),
      );
      const encounter = result.versions.find((v) => v.resourceType === 'Encounter');
      expect((await read<Encounter>('Encounter', encounter?.id ?? '')).subject?.reference).toMatch(/^Patient\//);
    });

    it('resolves one person when two messages about them are applied at once', async () => {
      const nhs = nhsNumber();
      const mrn = h.id('L');
      await h.send(RGT, { nhsNumber: '', mrn, visitNumber: h.id('V'), eventTime: '20261126090000' });
      const local = await h.onePatient(localSystem('RGT'), mrn);
      await Promise.all([
        h.send(RGT, { event: 'A08', nhsNumber: nhs, mrn, visitNumber: h.id('V'), eventTime: '20261126100000' }),
        h.send(RGN, { nhsNumber: nhs, mrn: h.id('B'), visitNumber: h.id('V'), eventTime: '20261126100000' }),
      ]);
      const byNhs = await h.patientsBy(NHS, nhs);
      const current = byNhs.filter((p) => p.active !== false);
      expect(current).toHaveLength(1);
      // whichever won, the record known by the local id is (or replaced-by) the one person
      const held = await read<Patient>('Patient', local.id);
      expect(held.id === current[0]?.id || held.link?.[0]?.other.reference === `Patient/${current[0]?.id}`).toBe(true);
    });
  });
}
