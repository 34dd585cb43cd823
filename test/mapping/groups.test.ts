/** Segment groups (`group:` on a repeat entry): scoping of paths and `each`, claimed segments, the unmapped report. */
import { cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/hl7v2/index.js';
import { createMapper, loadMappingSet, MappingLoadError } from '../../src/mapping/index.js';
import type { MapResult } from '../../src/mapping/types.js';
import { channel, mappingsDir } from '../support/mapping-harness.js';

const RGT = channel('rgt-adt', 'RGT', 'Cambridge University Hospitals NHS Foundation Trust');
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function baseWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'junction-groups-'));
  temps.push(dir);
  cpSync(mappingsDir, dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

/** ZP1 (a head) owns the ZR1s after it; other ZR1s make their own Basic. */
const FILES = {
  'hl7v2/messages/zgroups.yaml': `extends: [ADT_A01]
resources:
  - repeat: true
    segment: ZP1
    group: [ZR1]
    template: ZpHead
  - repeat: true
    segment: ZR1
    template: ZrAlone
ignore: [ZR1-1]
`,
  'hl7v2/segments/ZP1.yaml': `segment: ZP1
templates:
  ZpHead:
    resourceType: Basic
    id: { parts: [{ const: zp }, { from: ZP1-1 }], transform: { hash-id: { namespace: Basic } } }
    fields:
      code: { fields: { text: { from: ZP1-1 } } }
      identifier:
        - fields: { system: { const: 'urn:first' }, value: { from: ZR1-2, required: true } }
        - fields: { system: { const: 'urn:second' }, value: { from: 'ZR1[2]-2', required: true } }
        - each: ZR1
          fields: { system: { const: 'urn:each' }, value: { from: ZR1-2, required: true } }
`,
  'hl7v2/segments/ZR1.yaml': `segment: ZR1
templates:
  ZrAlone:
    resourceType: Basic
    id: { parts: [{ const: zr }, { from: ZR1-2 }], transform: { hash-id: { namespace: Basic } } }
    fields:
      code: { fields: { text: { from: ZR1-2 } } }
`,
};

const MSH = 'MSH|^~\\&|PAS|RGT|JUNCTION|SHR|20240314093000||ADT^A01^ADT_A01|1|P|2.5';
const PID = 'PID|1||9434765919^^^NHS^NH~RGT1234567^^^RGT^MR||SMITH^JOHN||19650412|M';
const PV1 = 'PV1|1|I|D5^^BED 3^RGT01||||||||||||||||V001^^^RGT^VN|||||||||||||||||||||||||20240314093000';

function basics(result: MapResult): { text: unknown; identifier: unknown }[] {
  return (result.bundle.entry ?? [])
    .map((e) => e.resource as unknown as Record<string, unknown>)
    .filter((r) => r['resourceType'] === 'Basic')
    .map((r) => ({ text: (r['code'] as { text?: unknown } | undefined)?.text, identifier: r['identifier'] }));
}

describe('segment groups', () => {
  const mapper = createMapper(loadMappingSet(baseWith(FILES)));
  const result = mapper.map(
    parseMessage(
      [MSH, PID, PV1, 'ZR1|1|top', 'ZP1|A', 'ZR1|1|a1|extra', 'ZR1|2|a2', 'ZP1|B', 'NTE|1||note', 'ZR1|3|late', 'ZP1|C'].join('\r'),
    ),
    RGT,
  );
  const byText = new Map(basics(result).map((b) => [b.text, b.identifier]));

  it('paths and each inside the head template read the group: first, [n], every one', () => {
    expect(byText.get('A')).toEqual([
      { system: 'urn:first', value: 'a1' },
      { system: 'urn:second', value: 'a2' },
      { system: 'urn:each', value: 'a1' },
      { system: 'urn:each', value: 'a2' },
    ]);
  });

  it('a head without members reads nothing of that name (not the message ones); a non-member ends the group', () => {
    expect(byText.has('B')).toBe(true);
    expect(byText.get('B')).toBeUndefined();
    expect(byText.has('C')).toBe(true);
    expect(byText.get('C')).toBeUndefined();
  });

  it('segments a group claims are not offered to other entries', () => {
    expect([...byText.keys()].filter((t) => t !== 'A' && t !== 'B' && t !== 'C').sort()).toEqual(['late', 'top']);
  });

  it('the unmapped report counts the group members fields no rule reads', () => {
    expect(result.unmapped).toContainEqual({ path: 'ZR1-3', count: 1 });
    expect(result.unmapped.filter((u) => u.path === 'ZR1' || u.path === 'ZR1-2' || u.path === 'ZR1-1')).toEqual([]);
    expect(result.unmapped).toContainEqual({ path: 'NTE', count: 1 });
  });

  it('a message without the head leaves every member to the other entries', () => {
    const plain = mapper.map(parseMessage([MSH, PID, PV1, 'ZR1|1|x', 'ZR1|2|y'].join('\r')), RGT);
    expect(basics(plain).map((b) => b.text).sort()).toEqual(['x', 'y']);
  });

  it('group needs repeat: true (load error with file:line)', () => {
    const dir = baseWith({
      ...FILES,
      'hl7v2/messages/zgroups.yaml': 'extends: [ADT_A01]\nresources:\n  - key: zp\n    segment: ZP1\n    group: [ZR1]\n    template: ZpHead\n',
    });
    let text = '';
    try {
      loadMappingSet(dir);
    } catch (error) {
      expect(error).toBeInstanceOf(MappingLoadError);
      text = (error as Error).message;
    }
    expect(text).toMatch(/zgroups\.yaml:5:\d+ — .*group .*needs repeat: true/);
  });
});

describe('the PROCEDURE group of the repository mappings', () => {
  it('ROLs after a PR1 are its performers; the others stay the visit care team', () => {
    const mapper = createMapper(loadMappingSet(mappingsDir));
    const result = mapper.map(
      parseMessage(
        [
          MSH,
          PID,
          PV1,
          'ROL|1|AD|PP^Primary Care Provider^HL70443|G1^NAIR^PRIYA',
          'PR1|1||80146002^Appendectomy^SCT||20240314100000',
          'ROL|2|AD|AT^Attending^HL70443|C1^OWEN^GARETH',
        ].join('\r'),
      ),
      RGT,
    );
    const of = (type: string) => (result.bundle.entry ?? []).map((e) => e.resource as unknown as Record<string, unknown>).filter((r) => r['resourceType'] === type);
    const procedure = of('Procedure')[0] as { performer?: { function?: { coding?: { code?: string }[] } }[] };
    expect(procedure.performer?.map((p) => p.function?.coding?.[0]?.code)).toEqual(['ATND']);
    const encounter = of('Encounter')[0] as { participant?: { type?: { coding?: { code?: string }[] }[] }[] };
    expect(encounter.participant?.map((p) => p.type?.[0]?.coding?.[0]?.code)).toEqual(['PP']);
  });
});
