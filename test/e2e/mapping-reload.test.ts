/**
 * Mapping hot reload under a running engine (temporary copy of mappings/): a changed file is used by the
 * next message; an invalid one is reported with file:line (GET /admin/mappings) while the engine keeps
 * mapping with the previous version; fixing it reloads.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, getJson, REPO_ROOT, startTestEngine, type TestEngine } from '../support/engine.js';
import { adt } from '../support/messages.js';
import { frame, RawMllpClient, readAck } from '../support/mllp-raw-client.js';

const dir = mkdtempSync(join(tmpdir(), 'junction-reload-'));
const mappings = join(dir, 'mappings');
const genderMap = join(mappings, 'codesystems', 'administrative-gender.yaml');
const pid = join(mappings, 'hl7v2', 'segments', 'PID.yaml');
let t: TestEngine;

/** A valid NHS number (modulus 11) from nine digits. */
function nhsNumber(nine: string): string {
  const sum = [...nine].reduce((s, d, i) => s + Number(d) * (10 - i), 0);
  const check = 11 - (sum % 11);
  if (check === 10) throw new Error(`${nine} has no valid check digit`);
  return `${nine}${check === 11 ? 0 : check}`;
}

async function send(message: string): Promise<string | undefined> {
  const client = await RawMllpClient.connect(t.mllpPort);
  try {
    await client.write(frame(message));
    const [ack] = await client.waitFor(1);
    return readAck(ack ?? '').code;
  } finally {
    client.destroy();
  }
}

/** Send an admission for a new person and return the stored Patient's gender. */
async function genderOfNewPatient(nine: string): Promise<string> {
  const nhs = nhsNumber(nine);
  expect(await send(adt({ nhsNumber: nhs, mrn: `M${nine}`, visitNumber: `V${nine}`, controlId: `RELOAD-${nine}` }))).toBe('AA');
  return eventually(async () => {
    const { body } = await getJson(`${t.baseUrl}/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|${nhs}`);
    return body.entry?.[0]?.resource?.gender as string | undefined;
  }, 15_000, `Patient ${nine}`);
}

async function status(): Promise<any> {
  const { body } = await getJson(`${t.baseUrl}/admin/mappings`);
  return body.sets[0];
}

beforeAll(async () => {
  cpSync(join(REPO_ROOT, 'mappings'), mappings, { recursive: true });
  t = await startTestEngine({ mappingsDir: mappings, watchMappings: { debounceMs: 50 } });
});
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('mapping files reload while the engine runs', () => {
  it('uses a changed file for the next message, keeps the previous version over an invalid one, and reloads the fix', async () => {
    const first = await status();
    expect(first.channels).toEqual(['rgt-adt']);
    expect(first.lastError).toBeNull();
    expect(first.structures).toContain('ADT_A01');
    expect(await genderOfNewPatient('401023211')).toBe('male');

    // a valid change: the next message maps with it
    writeFileSync(genderMap, readFileSync(genderMap, 'utf8').replace('M: male', 'M: other'));
    const second = await eventually(async () => {
      const s = await status();
      return s.version !== first.version ? s : undefined;
    }, 10_000, 'the reload');
    expect(second.lastReload.outcome).toBe('reloaded');
    expect(await genderOfNewPatient('401023212')).toBe('other');

    // an invalid change: reported with file:line, the previous version stays in use
    const pidText = readFileSync(pid, 'utf8');
    const line = pidText.split('\n').findIndex((l) => l.includes('map: administrative-gender')) + 1;
    writeFileSync(pid, pidText.replace('map: administrative-gender', 'map: administrative-sex'));
    const failed = await eventually(async () => {
      const s = await status();
      return s.lastError !== null ? s : undefined;
    }, 10_000, 'the reload error');
    expect(failed.version).toBe(second.version);
    expect(failed.lastReload.outcome).toBe('failed');
    expect(failed.lastError.problems[0].where).toMatch(new RegExp(`hl7v2/segments/PID\\.yaml:${line}:\\d+$`));
    expect(failed.lastError.problems[0].what).toMatch(/administrative-sex/);
    expect(await genderOfNewPatient('401023213')).toBe('other');

    // the fix (with another change): reloaded, error cleared
    writeFileSync(genderMap, readFileSync(genderMap, 'utf8').replace('M: other', 'M: unknown'));
    writeFileSync(pid, pidText);
    const fixed = await eventually(async () => {
      const s = await status();
      return s.lastError === null && s.version !== second.version ? s : undefined;
    }, 10_000, 'the fixed reload');
    expect(fixed.lastReload.outcome).toBe('reloaded');
    expect(await genderOfNewPatient('401023214')).toBe('unknown');
  }, 90_000);
});
