import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, getJson } from '../support/engine.js';
import { spawnEngine, type EngineProcess } from '../support/engine-process.js';
import { adt } from '../support/messages.js';
import { frame, RawMllpClient, readAck } from '../support/mllp-raw-client.js';

const root = mkdtempSync(join(tmpdir(), 'junction-crash-'));
const dataDir = join(root, 'data');
let running: EngineProcess | undefined;

afterAll(async () => {
  running?.child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

describe('durability: SIGKILL right after an AA loses nothing', () => {
  it('a message acknowledged just before the process was killed is in the store after restart', async () => {
    const first = await spawnEngine(dataDir);
    running = first;
    const client = await RawMllpClient.connect(first.mllpPort);
    // several patients, so that some are certainly still in the pipeline when the process dies
    const messages = Array.from({ length: 20 }, (_, i) => adt({ controlId: `CRASH-${i}`, nhsNumber: '', mrn: `CRASH${i}` }));
    await client.write(Buffer.concat(messages.map((m) => frame(m))));
    const acks = await client.waitFor(messages.length);
    first.child.kill('SIGKILL'); // at once: no graceful shutdown
    expect(acks.map((a) => readAck(a).code)).toEqual(messages.map(() => 'AA'));
    expect(await first.exited).toBe('SIGKILL');
    client.destroy();

    const second = await spawnEngine(dataDir);
    running = second;
    const base = `http://127.0.0.1:${second.httpPort}`;
    for (let i = 0; i < messages.length; i++) {
      const found = await eventually(async () => {
        const { body } = await getJson(`${base}/fhir/Patient?identifier=https://junction.nhs.uk/Id/RGT/mr|CRASH${i}`);
        return body.total === 1 ? body : undefined;
      }, 30_000, `patient CRASH${i} after restart`);
      expect(found.entry[0].resource.meta.versionId).toBe('1');
    }
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 180_000);
});
