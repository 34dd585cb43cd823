import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDatabase } from '../../src/store/sql.js';

/** The SqlDatabase seam: what the record store relies on, checked for each database. */
export function describeSqlDatabaseConformance(name: string, open: () => Promise<SqlDatabase>): void {
  describe(`SqlDatabase: ${name}`, () => {
    let db: SqlDatabase;
    beforeAll(async () => {
      db = await open();
      await db.query('CREATE TABLE seam_check (id integer PRIMARY KEY, note text)');
    }, 120_000);
    afterAll(async () => {
      await db?.close();
    });

    it('passes parameters as values, never as SQL', async () => {
      const hostile = "x'); DROP TABLE seam_check; --";
      await db.query('INSERT INTO seam_check (id, note) VALUES ($1, $2)', [1, hostile]);
      const { rows, rowCount } = await db.query<{ note: string }>('SELECT note FROM seam_check WHERE id = $1', [1]);
      expect(rows).toEqual([{ note: hostile }]);
      expect(rowCount).toBe(1);
    });

    it('reports affected rows', async () => {
      await db.query('INSERT INTO seam_check (id, note) VALUES (2, $1), (3, $1)', ['b']);
      expect((await db.query('UPDATE seam_check SET note = $1 WHERE id IN (2, 3)', ['c'])).rowCount).toBe(2);
      expect((await db.query('DELETE FROM seam_check WHERE id = 99')).rowCount).toBe(0);
    });

    it('commits a transaction and returns its value', async () => {
      const value = await db.transaction(async (tx) => {
        await tx.query('INSERT INTO seam_check (id, note) VALUES (10, $1)', ['committed']);
        return 'done';
      });
      expect(value).toBe('done');
      expect((await db.query('SELECT note FROM seam_check WHERE id = 10')).rows).toEqual([{ note: 'committed' }]);
    });

    it('rolls back when the callback throws, and rethrows', async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO seam_check (id, note) VALUES (11, $1)', ['lost']);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await db.query('SELECT count(*)::integer AS n FROM seam_check WHERE id = 11')).rows).toEqual([{ n: 0 }]);
    });

    it('keeps other work out of an open transaction', async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const events: string[] = [];
      const inserted = new Promise<void>((resolveInserted) => {
        void db
          .transaction(async (tx) => {
            await tx.query('INSERT INTO seam_check (id, note) VALUES (20, $1)', ['uncommitted']);
            resolveInserted();
            await gate;
            events.push('transaction ending');
            throw new Error('roll back');
          })
          .catch(() => undefined);
      });
      await inserted;
      const outside = db
        .query<{ n: number }>('SELECT count(*)::integer AS n FROM seam_check WHERE id = 20')
        .then((result) => {
          events.push('outside query');
          return result.rows[0]?.n;
        });
      release();
      // the outside query never sees the uncommitted row, whether it waits (embedded) or runs beside (server)
      expect(await outside).toBe(0);
      // the embedded database has one connection: the query waited for the transaction to end
      if (db.kind === 'embedded') expect(events).toEqual(['transaction ending', 'outside query']);
    });

    it('handles jsonb and timestamptz the same way', async () => {
      const { rows } = await db.query<{ doc: unknown; at: Date }>(
        `SELECT $1::jsonb AS doc, $2::timestamptz AS at`,
        [JSON.stringify({ a: [1, 'two'] }), '2024-03-05T10:00:00.123Z'],
      );
      expect(rows[0]?.doc).toEqual({ a: [1, 'two'] });
      expect(new Date(rows[0]?.at as Date).toISOString()).toBe('2024-03-05T10:00:00.123Z');
    });
  });
}
