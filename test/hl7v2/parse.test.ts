import { describe, expect, it } from 'vitest';
import { Hl7ParseError, Hl7PathError, parseMessage } from '../../src/hl7v2/index.js';
import { ADT_A01, lines } from './fixtures/messages.js';

function parseError(text: string): Hl7ParseError {
  try {
    parseMessage(text);
  } catch (err) {
    if (err instanceof Hl7ParseError) return err;
    throw err;
  }
  throw new Error('expected parseMessage to throw');
}

describe('parseMessage: header and paths', () => {
  const m = parseMessage(ADT_A01);

  it('reads the MSH header', () => {
    expect(m.header).toMatchObject({
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
    });
    expect(m.delimiters).toEqual({ field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' });
  });

  it('numbers MSH fields as HL7 does', () => {
    expect(m.get('MSH-1')).toBe('|');
    expect(m.get('MSH-2')).toBe('^~\\&');
    expect(m.get('MSH-3')).toBe('CERNER_PAS');
    expect(m.get('MSH-9.3')).toBe('ADT_A01');
    const msh = m.segments[0];
    expect(msh?.name).toBe('MSH');
    expect(msh?.rawField(2)).toBe('^~\\&');
    expect(msh?.field(2)?.componentCount).toBe(1);
    expect(msh?.fieldCount).toBe(19);
  });

  it('reads fields, components, repetitions and subcomponents by path', () => {
    expect(m.get('PID-3')).toBe('9434765919');
    expect(m.get('PID-3.4')).toBe('NHS');
    expect(m.get('PID-3[1].5')).toBe('NH');
    expect(m.get('PID-3[2].1')).toBe('RXH1234567');
    expect(m.get('PID-3[2].5')).toBe('MR');
    expect(m.get('PID-3[3].1')).toBeUndefined();
    expect(m.get('PID-5.1')).toBe('SMITH');
    expect(m.get('PID-5[2].2')).toBe('JACK');
    expect(m.get('PID-11.5')).toBe('BN1 1AA');
    expect(m.get('PV1-3.2')).toBe('WARD 7A');
    expect(m.get('PV1-44')).toBe('20240315142500');
    expect(m.get('ZU1-4.2')).toBe('Royal Example Hospital');
  });

  it('returns undefined for empty or absent values, never an empty string', () => {
    expect(m.get('PID-2')).toBeUndefined();
    expect(m.get('PID-5.4')).toBeUndefined();
    expect(m.get('PID-99')).toBeUndefined();
    expect(m.get('PID-5.1.2')).toBeUndefined();
    expect(m.get('OBX-5')).toBeUndefined();
    expect(m.get('PID[2]-3')).toBeUndefined();
  });

  it('exposes segments in order with 1-based indexes', () => {
    expect(m.segments.map((s) => s.name)).toEqual(['MSH', 'EVN', 'PID', 'PD1', 'NK1', 'PV1', 'PV2', 'AL1', 'DG1', 'ZU1']);
    expect(m.segments.map((s) => s.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(m.segment('PV1')?.index).toBe(6);
    expect(m.segment('OBX')).toBeUndefined();
    expect(m.segment('PID')?.raw.startsWith('PID|1||9434765919^^^NHS^NH~')).toBe(true);
  });

  it('gives repetitions and field objects', () => {
    const pid = m.segment('PID');
    const ids = pid?.repetitions(3) ?? [];
    expect(ids.map((f) => f.value(1))).toEqual(['9434765919', 'RXH1234567']);
    expect(ids[0]?.raw).toBe('9434765919^^^NHS^NH');
    expect(ids[0]?.componentCount).toBe(5);
    expect(ids[0]?.value(4)).toBe('NHS');
    expect(pid?.repetitions(2)).toEqual([]);
    expect(pid?.field(3, 2)?.value(1)).toBe('RXH1234567');
    expect(pid?.field(3, 3)).toBeUndefined();
    expect(pid?.value(3, 1, 1, 2)).toBe('RXH1234567');
    expect(pid?.rawField(8)).toBe('M');
  });

  it('selects the nth segment of a name', () => {
    const msg = parseMessage(
      lines(
        'MSH|^~\\&|LAB|RXH01|JUNCTION|SHCR|20240315143012||ORU^R01^ORU_R01|L1|P|2.4',
        'PID|1||9434765919^^^NHS^NH',
        'OBX|1|NM|8867-4^Heart rate^LN||72|/min',
        'OBX|2|NM|8480-6^Systolic BP^LN||128|mm[Hg]',
        'OBX|3|ST|NOTE^Note^L||see&nbsp; attached',
      ),
    );
    expect(msg.get('OBX-5')).toBe('72');
    expect(msg.get('OBX[2]-5')).toBe('128');
    expect(msg.get('OBX[2]-3.2')).toBe('Systolic BP');
    expect(msg.get('OBX[3]-5.1.2')).toBe('nbsp; attached');
    expect(msg.get('OBX[3]-5.2')).toBeUndefined();
    expect(msg.get('OBX[4]-5')).toBeUndefined();
    expect(msg.segmentsNamed('OBX').map((s) => s.value(1))).toEqual(['1', '2', '3']);
    const obx3 = msg.segmentsNamed('OBX')[2];
    expect(obx3?.field(5)?.subcomponentCount(1)).toBe(2);
  });

  it('rejects malformed paths with Hl7PathError', () => {
    const m2 = parseMessage(ADT_A01);
    for (const bad of ['PID', 'PID5', 'pid-5', 'PID-0', 'PID-5.', 'PID-5.1.2.3', 'PID-3[0]', 'PID-3[x]', 'OBX[-5']) {
      expect(() => m2.get(bad), bad).toThrow(Hl7PathError);
    }
  });
});

describe('parseMessage: HL7 null and escapes', () => {
  const m = parseMessage(
    lines(
      'MSH|^~\\&|PAS|RXH01|JUNCTION|SHCR|20240315143012||ADT^A08^ADT_A01|PAS2|P|2.4',
      'PID|1||9434765919^^^NHS^NH||O\\T\\BRIEN^MARY\\S\\ANNE||""|""^x|||1 HIGH ST\\F\\FLAT 2',
      'NTE|1||Line one\\.br\\Line two \\H\\bold\\N\\ C:\\temp',
    ),
  );

  it('returns null for the HL7 null "" and undefined for empty', () => {
    expect(m.get('PID-7')).toBeNull();
    expect(m.get('PID-7.2')).toBeNull();
    expect(m.get('PID-8')).toBeNull();
    expect(m.get('PID-8.2')).toBe('x');
    expect(m.get('PID-9')).toBeUndefined();
    expect(m.segment('PID')?.rawField(7)).toBe('""');
    expect(m.segment('PID')?.field(7)?.raw).toBe('""');
    expect(m.segment('PID')?.field(7)?.value()).toBeNull();
  });

  it('decodes escapes in values but not in raw accessors', () => {
    expect(m.get('PID-5.1')).toBe('O&BRIEN');
    expect(m.get('PID-5.2')).toBe('MARY^ANNE');
    expect(m.get('PID-11')).toBe('1 HIGH ST|FLAT 2');
    expect(m.segment('PID')?.rawField(5)).toBe('O\\T\\BRIEN^MARY\\S\\ANNE');
    expect(m.get('NTE-3')).toBe('Line one\nLine two bold C:\\temp');
  });
});

describe('parseMessage: delimiters and line endings', () => {
  it('uses the delimiters the message declares', () => {
    const m = parseMessage(
      'MSH#:*!$#PAS#RXH01#JUNCTION#SHCR#20240315143012##ADT:A01:ADT_A01#C1#P#2.4\r' +
        'PID#1##9434765919:::NHS:NH*X1:::RXH01:MR##SMITH!S!JONES:ANN##19800101\r',
    );
    expect(m.delimiters).toEqual({ field: '#', component: ':', repetition: '*', escape: '!', subcomponent: '$' });
    expect(m.get('MSH-1')).toBe('#');
    expect(m.get('MSH-2')).toBe(':*!$');
    expect(m.header.messageType).toEqual({ code: 'ADT', event: 'A01', structure: 'ADT_A01' });
    expect(m.get('PID-3[2].1')).toBe('X1');
    expect(m.get('PID-5.1')).toBe('SMITH:JONES');
    expect(m.get('PID-5.2')).toBe('ANN');
  });

  it('accepts the v2.7 truncation character', () => {
    const m = parseMessage('MSH|^~\\&#|PAS|RXH01|||20240315||ADT^A01|C1|P|2.7\rPID|1||A\\P\\B');
    expect(m.delimiters.truncation).toBe('#');
    expect(m.get('PID-3')).toBe('A#B');
  });

  it.each([
    ['CR', '\r'],
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('splits segments on %s', (_name, sep) => {
    const text = ADT_A01.split('\r').join(sep);
    const m = parseMessage(text);
    expect(m.segments).toHaveLength(10);
    expect(m.get('PV1-44')).toBe('20240315142500');
    expect(m.get('ZU1-4.2')).toBe('Royal Example Hospital');
  });

  it('tolerates a BOM, leading whitespace, blank lines and a trailing separator', () => {
    const m = parseMessage('\uFEFF \r\nMSH|^~\\&|PAS|RXH01|||20240315||ADT^A01|C1|P|2.4\r\n\r\n  \r\nPID|1||9434765919^^^NHS^NH\r\n\r\n');
    expect(m.segments.map((s) => s.name)).toEqual(['MSH', 'PID']);
    expect(m.segment('PID')?.index).toBe(2);
    expect(m.get('PID-3')).toBe('9434765919');
  });

  it('accepts a segment with no fields', () => {
    const m = parseMessage('MSH|^~\\&|PAS|RXH01|||20240315||ADT^A01|C1|P|2.4\rZZZ\rPID|1');
    expect(m.segment('ZZZ')?.fieldCount).toBe(0);
    expect(m.get('ZZZ-1')).toBeUndefined();
    expect(m.get('PID-1')).toBe('1');
  });
});

describe('parseMessage: errors', () => {
  it('rejects empty input', () => {
    for (const text of ['', '   ', '\r\n\r\n', '\uFEFF']) {
      const err = parseError(text);
      expect(err.hl7ErrorCode).toBe('100');
      expect(err.message).toMatch(/empty/);
    }
  });

  it('rejects a message that does not start with MSH', () => {
    const err = parseError('PID|1||9434765919\rMSH|^~\\&|A');
    expect(err.hl7ErrorCode).toBe('100');
    expect(err.location).toEqual({ segment: 'MSH', segmentIndex: 1 });
    expect(err.message).toMatch(/must start with an MSH segment/);
    expect(parseError('FHS|^~\\&|A\rBHS|^~\\&\rMSH|^~\\&|A').message).toMatch(/batch/);
  });

  it.each([
    ['MSH', /no field separator/],
    ['MSH|^~\\|A', /4 encoding characters/],
    ['MSH|^~\\&#!|A', /at most 5/],
    ['MSH|^^\\&|A', /used twice/],
    ['MSH|^~\\||A', /4 encoding characters/],
    ['MSH|^~A&|A', /letters or digits/],
    ['MSHA^~\\&A', /letters or digits/],
    ['MSH|^~\r\\&|A', /4 encoding characters/],
  ])('rejects bad delimiters in %j', (text, pattern) => {
    const err = parseError(text);
    expect(err.message).toMatch(pattern);
    expect(err.location.segment).toBe('MSH');
    expect(['102']).toContain(err.hl7ErrorCode);
  });

  it('requires MSH-9 and MSH-10', () => {
    const noType = parseError('MSH|^~\\&|PAS|RXH01|||20240315|||C1|P|2.4');
    expect(noType.hl7ErrorCode).toBe('101');
    expect(noType.location).toMatchObject({ segment: 'MSH', field: 9 });
    expect(noType.message).toMatch(/MSH-9/);
    const nullType = parseError('MSH|^~\\&|PAS|RXH01|||20240315||""|C1|P|2.4');
    expect(nullType.location.field).toBe(9);
    const noId = parseError('MSH|^~\\&|PAS|RXH01|||20240315||ADT^A01||P|2.4');
    expect(noId.hl7ErrorCode).toBe('101');
    expect(noId.location).toMatchObject({ segment: 'MSH', field: 10 });
    expect(noId.message).toMatch(/MSH-10/);
    expect(parseError('MSH|^~\\&|PAS').location.field).toBe(9);
  });

  it('rejects segment names that are not 3 upper-case letters or digits', () => {
    for (const bad of ['pid|1', 'PI|1', 'PIDX|1', 'P-D|1', 'continued text of a note']) {
      const err = parseError(`MSH|^~\\&|PAS|RXH01|||20240315||ADT^A01|C1|P|2.4\rPID|1\r${bad}`);
      expect(err.hl7ErrorCode).toBe('100');
      expect(err.location).toEqual({ segmentIndex: 3 });
      expect(err.message).toMatch(/segment 3 \(after PID\)/);
    }
  });

  it('rejects a second MSH (two messages sent as one)', () => {
    const err = parseError('MSH|^~\\&|PAS|RXH01|||20240315||ADT^A01|C1|P|2.4\rPID|1\rMSH|^~\\&|PAS|RXH01|||20240315||ADT^A08|C2|P|2.4');
    expect(err.hl7ErrorCode).toBe('100');
    expect(err.location).toEqual({ segment: 'MSH', segmentIndex: 3 });
    expect(err.message).toMatch(/second MSH.*batch/);
  });

  it('does not echo more than the first three characters of a bad line', () => {
    const err = parseError('MSH|^~\\&|PAS|RXH01|||20240315||ADT^A01|C1|P|2.4\rsmith john 9434765919');
    expect(err.message).toContain('"smi"');
    expect(err.message).not.toContain('9434765919');
  });
});

describe('parseMessage: emptiness without copying', () => {
  const m = parseMessage(lines('MSH|^~\\&|A|B|||20240101||ADT^A01|1|P|2.5', 'PID|1||""||X~~""||M|'));
  const pid = m.segment('PID');
  const msh = m.segment('MSH');

  it('isFieldEmpty agrees with rawField for every field, absent ones included', () => {
    for (const seg of [pid, msh]) {
      if (seg === undefined) throw new Error('segment missing');
      for (let n = 0; n <= seg.fieldCount + 2; n++) {
        const raw = seg.rawField(n);
        expect(seg.isFieldEmpty(n), `${seg.name}-${n}`).toBe(raw === undefined || raw === '');
      }
    }
  });

  it('a repetition says whether it is empty or the HL7 null', () => {
    const reps = pid?.repetitions(5) ?? [];
    expect(reps.map((r) => [r.raw, r.isEmpty, r.isNull])).toEqual([
      ['X', false, false],
      ['', true, false],
      ['""', false, true],
    ]);
    expect(pid?.field(3)?.isNull).toBe(true);
    expect(msh?.field(1)?.isEmpty).toBe(false);
    expect(msh?.field(2)?.isNull).toBe(false);
  });
});
