/**
 * Builds realistic English NHS ADT messages for tests (segments separated by CR).
 * Defaults describe one inpatient admission at RGT; override what a test cares about.
 */
export interface AdtOptions {
  readonly event?: 'A01' | 'A02' | 'A03' | 'A04' | 'A08' | 'A11' | 'A13' | 'A40';
  /** sending facility (MSH-4) and the MRN's assigning authority (default RGT) */
  readonly organisation?: string;
  /** A40: the retired record's identifiers (MRG-1) */
  readonly merged?: { readonly mrn?: string; readonly nhsNumber?: string };
  readonly controlId?: string;
  readonly nhsNumber?: string;
  readonly mrn?: string;
  readonly family?: string;
  readonly given?: string;
  readonly visitNumber?: string;
  readonly admitted?: string;
  readonly discharged?: string;
  readonly eventTime?: string;
  readonly ward?: string;
  /** MSH-15/16: set them to ask for enhanced acknowledgement (CA/CE/CR) */
  readonly acceptAck?: string;
  readonly applicationAck?: string;
}

const STRUCTURE: Record<string, string> = { A01: 'ADT_A01', A02: 'ADT_A02', A03: 'ADT_A03', A04: 'ADT_A01', A08: 'ADT_A01', A11: 'ADT_A09', A13: 'ADT_A01', A40: 'ADT_A39' };

export function adt(o: AdtOptions = {}): string {
  const event = o.event ?? 'A01';
  const time = o.eventTime ?? '20261126093000';
  const nhs = o.nhsNumber ?? '9434765919';
  const mrn = o.mrn ?? 'RGT1234567';
  const org = o.organisation ?? 'RGT';
  const ids = [nhs ? `${nhs}^^^NHS^NH` : '', `${mrn}^^^${org}^MR`].filter(Boolean).join('~');
  const patientClass = event === 'A04' ? 'O' : 'I';
  return [
    `MSH|^~\\&|PAS|${org}|JUNCTION|HIE|${time}||ADT^${event}^${STRUCTURE[event]}|${o.controlId ?? `MSG${event}0001`}|P|2.4|||${o.acceptAck ?? ''}|${o.applicationAck ?? ''}|GBR||EN`,
    `EVN|${event}|${time}`,
    `PID|1||${ids}||${o.family ?? 'SMITH'}^${o.given ?? 'JOHN'}^PAUL^^MR||19700101|M|||1 HIGH STREET^^CAMBRIDGE^CAMBRIDGESHIRE^CB2 0QQ^GBR^H||01223000000^PRN^PH||||||||||||||||||`,
    `PD1|||CHESTERTON MEDICAL CENTRE^^D81001|G1234567^JONES^SARAH^^^DR`,
    event === 'A40' ? mrg(o, org) : pv1(o, patientClass),
  ].join('\r');
}

/** MRG-1: the retired record's identifiers. */
function mrg(o: AdtOptions, org: string): string {
  const ids = [o.merged?.mrn ? `${o.merged.mrn}^^^${org}^MR` : '', o.merged?.nhsNumber ? `${o.merged.nhsNumber}^^^NHS^NH` : ''];
  return `MRG|${ids.filter(Boolean).join('~')}`;
}

/** PV1 built by field number, so positions cannot drift. */
function pv1(o: AdtOptions, patientClass: string): string {
  const f: string[] = [];
  f[1] = '1';
  f[2] = patientClass;
  f[3] = `${o.ward ?? 'WARD5'}^BAY1^BED2^RGT`;
  f[7] = 'C1234567^BROWN^ALICE^^^DR';
  f[10] = '300'; // treatment function: general surgery
  f[14] = '19'; // admit source: usual place of residence
  f[19] = o.visitNumber ?? 'V000123';
  if (o.discharged) f[36] = '01'; // discharge disposition
  f[44] = o.admitted ?? '20261126090000';
  if (o.discharged) f[45] = o.discharged;
  return `PV1|${Array.from({ length: f.length - 1 }, (_, i) => f[i + 1] ?? '').join('|')}`;
}
