import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeEscapes,
  encodeEscapes,
  encodeFrame,
  Hl7ParseError,
  MllpFramer,
  parseMessage,
  readHeaderLeniently,
  type Delimiters,
  type Hl7Message,
} from '../../src/hl7v2/index.js';
import { ADT_A01, BENCH_PATHS } from './fixtures/messages.js';

/** Read everything a consumer might read; none of it may throw. */
function readAll(m: Hl7Message): void {
  for (const path of BENCH_PATHS) m.get(path);
  for (const s of m.segments) {
    for (let n = 0; n <= s.fieldCount + 1; n++) {
      s.rawField(n);
      s.value(n, 2, 2, 2);
      for (const f of s.repetitions(n)) {
        f.value(1);
        f.value(3, 2);
        for (let c = 0; c <= f.componentCount; c++) f.subcomponentCount(c);
      }
    }
  }
}

function parsesOrRejectsCleanly(text: string): void {
  let message: Hl7Message | undefined;
  try {
    message = parseMessage(text);
  } catch (err) {
    expect(err).toBeInstanceOf(Hl7ParseError);
    const e = err as Hl7ParseError;
    expect(e.message.length).toBeGreaterThan(10);
    expect(e.hl7ErrorCode).toMatch(/^\d{3}$/);
  }
  if (message !== undefined) readAll(message);
  readHeaderLeniently(text);
}

const hl7ish = fc.string({
  unit: fc.constantFrom('M', 'S', 'H', 'P', 'I', 'D', '|', '^', '~', '\\', '&', '\r', '\n', '"', 'X', '1', '.', ' ', '#', '\uFEFF'),
  maxLength: 200,
});

type Mutation = { at: number; kind: 'delete' | 'insert' | 'replace'; text: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat({ max: ADT_A01.length }),
  kind: fc.constantFrom('delete', 'insert', 'replace'),
  text: fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('|', '^', '~', '\\', '&', '\r', '\n', '""', '\\X', '\\.br')),
});

function mutate(text: string, mutations: Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = Math.min(m.at, out.length);
    if (m.kind === 'delete') out = out.slice(0, at) + out.slice(at + 1 + m.text.length);
    else if (m.kind === 'insert') out = out.slice(0, at) + m.text + out.slice(at);
    else out = out.slice(0, at) + m.text + out.slice(at + m.text.length);
  }
  return out;
}

const DELIMITER_CHARS = '|^~\\&#!$%*:;,./?@+=-_<>{}[]()\'"`'.split('');

/** Any valid set of delimiters: distinct, not alphanumeric, not CR/LF. */
const delimiters: fc.Arbitrary<Delimiters> = fc
  .uniqueArray(fc.constantFrom(...DELIMITER_CHARS), { minLength: 6, maxLength: 6 })
  .map(([field, component, repetition, escape, subcomponent, truncation]) => ({
    field: field as string,
    component: component as string,
    repetition: repetition as string,
    escape: escape as string,
    subcomponent: subcomponent as string,
    truncation: truncation as string,
  }));

describe('property: the parser only ever throws Hl7ParseError', () => {
  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), parsesOrRejectsCleanly), { numRuns: 2000 });
  });

  it('on HL7-shaped noise', () => {
    fc.assert(fc.property(hl7ish, (s) => parsesOrRejectsCleanly(`MSH${s}`)), { numRuns: 3000 });
  });

  it('on arbitrary mutations of a valid ADT_A01', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 8 }), (ms) => parsesOrRejectsCleanly(mutate(ADT_A01, ms))),
      { numRuns: 2000 },
    );
  });
});

describe('property: MLLP framer', () => {
  const payload = fc.uint8Array({ maxLength: 300 }).map((bytes) => bytes.map((b) => (b === 0x0b || b === 0x1c ? 0x41 : b)));

  it('returns exactly the payloads, in order, for any chunking of their frames', () => {
    fc.assert(
      fc.property(fc.array(payload, { maxLength: 8 }), fc.array(fc.nat({ max: 400 }), { maxLength: 30 }), (payloads, cuts) => {
        const wire = Buffer.concat(payloads.map((p) => encodeFrame(p)));
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const framer = new MllpFramer({ maxFrameBytes: 1000 });
        const out: Buffer[] = [];
        let from = 0;
        for (const at of [...points, wire.length]) {
          for (const e of framer.push(wire.subarray(from, at))) {
            expect(e.type).toBe('frame');
            if (e.type === 'frame') out.push(e.payload);
          }
          from = at;
        }
        expect(out.map((b) => [...b])).toEqual(payloads.map((p) => [...p]));
        expect(framer.inFrame).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws and recovers on arbitrary bytes followed by a good frame', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat({ max: 50 }), (noise, chunk) => {
        const framer = new MllpFramer({ maxFrameBytes: 64 });
        const wire = Buffer.concat([noise, Buffer.from([0x1c, 0x0d]), encodeFrame('MSH|ok')]);
        const size = chunk + 1;
        const events = [];
        for (let at = 0; at < wire.length; at += size) events.push(...framer.push(wire.subarray(at, at + size)));
        const last = events.filter((e) => e.type === 'frame').at(-1);
        expect(last?.type === 'frame' && last.payload.toString()).toBe('MSH|ok');
      }),
      { numRuns: 1000 },
    );
  });
});

/** Text that often contains delimiter characters, line breaks and things that look like escapes. */
const trickyText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(...DELIMITER_CHARS, '\r', '\n', 'X', 'F', 'E', '.br', 'H', '0D', ' '),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 80,
});

describe('property: escapes', () => {
  it('decode(encode(x)) === x for any text and any delimiters', () => {
    fc.assert(
      fc.property(fc.oneof(trickyText, fc.string({ unit: 'binary', maxLength: 200 })), delimiters, (text, d) => {
        expect(decodeEscapes(encodeEscapes(text, d), d)).toBe(text);
      }),
      { numRuns: 3000 },
    );
  });

  it('an encoded value survives being put in a message and read back', () => {
    fc.assert(
      fc.property(trickyText, delimiters, (text, d) => {
        const enc = d.component + d.repetition + d.escape + d.subcomponent + (d.truncation ?? '');
        const msg = `MSH${d.field}${enc}${d.field}PAS${d.field}${d.field}${d.field}${d.field}2024${d.field}${d.field}ADT${d.component}A01${d.field}C1\rNTE${d.field}1${d.field}${d.field}${encodeEscapes(text, d)}`;
        const value = parseMessage(msg).get('NTE-3');
        expect(value).toBe(text === '' ? undefined : text);
      }),
      { numRuns: 2000 },
    );
  });
});
