import { describe, expect, it } from 'vitest';
import { parseMessage, splitBatch } from '../../src/hl7v2/index.js';
import { ADT_A01 } from './fixtures/messages.js';

const m1 = 'MSH|^~\\&|PAS|RXH01|||20240315||ADT^A01|C1|P|2.4\rPID|1||9434765919^^^NHS^NH';
const m2 = 'MSH|^~\\&|PAS|RXH01|||20240315||ADT^A08|C2|P|2.4\rPID|1||9434765919^^^NHS^NH\rPV1|1|I';
const m3 = 'MSH|^~\\&|PAS|RXH01|||20240315||ADT^A03|C3|P|2.4\rPID|1||4010232137^^^NHS^NH';

describe('splitBatch', () => {
  it('returns a text with no batch header as one message, unchanged', () => {
    expect(splitBatch(ADT_A01)).toEqual([ADT_A01]);
    expect(splitBatch(`${m1}\r${m2}`)).toEqual([`${m1}\r${m2}`]);
  });

  it('splits a file batch into its messages in order', () => {
    const text = ['FHS|^~\\&|PAS|RXH01', 'BHS|^~\\&|PAS|RXH01', m1, m2, m3, 'BTS|3', 'FTS|1', ''].join('\r');
    const messages = splitBatch(text);
    expect(messages).toEqual([m1, m2, m3]);
    expect(messages.map((m) => parseMessage(m).header.controlId)).toEqual(['C1', 'C2', 'C3']);
  });

  it('accepts a batch without FHS, LF or CRLF separators and blank lines', () => {
    const crlf = ['BHS|^~\\&|PAS', m1, '', m2, 'BTS|2'].join('\r\n').replaceAll('\r', '\r\n').replaceAll('\r\n\n', '\r\n');
    expect(splitBatch(crlf)).toEqual([m1, m2]);
    const lf = ['\uFEFFBHS|^~\\&|PAS', m1, m3, 'BTS|2'].join('\n').replaceAll('\r', '\n');
    expect(splitBatch(lf)).toEqual([m1, m3]);
  });

  it('handles several batches in one file and an empty batch', () => {
    const text = ['FHS|^~\\&', 'BHS|^~\\&', m1, 'BTS|1', 'BHS|^~\\&', 'BTS|0', 'BHS|^~\\&', m2, 'BTS|1', 'FTS|2'].join('\r');
    expect(splitBatch(text)).toEqual([m1, m2]);
  });

  it('keeps stray lines before the first MSH as their own (unparseable) message', () => {
    const messages = splitBatch(['BHS|^~\\&', 'XYZ|1', m1, 'BTS|1'].join('\r'));
    expect(messages).toEqual(['XYZ|1', m1]);
    expect(() => parseMessage(messages[0] ?? '')).toThrow(/must start with an MSH segment/);
  });
});
