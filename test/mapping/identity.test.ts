import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/hl7v2/index.js';
import { isValidNhsNumber, personKey } from '../../src/mapping/index.js';

function withPid(pid: string): ReturnType<typeof parseMessage> {
  return parseMessage(`MSH|^~\\&|PAS|RGT|JUNCTION|SHR|20240314093000||ADT^A01^ADT_A01|1|P|2.5\rEVN|A01|20240314093000\r${pid}\r`);
}

describe('isValidNhsNumber', () => {
  it.each(['9434765919', '9434765870', '4010232137', '9000000009'])('accepts %s (modulus 11 check digit right)', (n) => {
    expect(isValidNhsNumber(n)).toBe(true);
  });

  it.each([
    ['9434765918', 'wrong check digit'],
    ['9434765911', 'wrong check digit'],
    ['943476591', 'nine digits'],
    ['94347659190', 'eleven digits'],
    ['943 476 5919', 'spaces (normalise first)'],
    ['94347659A9', 'a letter'],
    ['', 'empty'],
  ])('rejects %s (%s)', (n) => {
    expect(isValidNhsNumber(n)).toBe(false);
  });

  it.each(['0000000000', '1111111111', '2222222222', '5555555555', '9999999999'])('rejects %s (all the same digit)', (n) => {
    expect(isValidNhsNumber(n)).toBe(false);
  });

  it('rejects numbers whose check digit would be 10', () => {
    // weights 10..2 over 000000006 give 12, 11 - (12 % 11) = 10: no valid check digit exists
    for (let d = 0; d <= 9; d++) expect(isValidNhsNumber(`000000006${d}`)).toBe(false);
  });
});

describe('personKey', () => {
  it('uses a valid NHS number marked by assigning authority NHS', () => {
    expect(personKey(withPid('PID|1||RGT1234567^^^RGT^MR~9434765919^^^NHS'), 'RGT')).toBe('nhs:9434765919');
  });

  it('uses a valid NHS number marked by identifier type NH, without spaces', () => {
    expect(personKey(withPid('PID|1||943 476 5919^^^^NH'), 'rgt')).toBe('nhs:9434765919');
  });

  it('uses a valid NHS number marked by the NHS number system in CX-4.2', () => {
    expect(personKey(withPid('PID|1||9434765870^^^&https://fhir.nhs.uk/Id/nhs-number&URI'), 'RGT')).toBe('nhs:9434765870');
  });

  it('does not treat an unmarked 10-digit number as an NHS number', () => {
    expect(personKey(withPid('PID|1||9434765919^^^RGT^MR'), 'RGT')).toBe('local:RGT:9434765919');
  });

  it('falls back to the first local identifier when the NHS number is invalid', () => {
    expect(personKey(withPid('PID|1||9434765918^^^NHS^NH~RGT5550001^^^RGT^MR~X9^^^RGT^PI'), 'RGT')).toBe('local:RGT:RGT5550001');
  });

  it('uses the invalid NHS number itself when it is the only identifier', () => {
    expect(personKey(withPid('PID|1||9434765918^^^NHS^NH'), 'RGT')).toBe('local:RGT:9434765918');
  });

  it('is local:<ODS>:unknown without identifiers or without PID', () => {
    expect(personKey(withPid('PID|1||||SMITH^JOHN'), 'RGT')).toBe('local:RGT:unknown');
    const noPid = parseMessage('MSH|^~\\&|PAS|RGT|JUNCTION|SHR|20240314093000||ADT^A01^ADT_A01|1|P|2.5\rEVN|A01\r');
    expect(personKey(noPid, 'RGT')).toBe('local:RGT:unknown');
  });

  it('partitions the same person from two organisations together only by NHS number', () => {
    const pid = 'PID|1||9434765919^^^NHS^NH~123^^^X^MR';
    expect(personKey(withPid(pid), 'RGT')).toBe(personKey(withPid(pid), 'RGN'));
    const local = 'PID|1||123^^^X^MR';
    expect(personKey(withPid(local), 'RGT')).not.toBe(personKey(withPid(local), 'RGN'));
  });
});
