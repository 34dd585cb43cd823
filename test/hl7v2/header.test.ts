import { describe, expect, it } from 'vitest';
import { readHeaderLeniently } from '../../src/hl7v2/index.js';
import { ADT_A01 } from './fixtures/messages.js';

describe('readHeaderLeniently', () => {
  it('reads MSH-3 to MSH-16 of a good message', () => {
    expect(readHeaderLeniently(ADT_A01)).toEqual({
      sendingApplication: 'CERNER_PAS',
      sendingFacility: 'RXH01',
      receivingApplication: 'JUNCTION',
      receivingFacility: 'SHCR',
      dateTime: '20240315143012',
      messageType: { code: 'ADT', event: 'A01', structure: 'ADT_A01' },
      controlId: 'PAS000123456',
      processingId: 'P',
      version: '2.4',
      acceptAckType: 'AL',
      applicationAckType: 'NE',
      delimiters: { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' },
    });
  });

  it('reads the header of messages that fail to parse', () => {
    expect(readHeaderLeniently('MSH|^~\\&|PAS|RXH01|||20240315||ADT^A01||P|2.4')).toMatchObject({
      sendingApplication: 'PAS',
      messageType: { code: 'ADT', event: 'A01' },
      version: '2.4',
    });
    const afterJunk = readHeaderLeniently('garbage line\r\n  MSH|^~\\&|PAS|RXH01|JUNCTION||||ADT^A08|C5\rbad');
    expect(afterJunk).toMatchObject({ sendingApplication: 'PAS', receivingApplication: 'JUNCTION', controlId: 'C5' });
  });

  it('still reads fields when the encoding characters are unusable, but gives no delimiters', () => {
    const header = readHeaderLeniently('MSH|^^\\&|PAS|RXH01|||20240315||ADT^A01|C6|P|2.4');
    expect(header).toMatchObject({ sendingApplication: 'PAS', controlId: 'C6', messageType: { code: 'ADT', event: 'A01' } });
    expect(header.delimiters).toBeUndefined();
  });

  it('returns an empty header when there is no MSH', () => {
    expect(readHeaderLeniently('')).toEqual({});
    expect(readHeaderLeniently('PID|1||9434765919')).toEqual({});
    expect(readHeaderLeniently('MSH')).toEqual({});
    expect(readHeaderLeniently('xMSH|^~\\&|PAS')).toEqual({});
    expect(readHeaderLeniently(undefined as unknown as string)).toEqual({});
  });
});
