import { describe, expect, it } from 'vitest';
import { ackCodeFor, ackModeOf, buildAck, parseMessage, readHeaderLeniently } from '../../src/hl7v2/index.js';
import { ADT_A01, lines } from './fixtures/messages.js';

const now = new Date('2024-07-01T09:08:07.123Z');

function segmentsOf(ack: string): string[][] {
  expect(ack).not.toMatch(/\n/);
  return ack.split('\r').map((s) => s.split('|'));
}

describe('buildAck', () => {
  it('answers a parsed message with its sender and receiver swapped whole', () => {
    const original = parseMessage(
      lines(
        'MSH|^~\\&|PAS^1.2.3^ISO|RXH01^RXH^L|JUNCTION^J^L|SHCR^S^L|20240315143012||ADT^A01^ADT_A01|PAS000123456|T^A|2.5.1^GBR',
        'PID|1||9434765919^^^NHS^NH',
      ),
    );
    const ack = buildAck({ original, code: 'AA', controlId: 'ACK0001', now });
    const [msh, msa, ...rest] = segmentsOf(ack);
    expect(rest).toEqual([]);
    expect(msh).toEqual([
      'MSH',
      '^~\\&',
      'JUNCTION^J^L',
      'SHCR^S^L',
      'PAS^1.2.3^ISO',
      'RXH01^RXH^L',
      '20240701090807+0000',
      '',
      'ACK^A01^ACK',
      'ACK0001',
      'T^A',
      '2.5.1^GBR',
    ]);
    expect(msa).toEqual(['MSA', 'AA', 'PAS000123456']);
    // the ACK itself parses and answers the right message
    const parsed = parseMessage(ack);
    expect(parsed.header.messageType).toEqual({ code: 'ACK', event: 'A01', structure: 'ACK' });
    expect(parsed.get('MSA-2')).toBe('PAS000123456');
  });

  it('keeps the delimiters of the original', () => {
    const original = parseMessage('MSH#:*!$#PAS#RXH01#JUNCTION#SHCR#20240315##ADT:A08#C9#P#2.4');
    const ack = buildAck({ original, code: 'AE', controlId: 'A1', now, text: 'bad # and : here' });
    expect(ack.split('\r')[0]).toBe('MSH#:*!$#JUNCTION#SHCR#PAS#RXH01#20240701090807+0000##ACK:A08:ACK#A1#P#2.4');
    expect(ack.split('\r')[1]).toBe('MSA#AE#C9#bad !F! and !S! here');
    expect(parseMessage(ack).get('MSA-3')).toBe('bad # and : here');
  });

  it('defaults processing id and version, and works from a leniently read header', () => {
    const header = readHeaderLeniently('MSH|^~\\&|PAS|RXH01|JUNCTION|SHCR|20240315||ADT^A01|C77\rPID|1\rbad segment');
    const ack = buildAck({ header, code: 'AR', controlId: 'R1', now, error: { message: 'segment 3 is not a segment', hl7ErrorCode: '100' } });
    const [msh, msa, err] = segmentsOf(ack);
    expect(msh?.slice(2, 6)).toEqual(['JUNCTION', 'SHCR', 'PAS', 'RXH01']);
    expect(msh?.slice(8)).toEqual(['ACK^A01^ACK', 'R1', 'P', '2.4']);
    expect(msa).toEqual(['MSA', 'AR', 'C77']);
    expect(err?.[0]).toBe('ERR');
  });

  it('answers with no header at all (nothing could be read)', () => {
    const ack = buildAck({ code: 'AR', controlId: 'R2', now, error: { message: 'not HL7' } });
    const [msh, msa, err] = segmentsOf(ack);
    expect(msh).toEqual(['MSH', '^~\\&', '', '', '', '', '20240701090807+0000', '', 'ACK^^ACK', 'R2', 'P', '2.4']);
    expect(msa).toEqual(['MSA', 'AR', '']);
    expect(err?.[3]).toBe('207^Application internal error^HL70357');
    expect(err?.[4]).toBe('E');
  });

  it('writes an ERR segment with location, code, severity and an escaped user message', () => {
    const original = parseMessage(ADT_A01);
    const ack = buildAck({
      original,
      code: 'AE',
      controlId: 'E1',
      now,
      text: 'PID-3 must hold an NHS number | MRN',
      error: {
        location: { segment: 'PID', segmentIndex: 1, field: 3, component: 1 },
        hl7ErrorCode: '101',
        severity: 'E',
        message: 'PID-3 is empty: send the NHS number as 9434765919^^^NHS^NH & retry\nthanks',
      },
    });
    const [, msa, err] = segmentsOf(ack);
    expect(msa).toEqual(['MSA', 'AE', 'PAS000123456', 'PID-3 must hold an NHS number \\F\\ MRN']);
    expect(err).toEqual([
      'ERR',
      'PID^1^3^101&Required field missing&HL70357',
      'PID^1^3^^1',
      '101^Required field missing^HL70357',
      'E',
      '',
      '',
      '',
      'PID-3 is empty: send the NHS number as 9434765919\\S\\\\S\\\\S\\NHS\\S\\NH \\T\\ retry\\.br\\thanks',
    ]);
    const parsed = parseMessage(ack);
    expect(parsed.get('ERR-8')).toBe('PID-3 is empty: send the NHS number as 9434765919^^^NHS^NH & retry\nthanks');
    expect(parsed.get('ERR-2.1')).toBe('PID');
    expect(parsed.get('ERR-2.5')).toBe('1');
    expect(parsed.get('ERR-3.1')).toBe('101');
    expect(parsed.get('ERR-1.4.1')).toBe('101');
  });

  it('writes a warning with only part of a location', () => {
    const ack = buildAck({
      original: parseMessage(ADT_A01),
      code: 'AA',
      controlId: 'W1',
      now,
      error: { location: { segment: 'ZU1' }, severity: 'W', hl7ErrorCode: '207', message: 'ZU1 was ignored' },
    });
    const err = ack.split('\r')[2]?.split('|');
    expect(err?.[1]).toBe('ZU1^^^207&Application internal error&HL70357');
    expect(err?.[2]).toBe('ZU1');
    expect(err?.[4]).toBe('W');
  });

  it('escapes a control id and event with delimiters in them', () => {
    const ack = buildAck({ header: { messageType: { code: 'ADT', event: 'A^1' } }, code: 'AA', controlId: 'X|1', now });
    const msh = parseMessage(ack);
    expect(msh.header.controlId).toBe('X|1');
    expect(msh.get('MSH-9.2')).toBe('A^1');
  });
});

describe('ackCodeFor / ackModeOf', () => {
  it('maps outcomes to original and enhanced codes', () => {
    expect(ackCodeFor('original', 'accept')).toBe('AA');
    expect(ackCodeFor('original', 'error')).toBe('AE');
    expect(ackCodeFor('original', 'reject')).toBe('AR');
    expect(ackCodeFor('enhanced', 'accept')).toBe('CA');
    expect(ackCodeFor('enhanced', 'error')).toBe('CE');
    expect(ackCodeFor('enhanced', 'reject')).toBe('CR');
  });

  it('uses enhanced mode when MSH-15 is present', () => {
    expect(ackModeOf(parseMessage(ADT_A01).header)).toBe('enhanced');
    expect(ackModeOf(parseMessage('MSH|^~\\&|A|B|||2024||ADT^A01|1|P|2.4').header)).toBe('original');
    expect(ackModeOf(undefined)).toBe('original');
  });
});
