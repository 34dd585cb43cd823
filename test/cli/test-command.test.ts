/** `junction test`: golden fixtures and rule checks from the command line (the real command, in its own process). */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { junction } from '../support/cli-process.js';
import { REPO_ROOT } from '../support/engine.js';

const dir = mkdtempSync(join(tmpdir(), 'junction-test-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hl7 = join(REPO_ROOT, 'fixtures', 'hl7v2');

function fixtures(name: string, stems: string[]): string {
  const root = join(dir, name);
  mkdirSync(join(root, 'adt'), { recursive: true });
  cpSync(join(REPO_ROOT, 'fixtures', 'fixtures.yaml'), join(root, 'fixtures.yaml'));
  for (const stem of stems) {
    cpSync(join(hl7, `${stem}.hl7`), join(root, 'adt', `${stem}.hl7`));
    cpSync(join(hl7, `${stem}.expected.json`), join(root, 'adt', `${stem}.expected.json`));
  }
  return root;
}

describe('junction test', () => {
  it('runs every fixture of the repository and exits 0 when all pass', async () => {
    const r = await junction(['test']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^PASS +hl7v2\/adt-a01-admit\.hl7$/m);
    expect(r.stdout).toMatch(/\n\d+ fixture\(s\): \d+ passed\n$/);
    expect(r.status).toBe(0);
  }, 120_000);

  it('shows where a failing fixture differs, exits 1, and --update rewrites only what changed', async () => {
    const root = fixtures('changed', ['adt-a01-admit', 'adt-a03-discharge']);
    const path = join(root, 'adt', 'adt-a03-discharge.expected.json');
    const expected = JSON.parse(readFileSync(path, 'utf8'));
    expected.bundle.timestamp = '1999-01-01T00:00:00+00:00';
    writeFileSync(path, JSON.stringify(expected, null, 2));
    cpSync(join(hl7, 'adt-a08-update.hl7'), join(root, 'adt', 'adt-a08-update.hl7'));

    const failing = await junction(['test', '--fixtures', root]);
    expect(failing.status).toBe(1);
    expect(failing.stdout).toMatch(/^PASS +adt\/adt-a01-admit\.hl7$/m);
    expect(failing.stdout).toMatch(/^FAIL +adt\/adt-a03-discharge\.hl7$/m);
    expect(failing.stdout).toMatch(/bundle\.timestamp +expected "1999-01-01T00:00:00\+00:00"\n +actual +"2024-/);
    expect(failing.stdout).toMatch(/^NEW +adt\/adt-a08-update\.hl7$/m);
    expect(failing.stdout).toMatch(/3 fixture\(s\): 1 passed, 1 failed, 1 without expected file/);

    const filtered = await junction(['test', '--fixtures', root, 'a01']);
    expect(filtered.stdout).toMatch(/1 fixture\(s\): 1 passed/);
    expect(filtered.status).toBe(0);

    const update = await junction(['test', '--fixtures', root, '--update']);
    expect(update.status).toBe(0);
    expect(update.stdout).toMatch(/^same +adt\/adt-a01-admit\.hl7$/m);
    expect(update.stdout).toMatch(/^UPDATED +adt\/adt-a03-discharge\.hl7$/m);
    expect(update.stdout).toMatch(/^CREATED +adt\/adt-a08-update\.hl7$/m);
    expect(readFileSync(path, 'utf8')).toBe(readFileSync(join(hl7, 'adt-a03-discharge.expected.json'), 'utf8'));

    const again = await junction(['test', '--fixtures', root]);
    expect(again.stdout).toMatch(/3 fixture\(s\): 3 passed/);
    expect(again.status).toBe(0);
  }, 180_000);

  it('refuses to write an output that breaks the rule checks, and says why', async () => {
    const root = fixtures('invalid', []);
    const mappings = join(dir, 'mappings-invalid');
    cpSync(join(REPO_ROOT, 'mappings'), mappings, { recursive: true });
    const gender = join(mappings, 'codesystems', 'administrative-gender.yaml');
    writeFileSync(gender, readFileSync(gender, 'utf8').replace('M: male', 'M: mail'));
    const config = join(dir, 'invalid.yaml');
    writeFileSync(config, `mappings: ${mappings}\nchannels:\n  - id: rgt-adt\n    name: x\n    organisation: { odsCode: RGT }\n    source: { type: mllp, port: 2575 }\n`);
    cpSync(join(hl7, 'adt-a01-admit.hl7'), join(root, 'adt', 'adt-a01-admit.hl7'));
    const r = await junction(['test', '--fixtures', root, '--update'], { JUNCTION_CONFIG: config });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^REFUSED +adt\/adt-a01-admit\.hl7$/m);
    expect(r.stdout).toMatch(/not written: the output fails the rule checks/);
    expect(r.stdout).toMatch(/\[r4\] entry\[\d\] Patient\/[^:]+: Patient\.gender: .*mail/);
  }, 120_000);

  it('names a channel that junction.yaml does not have, and has --help', async () => {
    const r = await junction(['test', '--channel', 'nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no channel "nope".*channels are: rgt-adt/);
    const help = await junction(['test', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: junction test/);
    expect(help.stdout).toMatch(/--update/);
  }, 60_000);
});
