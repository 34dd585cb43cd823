import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMessages, sendMessages } from '../../src/cli/send.js';
import { REPO_ROOT, startTestEngine, type TestEngine } from '../support/engine.js';
import { junction as runJunction } from '../support/cli-process.js';
import { adt } from '../support/messages.js';

const dir = mkdtempSync(join(tmpdir(), 'junction-cli-'));
let t: TestEngine;

/** Run the CLI as a separate process, asynchronously: the engine under test lives in this process and must keep serving. */
const junction = (args: string[], env: Record<string, string> = {}) => runJunction(args, env, REPO_ROOT, 60_000);

beforeAll(async () => {
  t = await startTestEngine();
});
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('junction send', () => {
  it('sends each message with node-hl7-client, awaiting each ACK, and reports AA', async () => {
    const a = join(dir, 'a01.hl7');
    const b = join(dir, 'a08.hl7');
    // LF line ends, as files edited by people usually have: send turns them into CR
    writeFileSync(a, adt({ controlId: 'CLI-1' }).replace(/\r/g, '\n'));
    writeFileSync(b, adt({ event: 'A08', controlId: 'CLI-2' }));
    const reports = [];
    for await (const r of sendMessages(readMessages([a, b]), { host: '127.0.0.1', port: t.mllpPort, timeoutMs: 10_000 })) reports.push(r);
    expect(reports.map((r) => [r.controlId, r.code])).toEqual([
      ['CLI-1', 'AA'],
      ['CLI-2', 'AA'],
    ]);
    expect(reports[0]?.ack).toMatch(/^MSH\|/);
  });

  it('the command prints the ACK and exits 0 when every message was accepted', async () => {
    const a = join(dir, 'cmd.hl7');
    writeFileSync(a, adt({ controlId: 'CLI-CMD' }));
    const r = await junction(['send', a, '--port', String(t.mllpPort)]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/CLI-CMD\) → AA/);
    expect(r.stdout).toMatch(/MSA\|AA\|CLI-CMD/);
    expect(r.status).toBe(0);
  });

  it('exits non-zero and says why when a message is refused', async () => {
    const bad = join(dir, 'bad.hl7');
    writeFileSync(bad, 'MSH|^~\\&|LAB|RGT|JUNCTION|HIE|20261126093000||ORU^R01^ORU_R01|CLI-ORU|P|2.4\rPID|1');
    const r = await junction(['send', bad, '--port', String(t.mllpPort)]);
    expect(r.stdout).toMatch(/→ AR/);
    expect(r.stderr).toMatch(/not accepted/);
    expect(r.status).toBe(3);
  });

  it('says how to fix a bad --port', async () => {
    const r = await junction(['send', 'x.hl7', '--port', 'abc']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--port must be a number/);
  });
});

describe('junction map / validate / --help', () => {
  it('map prints the Bundle and the unmapped report of a message', async () => {
    const a = join(dir, 'map.hl7');
    writeFileSync(a, adt({ controlId: 'MAP-1' }));
    const r = await junction(['map', a]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.bundle.resourceType).toBe('Bundle');
    expect(out.bundle.entry.map((e: any) => e.resource.resourceType)).toEqual(expect.arrayContaining(['Patient', 'Encounter', 'Organization']));
    expect(Array.isArray(out.unmapped)).toBe(true);
  });

  it('map names the problem when the message cannot be parsed', async () => {
    const a = join(dir, 'nomsh.hl7');
    writeFileSync(a, 'PID|1||123');
    const r = await junction(['map', a]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/junction map: .*MSH/);
  });

  it('validate checks the configuration and mappings', async () => {
    const r = await junction(['validate']);
    expect(r.stdout).toMatch(/config .*junction\.yaml: ok/);
    expect(r.stdout).toMatch(/mappings for rgt-adt: ok/);
    expect(r.status).toBe(0);
  });

  it('validate reports a broken configuration with file:line', async () => {
    const cfg = join(dir, 'broken.yaml');
    writeFileSync(cfg, 'channels:\n  - id: BAD ID\n    name: x\n    organisation: { odsCode: RGT }\n    source: { type: mllp, port: 2575 }\n');
    const r = await junction(['validate'], { JUNCTION_CONFIG: cfg });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/broken\.yaml:2:\d+ at channels\.0\.id/);
  });

  it('every command has --help', async () => {
    for (const cmd of ['start', 'map', 'send', 'validate']) {
      const r = await junction([cmd, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Usage: junction/);
    }
  });
});
