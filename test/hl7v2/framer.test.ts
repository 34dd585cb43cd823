import { describe, expect, it } from 'vitest';
import { decodePayload, encodeFrame, MllpFramer, type FramerEvent } from '../../src/hl7v2/index.js';
import { ADT_A01 } from './fixtures/messages.js';

const VT = 0x0b;
const FS = 0x1c;
const CR = 0x0d;

function feed(framer: MllpFramer, ...chunks: (Uint8Array | number[])[]): FramerEvent[] {
  return chunks.flatMap((c) => framer.push(c instanceof Uint8Array ? c : Uint8Array.from(c)));
}

function frames(events: FramerEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'frame' ? [e.payload.toString('utf8')] : []));
}

function others(events: FramerEvent[]): FramerEvent[] {
  return events.filter((e) => e.type !== 'frame');
}

const big = () => new MllpFramer({ maxFrameBytes: 1 << 20 });

describe('encodeFrame / decodePayload', () => {
  it('wraps a payload in 0x0B … 0x1C 0x0D', () => {
    expect([...encodeFrame('MSH|x')]).toEqual([VT, ...Buffer.from('MSH|x'), FS, CR]);
    expect([...encodeFrame(Uint8Array.from([1, 2]))]).toEqual([VT, 1, 2, FS, CR]);
    expect(encodeFrame('£').length).toBe(5); // UTF-8: two bytes
  });

  it('decodes UTF-8, falling back to latin1', () => {
    expect(decodePayload(Buffer.from('PID|1||^^^NHS||MÜLLER£', 'utf8'))).toBe('PID|1||^^^NHS||MÜLLER£');
    expect(decodePayload(Buffer.from([0x4d, 0xdc, 0x4c, 0x4c, 0x45, 0x52]))).toBe('MÜLLER');
  });
});

describe('MllpFramer', () => {
  const one = encodeFrame(ADT_A01);
  const two = encodeFrame('MSH|^~\\&|PAS|RXH01|||20240315||ADT^A08|C2|P|2.4\rPID|1||9434765919^^^NHS^NH');
  const both = Buffer.concat([one, two]);

  it('reads one frame in one chunk', () => {
    const events = big().push(one);
    expect(events).toHaveLength(1);
    expect(frames(events)).toEqual([ADT_A01]);
  });

  it('reads several frames in one chunk', () => {
    const events = big().push(Buffer.concat([one, two, one]));
    expect(frames(events)).toHaveLength(3);
    expect(others(events)).toEqual([]);
  });

  it('reads two frames split at every possible point', () => {
    const expected = [ADT_A01, two.subarray(1, two.length - 2).toString()];
    for (let at = 0; at <= both.length; at++) {
      const events = feed(big(), both.subarray(0, at), both.subarray(at));
      expect(frames(events), `split at ${at}`).toEqual(expected);
      expect(others(events), `split at ${at}`).toEqual([]);
    }
  });

  it('reads frames delivered one byte at a time', () => {
    const framer = big();
    const events: FramerEvent[] = [];
    for (const byte of both) events.push(...framer.push(Uint8Array.of(byte)));
    expect(frames(events)).toHaveLength(2);
    expect(frames(events)[0]).toBe(ADT_A01);
    expect(others(events)).toEqual([]);
  });

  it('handles the split between 0x1C and 0x0D', () => {
    const framer = big();
    expect(feed(framer, [VT, 65, 66, FS])).toEqual([]);
    expect(frames(feed(framer, [CR]))).toEqual(['AB']);
  });

  it('does not alias the caller buffer', () => {
    const chunk = Buffer.from([VT, 65, 66, FS, CR]);
    const [event] = big().push(chunk);
    chunk.fill(0);
    expect(event?.type === 'frame' && event.payload.toString()).toBe('AB');
  });

  it('reports junk between frames once per run', () => {
    const framer = big();
    const junk = Buffer.from('\r\nhello');
    const events = feed(framer, one, junk.subarray(0, 3), junk.subarray(3), two);
    expect(events.map((e) => e.type)).toEqual(['frame', 'junk', 'frame']);
    expect(events[1]).toEqual({ type: 'junk', bytes: 7 });
    expect(framer.pendingJunkBytes).toBe(0);
  });

  it('reports trailing junk and an unfinished frame at end()', () => {
    const framer = big();
    feed(framer, one, [1, 2, 3]);
    expect(framer.pendingJunkBytes).toBe(3);
    expect(framer.end()).toEqual([{ type: 'junk', bytes: 3 }]);
    feed(framer, [VT, 65]);
    expect(framer.inFrame).toBe(true);
    const [event] = framer.end();
    expect(event?.type).toBe('error');
    expect(framer.inFrame).toBe(false);
  });

  it('reports an oversize frame once and discards it to its end', () => {
    const framer = new MllpFramer({ maxFrameBytes: 10 });
    const payload = Buffer.alloc(50, 0x41);
    const wire = Buffer.concat([encodeFrame(payload), encodeFrame('MSH|ok')]);
    const events: FramerEvent[] = [];
    for (let at = 0; at < wire.length; at += 7) events.push(...framer.push(wire.subarray(at, at + 7)));
    expect(events.map((e) => e.type)).toEqual(['oversize', 'frame']);
    expect(events[0]?.type === 'oversize' && events[0].bytes).toBeGreaterThan(10);
    expect(frames(events)).toEqual(['MSH|ok']);
  });

  it('accepts a frame of exactly maxFrameBytes', () => {
    const framer = new MllpFramer({ maxFrameBytes: 10 });
    expect(frames(framer.push(encodeFrame('0123456789')))).toEqual(['0123456789']);
  });

  it('treats 0x1C not followed by 0x0D as a framing error and resynchronises', () => {
    const framer = big();
    const events = feed(framer, [VT, 65, FS, 66, 67], [VT, 68, FS, CR]);
    expect(events.map((e) => e.type)).toEqual(['error', 'junk', 'frame']);
    expect(events[0]?.type === 'error' && events[0].reason).toMatch(/0x1C was followed by 0x42/);
    expect(frames(events)).toEqual(['D']);
  });

  it('a 0x1C followed directly by a new 0x0B starts the next frame', () => {
    const events = big().push(Uint8Array.from([VT, 65, FS, VT, 66, FS, CR]));
    expect(events.map((e) => e.type)).toEqual(['error', 'frame']);
    expect(frames(events)).toEqual(['B']);
  });

  it('treats 0x0B inside a frame as a framing error: the old frame is abandoned, a new one starts', () => {
    const framer = big();
    const events = feed(framer, [VT, 65, 65], [VT, 66, FS, CR]);
    expect(events.map((e) => e.type)).toEqual(['error', 'frame']);
    expect(events[0]?.type === 'error' && events[0].reason).toMatch(/0x0B inside a frame/);
    expect(frames(events)).toEqual(['B']);
  });

  it('reads an empty frame', () => {
    expect(big().push(Uint8Array.from([VT, FS, CR]))).toEqual([{ type: 'frame', payload: Buffer.alloc(0) }]);
  });

  it('rejects a non-positive limit', () => {
    expect(() => new MllpFramer({ maxFrameBytes: 0 })).toThrow(RangeError);
  });
});
