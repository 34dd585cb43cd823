import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedDatabase } from '../../src/store/pglite-database.js';
import { createRecordStore } from '../../src/store/record-store.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import type { ApplyInput, RecordStore } from '../../src/store/types.js';
import { TestData } from './fixtures/store-inputs.js';

const data = new TestData();
let db: SqlDatabase;
let store: RecordStore;

beforeAll(async () => {
  db = await openEmbeddedDatabase(undefined);
  store = await createRecordStore(db);
});
afterAll(async () => {
  await db.close();
});

const applyMany = (inputs: ApplyInput[]) => {
  if (!store.applyMany) throw new Error('the SQL record store must implement applyMany');
  return store.applyMany(inputs);
};

describe('applyMany', () => {
  it('applies messages in order in one transaction, each idempotent with its own log row and Provenance', async () => {
    const id = data.id('pat');
    const first = data.message([data.patient(id, { gender: 'male' })]);
    const second = data.message([data.patient(id, { gender: 'female' })]);
    const outcomes = await applyMany([first, second, first]);
    const results = outcomes.map((o) => (o.ok ? o.result : undefined));
    expect(results.map((r) => r?.status)).toEqual(['applied', 'applied', 'duplicate']);
    expect(results.map((r) => r?.versions[0]?.versionId)).toEqual(['1', '2', undefined]);
    expect(results[2]?.messageId).toBe(results[0]?.messageId);
    expect(results[0]?.provenance?.id).not.toBe(results[1]?.provenance?.id);
    expect(((await store.read('Patient', id)) as { gender?: string }).gender).toBe('female');
    const logged = await store.getMessage(results[1]?.messageId ?? '');
    expect(logged?.versions.map((v) => v.versionId)).toEqual(['2']);
  });

  it('keeps a failing message from stopping the others, and reports its error', async () => {
    const good = data.id('pat');
    const bad = data.message([{ resourceType: 'Patient' }]);
    const outcomes = await applyMany([data.message([data.patient(good)]), bad, data.message([data.patient(good, { gender: 'other' })])]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    const failed = outcomes[1];
    expect(failed && !failed.ok ? String(failed.error) : '').toMatch(/deterministic id/);
    expect((await store.read('Patient', good))?.meta?.versionId).toBe('2');
  });
});
