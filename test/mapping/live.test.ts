import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveMappingSet } from '../../src/mapping/live.js';
import { watchFolders } from '../../src/mapping/watch.js';
import { mappingsDir } from '../support/mapping-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'junction-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function copy(name: string): string {
  const to = join(dir, name);
  cpSync(mappingsDir, to, { recursive: true });
  return to;
}

describe('a live mapping set', () => {
  it('reloads only what changed, keeps the loaded version over invalid files, and clears the error when they are back', () => {
    const root = copy('set');
    writeFileSync(join(root, 'codesystems', 'old.yaml'), 'id: old\ntarget: http://example.org/old\nentries:\n  A: a\n');
    const live = new LiveMappingSet(root);
    const v1 = live.current;
    expect(live.reload()).toEqual({ kind: 'unchanged' });
    expect(live.current).toBe(v1);

    const gender = join(root, 'codesystems', 'administrative-gender.yaml');
    const text = readFileSync(gender, 'utf8');
    writeFileSync(gender, text.replace('M: male', 'M: other'));
    writeFileSync(join(root, 'codesystems', 'extra.yaml'), 'id: extra\ntarget: http://example.org/cs\nentries:\n  A: a\n');
    unlinkSync(join(root, 'codesystems', 'old.yaml'));
    const outcome = live.reload();
    expect(outcome.kind).toBe('reloaded');
    if (outcome.kind !== 'reloaded') return;
    expect(outcome.previous).toBe(v1.version);
    expect(outcome.changes.changed).toEqual([expect.stringMatching(/administrative-gender\.yaml$/)]);
    expect(outcome.changes.added).toEqual([expect.stringMatching(/extra\.yaml$/)]);
    expect(outcome.changes.removed).toEqual([expect.stringMatching(/old\.yaml$/)]);
    const v2 = live.current;
    expect(v2.version).not.toBe(v1.version);
    expect(v2.mapper).not.toBe(v1.mapper);

    writeFileSync(gender, 'id: administrative-gender\nentries: [oops\n');
    const failed = live.reload();
    expect(failed.kind).toBe('failed');
    if (failed.kind !== 'failed') return;
    expect(failed.kept).toBe(v2.version);
    expect(failed.error.problems[0]?.where).toMatch(/administrative-gender\.yaml:\d+:\d+$/);
    expect(live.current).toBe(v2);
    expect(live.lastError).toBe(failed.error);
    expect(live.reload().kind).toBe('failed'); // the same broken files: not compiled again, still reported

    writeFileSync(gender, text.replace('M: male', 'M: other'));
    expect(live.reload()).toEqual({ kind: 'recovered', version: v2.version });
    expect(live.lastError).toBeUndefined();
    expect(live.current).toBe(v2);
  });
});

describe('watching folders', () => {
  it('calls back once for a burst of changes in nested folders, after the quiet time', async () => {
    const root = copy('watched');
    const calls: (readonly string[])[] = [];
    const watcher = watchFolders([root], (paths) => calls.push(paths), { debounceMs: 100 });
    try {
      await new Promise((r) => setTimeout(r, 50));
      writeFileSync(join(root, 'hl7v2', 'segments', 'PID.yaml'), readFileSync(join(root, 'hl7v2', 'segments', 'PID.yaml'), 'utf8') + '\n');
      writeFileSync(join(root, 'codesystems', 'name-use.yaml'), readFileSync(join(root, 'codesystems', 'name-use.yaml'), 'utf8') + '\n');
      const deadline = Date.now() + 5000;
      while (calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      expect(calls.length).toBe(1);
      expect(calls[0]).toEqual(expect.arrayContaining([join(root, 'hl7v2', 'segments', 'PID.yaml'), join(root, 'codesystems', 'name-use.yaml')]));
    } finally {
      watcher.close();
    }
  });
});
