/**
 * The local transport against the Transport conformance suite (in-memory PGlite), and its crash
 * recovery on a PGlite data directory: a reopened database, and a process killed with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalTransport } from '../../src/pipeline/local-transport.js';
import { UnrecoverableError, type StageMessage } from '../../src/pipeline/transport.js';
import { openEmbeddedDatabase } from '../../src/store/pglite-database.js';
import { dataDirLocalTransport, inMemoryLocalTransport, type LocalUnderTest } from './support/local-factories.js';
import { never, waitFor } from './support/wait-for.js';
import { describeTransportConformance } from './transport.conformance.js';

describeTransportConformance('local, in-memory PGlite', () => inMemoryLocalTransport());

describe('local transport on a PGlite data directory', { timeout: 60_000 }, () => {
  let env: LocalUnderTest | undefined;
  afterEach(async () => {
    await env?.cleanup();
    env = undefined;
  });

  it('after a crash, delivers the messages left in handlers again (attempt kept), in key order, and keeps parked ones', async () => {
    env = await dataDirLocalTransport();
    const { transport } = env;
    await transport.publish('records', 'a', { n: 'a1' });
    await transport.publish('records', 'a', { n: 'a2' });
    await transport.publish('records', 'b', { n: 'b1' });
    await transport.publish('inbound', 'x', { n: 'x1' });
    transport.consume('inbound', async () => {
      throw new UnrecoverableError('unparseable MSH');
    });
    await waitFor('x1 parked', async () => (await transport.listParked('inbound')).length === 1);
    const first: string[] = [];
    transport.consume<{ n: string }>(
      'records',
      (m) => {
        first.push(m.payload.n);
        return never();
      },
      { concurrency: 2 },
    );
    await waitFor('a1 and b1 in handlers', () => first.length === 2);
    expect(first.sort()).toEqual(['a1', 'b1']);

    const reopened = await env.reopen();
    const records = (await reopened.stats()).find((s) => s.stage === 'records');
    expect(records).toMatchObject({ ready: 3, inFlight: 0, parked: 0 });
    const parked = await reopened.listParked('inbound');
    expect(parked).toHaveLength(1);
    expect(parked[0]?.reason).toContain('unparseable MSH');

    const again: StageMessage<{ n: string }>[] = [];
    reopened.consume<{ n: string }>('records', async (m) => void again.push(m), { concurrency: 2 });
    await waitFor('all three', () => again.length === 3);
    const attempts = Object.fromEntries(again.map((m) => [m.payload.n, m.attempt]));
    expect(attempts).toEqual({ a1: 2, a2: 1, b1: 2 });
    const aOrder = again.filter((m) => m.key === 'a').map((m) => m.payload.n);
    expect(aOrder).toEqual(['a1', 'a2']);
  });

  it('a process killed with SIGKILL in the handler loses nothing: the restarted one redelivers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'junction-journal-kill-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/crash-child.ts'), dir, 'publish'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      let errors = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      const exited = new Promise<string | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      await waitFor(`the child's first delivery (stderr: ${errors})`, () => output.includes('delivered 1 1'), { timeoutMs: 45_000 });
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect(output).not.toContain('delivered 2');

      const db = await openEmbeddedDatabase(dir);
      try {
        const transport = await createLocalTransport(db);
        const seen: string[] = [];
        transport.consume<{ n: number }>('records', async (m) => void seen.push(`${m.payload.n}@${m.attempt}`));
        await waitFor('both messages after the restart', () => seen.length === 2);
        expect(seen).toEqual(['1@2', '2@1']);
        await transport.close();
      } finally {
        await db.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
