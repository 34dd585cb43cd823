import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedDatabase } from '../../src/store/pglite-database.js';
import { createRecordStore } from '../../src/store/record-store.js';
import { TestData } from './fixtures/store-inputs.js';
import { describeRecordStoreConformance } from './record-store.conformance.js';
import { describeSqlDatabaseConformance } from './sql-database.conformance.js';

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'junction-pglite-'));
  dirs.push(dir);
  return join(dir, 'data'); // a directory that does not exist yet
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describeSqlDatabaseConformance('PGlite in memory', () => openEmbeddedDatabase(undefined));

describeRecordStoreConformance('PGlite in memory', async () => {
  const db = await openEmbeddedDatabase(undefined);
  return { store: await createRecordStore(db), close: () => db.close() };
});

describeRecordStoreConformance('PGlite data directory, reopened', async () => {
  const dir = await freshDir();
  const first = await openEmbeddedDatabase(dir);
  await createRecordStore(first);
  await first.close();
  const db = await openEmbeddedDatabase(dir);
  return { store: await createRecordStore(db), close: () => db.close() };
});

describe('PGlite data directory', () => {
  it('keeps resources, history, search index and message log across close and reopen', async () => {
    const dir = await freshDir();
    const data = new TestData();
    const id = data.id('pat');
    const first = data.message([data.patient(id, { gender: 'male', name: [{ family: 'Persist' }] })]);
    const second = data.message([data.patient(id, { gender: 'female', name: [{ family: 'Persist' }] })]);

    const db1 = await openEmbeddedDatabase(dir);
    const store1 = await createRecordStore(db1);
    const applied = await store1.apply(first);
    await store1.apply(second);
    await db1.close();

    const db2 = await openEmbeddedDatabase(dir);
    const store2 = await createRecordStore(db2);
    try {
      expect(await store2.read('Patient', id)).toMatchObject({ gender: 'female', meta: { versionId: '2' } });
      expect(await store2.vread('Patient', id, '1')).toMatchObject({ gender: 'male' });
      const found = await store2.search('Patient', {
        criteria: [{ param: '_id', values: [{ type: 'token', code: id }] }, { param: 'family', values: [{ type: 'string', value: 'pers' }] }],
        count: 10,
        offset: 0,
      });
      expect(found.total).toBe(1);
      expect((await store2.getMessage(applied.messageId))?.controlId).toBe(first.source.controlId);
      expect((await store2.apply(first)).status).toBe('duplicate');
    } finally {
      await db2.close();
    }
  }, 120_000);

  it('refuses db.query inside its own transaction instead of waiting forever', async () => {
    const db = await openEmbeddedDatabase(undefined);
    try {
      await expect(db.transaction(() => db.query('SELECT 1'))).rejects.toThrow(/use the executor passed/i);
      await expect(db.transaction(() => db.transaction(async () => 1))).rejects.toThrow(/db.transaction\(\) was called inside/);
      expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  }, 60_000);
});
