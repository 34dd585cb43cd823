import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedDatabase } from '../../src/store/pglite-database.js';
import { createRecordStore } from '../../src/store/record-store.js';
import type { ApplyResult } from '../../src/store/types.js';
import { TestData } from './fixtures/store-inputs.js';

const child = fileURLToPath(new URL('./fixtures/apply-then-wait.ts', import.meta.url));
let root: string | undefined;
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('PGlite durability', () => {
  it('keeps every applied message after the process is killed the moment apply resolved', async () => {
    root = await mkdtemp(join(tmpdir(), 'junction-durable-'));
    const dir = join(root, 'data');
    const data = new TestData();
    const ids = [data.id('pat'), data.id('pat'), data.id('pat')];
    const messages = ids.map((id) => data.message([data.patient(id, { gender: 'female' })]));

    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, JSON.stringify(messages)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
    const results: ApplyResult[] = [];
    for await (const line of createInterface({ input: proc.stdout })) {
      results.push(JSON.parse(line) as ApplyResult);
      if (results.length === messages.length) {
        proc.kill('SIGKILL'); // no chance to close the database or flush anything more
        break;
      }
    }
    expect(await exited).toBe('SIGKILL');
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);

    const db = await openEmbeddedDatabase(dir);
    try {
      const store = await createRecordStore(db);
      for (const [i, id] of ids.entries()) {
        expect(await store.read('Patient', id)).toMatchObject({ gender: 'female', meta: { versionId: '1' } });
        expect((await store.getMessage(results[i]!.messageId))?.status).toBe('applied');
      }
      expect((await store.apply(messages[2]!)).status).toBe('duplicate');
    } finally {
      await db.close();
    }
  }, 120_000);
});
