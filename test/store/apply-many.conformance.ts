/**
 * `applyMany`: several messages in one transaction must give each message exactly the outcome applying them one
 * at a time in the same order gives. Every RecordStore that implements applyMany must pass.
 */
import type { Organization, Patient, Provenance } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBatch } from '../../src/store/apply-batch.js';
import { TARGET_UNCHANGED_URL, provenanceId } from '../../src/store/provenance.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import type { ApplyInput, ApplyOutcome, ApplyResult, RecordStore } from '../../src/store/types.js';
import { IdentityHarness, localSystem, NHS, nhsNumber, RGN, RGT } from './fixtures/identity-harness.js';
import { TestData } from './fixtures/store-inputs.js';

export interface OpenedSqlStore {
  readonly store: RecordStore;
  readonly db: SqlDatabase;
  close(): Promise<void>;
}

export function describeApplyManyConformance(name: string, open: (now?: () => Date) => Promise<OpenedSqlStore>): void {
  describe(`applyMany: ${name}`, () => {
    const data = new TestData();
    let opened: OpenedSqlStore | undefined;
    const store = (): RecordStore => {
      if (!opened) throw new Error('store did not open');
      return opened.store;
    };
    const applyMany = (inputs: ApplyInput[]) => {
      const s = store();
      if (!s.applyMany) throw new Error('the SQL record store must implement applyMany');
      return s.applyMany(inputs);
    };
    const ok = (outcomes: ApplyOutcome[]): ApplyResult[] =>
      outcomes.map((o, i) => {
        if (!o.ok) throw new Error(`message ${i} failed: ${String(o.error)}`);
        return o.result;
      });
    const at = (input: ApplyInput, eventTime: string): ApplyInput => ({ ...input, source: { ...input.source, eventTime } });

    beforeAll(async () => {
      opened = await open();
    }, 120_000);
    afterAll(async () => {
      await opened?.close();
    });

    it('applies messages in order in one transaction, each idempotent with its own log row and Provenance', async () => {
      const id = data.id('pat');
      const first = data.message([data.patient(id, { gender: 'male' })]);
      const second = data.message([data.patient(id, { gender: 'female' })]);
      const results = ok(await applyMany([first, second, first]));
      expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'duplicate']);
      expect(results.map((r) => r.versions[0]?.versionId)).toEqual(['1', '2', undefined]);
      expect(results[2]?.messageId).toBe(results[0]?.messageId);
      expect(results[0]?.provenance?.id).not.toBe(results[1]?.provenance?.id);
      expect(((await store().read('Patient', id)) as Patient).gender).toBe('female');
      const history = await store().history('Patient', id, { count: 10 });
      expect(history.entries.map((e) => [e.versionId, (e.resource as Patient).gender])).toEqual([
        ['2', 'female'],
        ['1', 'male'],
      ]);
      const logged = await Promise.all(results.slice(0, 2).map((r) => store().getMessage(r.messageId)));
      expect(logged.map((m) => m?.status)).toEqual(['applied', 'applied']);
      expect(logged.map((m) => m?.versions.map((v) => v.versionId))).toEqual([['1'], ['2']]);
    });

    it('applies a message repeated in one batch once, and a message applied before not at all', async () => {
      const id = data.id('pat');
      const a = data.message([data.patient(id, { gender: 'male' })]);
      const [before] = ok(await applyMany([a]));
      const b = data.message([data.patient(id, { gender: 'female' })]);
      const c = data.message([data.patient(id, { gender: 'other' })]);
      const results = ok(await applyMany([b, a, b, c, b]));
      expect(results.map((r) => r.status)).toEqual(['applied', 'duplicate', 'duplicate', 'applied', 'duplicate']);
      expect(results[1]?.messageId).toBe(before?.messageId);
      expect(results[2]?.messageId).toBe(results[0]?.messageId);
      expect(results[4]?.messageId).toBe(results[0]?.messageId);
      expect(results[3]?.versions[0]?.versionId).toBe('3');
      const { rows } = await opened!.db.query<{ n: number }>(
        `SELECT count(*)::integer AS n FROM message_log WHERE sender = $1 AND control_id = $2`,
        [b.source.sender, b.source.controlId],
      );
      expect(rows[0]?.n).toBe(1);
    });

    it('keeps a failing message from stopping the others, and reports its error', async () => {
      const good = data.id('pat');
      const bad = data.message([{ resourceType: 'Patient' }]);
      const inputs = [data.message([data.patient(good)]), bad, data.message([data.patient(good, { gender: 'other' })])];
      const outcomes = await applyMany(inputs);
      expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
      const failed = outcomes[1];
      expect(failed && !failed.ok ? String(failed.error) : '').toMatch(/deterministic id/);
      expect((await store().read('Patient', good))?.meta?.versionId).toBe('2');
      for (const input of [inputs[0], inputs[2]] as ApplyInput[]) {
        expect(await store().read('Provenance', provenanceId(input.source.sender, input.source.controlId))).toBeDefined();
      }
    });

    it('lets an older message in the same batch add identifiers but not overwrite what a newer one set', async () => {
      const id = data.id('pat');
      const mrn = { system: 'https://example.org/Id/mrn', value: data.id('MRN') };
      const other = { system: 'https://example.org/Id/other', value: data.id('X') };
      const newer = at(data.message([data.patient(id, { gender: 'female', identifier: [mrn] })]), '2024-03-05T11:00:00Z');
      const older = at(data.message([data.patient(id, { gender: 'male', identifier: [mrn, other] })]), '2024-03-05T10:00:00Z');
      const results = ok(await applyMany([newer, older]));
      const patient = (await store().read('Patient', id)) as Patient;
      expect(patient.gender).toBe('female');
      expect(patient.identifier?.map((i) => i.value)).toEqual([mrn.value, other.value]);
      expect(results[1]?.versions[0]?.versionId).toBe('2');
    });

    it('writes no version for content sent again unchanged, and says so in each Provenance', async () => {
      const org: Organization & { id: string } = { resourceType: 'Organization', id: data.id('org'), name: 'Same Hospital' };
      const patients = [data.id('pat'), data.id('pat'), data.id('pat')];
      const results = ok(await applyMany(patients.map((p) => data.message([org, data.patient(p)]))));
      expect(results.map((r) => r.versions.find((v) => v.resourceType === 'Organization'))).toEqual([
        { resourceType: 'Organization', id: org.id, versionId: '1', changed: true },
        { resourceType: 'Organization', id: org.id, versionId: '1', changed: false },
        { resourceType: 'Organization', id: org.id, versionId: '1', changed: false },
      ]);
      const history = await store().history('Organization', org.id, { count: 10 });
      expect(history.total).toBe(1);
      const provenance = (await store().read('Provenance', results[2]?.provenance?.id ?? '')) as Provenance;
      const target = provenance.target.find((t) => t.reference?.startsWith(`Organization/${org.id}/`));
      expect(target?.extension?.[0]?.url).toBe(TARGET_UNCHANGED_URL);
      // a real change still makes a version
      const [changed] = ok(await applyMany([data.message([{ ...org, name: 'Renamed Hospital' }])]));
      expect(changed?.versions[0]).toEqual({ resourceType: 'Organization', id: org.id, versionId: '2', changed: true });
    });

    it('applies an A40 merge in the middle of a batch; later messages see the merge', async () => {
      const h = new IdentityHarness(store);
      const [nhsS, nhsR] = [nhsNumber(), nhsNumber()];
      const [mrnS, mrnR] = [h.id('S'), h.id('R')];
      const results = ok(
        await applyMany([
          h.input(RGT, { nhsNumber: nhsS, mrn: mrnS, visitNumber: h.id('V'), eventTime: '20261126080000' }),
          h.input(RGT, { nhsNumber: nhsR, mrn: mrnR, visitNumber: h.id('V'), eventTime: '20261126090000' }),
          h.input(RGT, { event: 'A40', nhsNumber: nhsS, mrn: mrnS, merged: { mrn: mrnR, nhsNumber: nhsR }, eventTime: '20261126100000' }),
          // the retired record's local id now reaches the survivor
          h.input(RGT, { event: 'A08', nhsNumber: '', mrn: mrnR, family: 'AFTERMERGE', visitNumber: h.id('V'), eventTime: '20261126110000' }),
        ]),
      );
      expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
      const survivor = await h.onePatient(NHS, nhsS);
      expect(survivor.name?.[0]?.family).toBe('AFTERMERGE');
      const byOldId = await h.patientsBy(localSystem('RGT'), mrnR);
      const retired = byOldId.find((p) => p.id !== survivor.id);
      expect(byOldId.map((p) => p.id)).toContain(survivor.id);
      expect(retired?.active).toBe(false);
      expect(retired?.link?.[0]).toEqual({ other: { reference: `Patient/${survivor.id}` }, type: 'replaced-by' });
      expect(results[3]?.versions.find((v) => v.resourceType === 'Patient')?.id).toBe(survivor.id);
    });

    it('gives the same records as applying one at a time, for random feeds in random batches', async () => {
      const fixed = new Date('2026-11-27T12:00:00.000Z');
      const [one, many] = await Promise.all([open(() => fixed), open(() => fixed)]);
      try {
        const inputs = randomFeed(new IdentityHarness(() => one.store), 120, 20240305);
        for (const input of inputs) await one.store.apply(input);
        // batches straight through the batch path: a batch that failed would not fall back to one at a time here
        const sizes = [1, 7, 30, 3, 50, 29];
        let from = 0;
        for (let k = 0; from < inputs.length; k++) {
          const size = sizes[k % sizes.length] as number;
          const batch = inputs.slice(from, from + size);
          await many.db.transaction((tx) => applyBatch(tx, () => fixed, batch));
          from += size;
        }
        // the feed did what it is for: merges, versions, repeats
        const { rows: shape } = await many.db.query<{ merged: number; versions: number; duplicates: number }>(
          `SELECT (SELECT count(*) FROM resources WHERE resource_type = 'Patient' AND content->>'active' = 'false')::integer AS merged,
                  (SELECT count(*) FROM resource_history WHERE version_id > 1)::integer AS versions,
                  (SELECT count(*) FROM message_log)::integer AS duplicates`,
        );
        expect(shape[0]?.merged).toBeGreaterThan(0);
        expect(shape[0]?.versions).toBeGreaterThan(20);
        expect(shape[0]?.duplicates).toBeLessThan(inputs.length);
        for (const [what, sql] of Object.entries(SNAPSHOT)) {
          const [a, b] = await Promise.all([one.db.query(sql), many.db.query(sql)]);
          expect(b.rows, what).toEqual(a.rows);
        }
      } finally {
        await Promise.all([one.close(), many.close()]);
      }
    }, 120_000);
  });
}

/** Everything a store holds, in a form two stores given the same inputs and clock must agree on. */
const SNAPSHOT: Record<string, string> = {
  resources: `SELECT resource_type, id, version_id, content, event_time FROM resources ORDER BY resource_type, id`,
  history: `SELECT resource_type, id, version_id, content FROM resource_history ORDER BY resource_type, id, version_id`,
  index: `SELECT resource_type, resource_id, param, kind, system, value, exact, range_start, range_end FROM search_index
           ORDER BY resource_type, resource_id, param, kind, system, value, exact, range_start, range_end`,
  references: `SELECT * FROM resource_reference ORDER BY resource_type, resource_id, target_type, target_id`,
  identifiers: `SELECT * FROM person_identifier ORDER BY system, value`,
  log: `SELECT sender, control_id, status, versions FROM message_log ORDER BY sender, control_id, status`,
};

/**
 * A feed of real ADT messages about a few people at two hospitals: admissions and updates out of event order,
 * people known by local id first, repeats of earlier messages, and A40 merges.
 */
function randomFeed(h: IdentityHarness, count: number, seed: number): ApplyInput[] {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const people = Array.from({ length: 6 }, () => ({ nhs: nhsNumber(), mrn: { RGT: h.id('T'), RGN: h.id('N') } }));
  const families = ['SMITH', 'JONES', 'TAYLOR', 'BROWN'];
  const inputs: ApplyInput[] = [];
  for (let n = 0; n < count; n++) {
    if (inputs.length > 0 && random() < 0.08) {
      inputs.push(pick(inputs)); // a repeat
      continue;
    }
    const person = pick(people);
    const ch = random() < 0.6 ? RGT : RGN;
    const ods = ch === RGT ? 'RGT' : 'RGN';
    const hour = String(8 + Math.floor(random() * 12)).padStart(2, '0');
    const minute = String(Math.floor(random() * 60)).padStart(2, '0');
    const eventTime = `20261126${hour}${minute}00`;
    if (random() < 0.05) {
      const retired = pick(people);
      if (retired === person) continue;
      inputs.push(h.input(ch, { event: 'A40', nhsNumber: person.nhs, mrn: person.mrn[ods], merged: { mrn: retired.mrn[ods] }, eventTime }));
      continue;
    }
    inputs.push(
      h.input(ch, {
        event: pick(['A01', 'A08', 'A08', 'A03'] as const),
        nhsNumber: random() < 0.25 ? '' : person.nhs,
        mrn: person.mrn[ods],
        family: pick(families),
        visitNumber: `${person.mrn[ods]}V${Math.floor(random() * 3)}`,
        eventTime,
      }),
    );
  }
  return inputs;
}
