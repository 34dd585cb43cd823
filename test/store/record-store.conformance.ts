import type { Encounter, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordStore } from '../../src/store/types.js';
import { LOCAL_MRN, TestData } from './fixtures/store-inputs.js';
import { describeSearchConformance } from './record-store-search.conformance.js';

export interface OpenedStore {
  store: RecordStore;
  close(): Promise<void>;
}

/** One suite every RecordStore implementation must pass. */
export function describeRecordStoreConformance(name: string, open: () => Promise<OpenedStore>): void {
  describe(`RecordStore conformance: ${name}`, () => {
    let opened: OpenedStore | undefined;
    const data = new TestData();
    const store = (): RecordStore => {
      if (!opened) throw new Error('store did not open');
      return opened.store;
    };

    beforeAll(async () => {
      opened = await open();
    }, 120_000);
    afterAll(async () => {
      await opened?.close();
    });

    describe('apply and versions', () => {
      it('creates version 1 with meta and keeps it in history', async () => {
        const id = data.id('pat');
        const result = await store().apply(data.message([data.patient(id, { gender: 'female' })]));
        expect(result.status).toBe('applied');
        expect(result.versions).toEqual([{ resourceType: 'Patient', id, versionId: '1', changed: true }]);
        const current = await store().read('Patient', id);
        expect(current).toMatchObject({ resourceType: 'Patient', id, gender: 'female', meta: { versionId: '1' } });
        expect(Number.isNaN(Date.parse(current?.meta?.lastUpdated ?? ''))).toBe(false);
        expect(await store().vread('Patient', id, '1')).toEqual(current);
        expect(await store().read('Patient', data.id('absent'))).toBeUndefined();
      });

      it('treats a repeat of (sender, controlId) as a duplicate and writes nothing', async () => {
        const id = data.id('pat');
        const first = data.message([data.patient(id, { gender: 'male' })]);
        const applied = await store().apply(first);
        const before = await store().read('Patient', id);

        const again = await store().apply(first);
        expect(again).toEqual({ status: 'duplicate', messageId: applied.messageId, versions: [] });
        // even when the repeat carries different content, it is not applied
        const altered = data.message([data.patient(id, { gender: 'female' })], { controlId: first.source.controlId });
        expect((await store().apply(altered)).status).toBe('duplicate');
        expect(await store().read('Patient', id)).toEqual(before);
        expect(await store().vread('Patient', id, '2')).toBeUndefined();
        expect((await store().getMessage(applied.messageId))?.versions).toEqual(applied.versions);
      });

      it('applies the same control id from another sender (the key is the pair)', async () => {
        const controlId = data.id('MSG');
        const a = await store().apply(data.message([data.patient(data.id('pat'))], { controlId, sender: 'a|PAS|R1' }));
        const b = await store().apply(data.message([data.patient(data.id('pat'))], { controlId, sender: 'b|PAS|R2' }));
        expect([a.status, b.status]).toEqual(['applied', 'applied']);
        expect(a.messageId).not.toBe(b.messageId);
      });

      it('writes no new version when a different message carries identical content', async () => {
        const id = data.id('pat');
        const resource = data.patient(id, { birthDate: '1970-01-01', name: [{ family: 'Same' }] });
        await store().apply(data.message([resource]));
        const before = await store().read('Patient', id);
        const second = await store().apply(data.message([structuredClone(resource)]));
        expect(second.status).toBe('applied');
        expect(second.versions).toEqual([{ resourceType: 'Patient', id, versionId: '1', changed: false }]);
        expect(await store().read('Patient', id)).toEqual(before);
        expect(await store().vread('Patient', id, '2')).toBeUndefined();
      });

      it('writes version 2 for changed content and keeps version 1', async () => {
        const id = data.id('pat');
        await store().apply(data.message([data.patient(id, { gender: 'male', birthDate: '1980-05-12' })]));
        const result = await store().apply(data.message([data.patient(id, { gender: 'unknown', birthDate: '1980-05-12' })]));
        expect(result.versions).toEqual([{ resourceType: 'Patient', id, versionId: '2', changed: true }]);
        expect(await store().read('Patient', id)).toMatchObject({ gender: 'unknown', meta: { versionId: '2' } });
        expect(await store().vread('Patient', id, '1')).toMatchObject({ gender: 'male', meta: { versionId: '1' } });
        expect(await store().vread('Patient', id, '2')).toMatchObject({ gender: 'unknown', meta: { versionId: '2' } });
        expect(await store().vread('Patient', id, 'not-a-version')).toBeUndefined();
      });

      it('applies all entries of a bundle, reporting versions in bundle order', async () => {
        const patientId = data.id('pat');
        const encounterId = data.id('enc');
        const result = await store().apply(
          data.message([data.patient(patientId), data.encounter(encounterId, patientId)]),
        );
        expect(result.versions.map((v) => `${v.resourceType}/${v.id}/${v.versionId}`)).toEqual([
          `Patient/${patientId}/1`,
          `Encounter/${encounterId}/1`,
        ]);
      });

      it('applies a bundle all or nothing', async () => {
        const goodId = data.id('pat');
        const input = data.message([data.patient(goodId), data.patient(data.id('pat'))]);
        const badEntry = input.bundle.entry?.[1];
        if (badEntry) badEntry.request = { method: 'POST', url: 'Patient' };
        await expect(store().apply(input)).rejects.toThrow(/only PUT/);
        expect(await store().read('Patient', goodId)).toBeUndefined();
        // the failed attempt did not claim the control id
        const fixed = data.message([data.patient(goodId)], { controlId: input.source.controlId });
        expect((await store().apply(fixed)).status).toBe('applied');
      });
    });

    describe('preserve rules and labels', () => {
      it('keeps a preserved element from the held version, and takes the mapped one when none is held', async () => {
        const patientId = data.id('pat');
        const id = data.id('enc');
        await store().apply(data.message([data.encounter(id, patientId, { status: 'in-progress' })]));
        const update: Encounter = data.encounter(id, patientId, {
          status: 'finished',
          class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' },
          priority: { text: 'urgent' },
        });
        const preserve = [{ resourceType: 'Encounter', id, elements: ['status', 'priority'] }];
        const result = await store().apply(data.message([update], { preserve }));
        expect(result.versions[0]).toMatchObject({ versionId: '2', changed: true });
        const current = (await store().read('Encounter', id)) as Encounter;
        expect(current.status).toBe('in-progress');
        expect(current.class.code).toBe('EMER');
        expect(current.priority).toEqual({ text: 'urgent' });
      });

      it('puts label rules on meta.security and keeps them on later versions', async () => {
        const id = data.id('pat');
        const label = { resourceType: 'Patient', id, system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY', rule: 'icd10-f' };
        await store().apply(data.message([data.patient(id, { gender: 'male' })], { labels: [label] }));
        await store().apply(data.message([data.patient(id, { gender: 'female' })]));
        const current = (await store().read('Patient', id)) as Patient;
        expect(current.meta?.versionId).toBe('2');
        expect(current.meta?.security).toEqual([{ system: label.system, code: 'PSY' }]);
      });
    });

    describe('message log', () => {
      it('holds the applied message with its source, raw text, bundle and versions', async () => {
        const input = data.message([data.patient(data.id('pat'), { identifier: [{ system: LOCAL_MRN, value: 'M1' }] })]);
        const result = await store().apply(input);
        const entry = await store().getMessage(result.messageId);
        expect(entry).toEqual({
          id: result.messageId,
          channelId: input.source.channelId,
          sender: input.source.sender,
          controlId: input.source.controlId,
          messageType: input.source.messageType,
          receivedAt: input.source.receivedAt,
          status: 'applied',
          raw: input.raw,
          bundle: input.bundle,
          versions: result.versions,
        });
        expect(await store().getMessage('00000000-0000-4000-8000-000000000000')).toBeUndefined();
        expect(await store().getMessage('not-an-id')).toBeUndefined();
      });

      it('logs a rejected message, which does not count as applied', async () => {
        const controlId = data.id('MSG');
        const id = await store().logRejected({
          channelId: 'test-adt',
          raw: 'MSH|^~\\&|broken',
          receivedAt: '2024-03-05T11:00:00.000Z',
          error: 'MSH-9 missing',
          controlId,
          sender: 'test-adt|PAS|RXX',
        });
        expect(await store().getMessage(id)).toEqual({
          id,
          channelId: 'test-adt',
          sender: 'test-adt|PAS|RXX',
          controlId,
          receivedAt: '2024-03-05T11:00:00.000Z',
          status: 'rejected',
          raw: 'MSH|^~\\&|broken',
          error: 'MSH-9 missing',
          versions: [],
        });
        const resent = await store().apply(data.message([data.patient(data.id('pat'))], { controlId }));
        expect(resent.status).toBe('applied');
      });
    });

    describe('concurrency', () => {
      it('applies two messages for one resource at once without losing an update', async () => {
        const id = data.id('pat');
        await store().apply(data.message([data.patient(id, { gender: 'male' })]));
        const results = await Promise.all([
          store().apply(data.message([data.patient(id, { gender: 'male', birthDate: '1990-01-01' })])),
          store().apply(data.message([data.patient(id, { gender: 'female', birthDate: '1990-01-01' })])),
        ]);
        expect(results.map((r) => r.versions[0]?.versionId).sort()).toEqual(['2', '3']);
        const v2 = (await store().vread('Patient', id, '2')) as Patient;
        const v3 = (await store().vread('Patient', id, '3')) as Patient;
        expect([v2.gender, v3.gender].sort()).toEqual(['female', 'male']);
        expect(await store().read('Patient', id)).toEqual(v3);
      });

      it('creates a new resource from two messages at once as versions 1 and 2', async () => {
        const id = data.id('pat');
        const results = await Promise.all([
          store().apply(data.message([data.patient(id, { gender: 'male' })])),
          store().apply(data.message([data.patient(id, { gender: 'female' })])),
        ]);
        expect(results.map((r) => r.versions[0]?.versionId).sort()).toEqual(['1', '2']);
        expect((await store().read('Patient', id))?.meta?.versionId).toBe('2');
      });

      it('applies one of two simultaneous deliveries of the same message', async () => {
        const input = data.message([data.patient(data.id('pat'), { gender: 'other' })]);
        const results = await Promise.all([store().apply(input), store().apply(input)]);
        expect(results.map((r) => r.status).sort()).toEqual(['applied', 'duplicate']);
        expect(results[0]?.messageId).toBe(results[1]?.messageId);
      });
    });

    describeSearchConformance(store, data);
  });
}
