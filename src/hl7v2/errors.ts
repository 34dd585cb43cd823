import type { Hl7Location } from './types.js';

/**
 * HL7 table 0357 (message error condition codes) — the subset this parser reports.
 * Used as ERR-3.1 when a message is rejected.
 */
export const Hl7ErrorCodes = {
  segmentSequence: '100',
  requiredFieldMissing: '101',
  dataType: '102',
  tableValueNotFound: '103',
  unsupportedMessageType: '200',
  unsupportedEventCode: '201',
  unsupportedProcessingId: '202',
  unsupportedVersionId: '203',
  unknownKeyIdentifier: '204',
  duplicateKeyIdentifier: '205',
  applicationRecordLocked: '206',
  applicationInternalError: '207',
} as const;

export type Hl7ErrorCode = (typeof Hl7ErrorCodes)[keyof typeof Hl7ErrorCodes];

/** Thrown when a message cannot be parsed. `message` says what is wrong, where and how to fix it. */
export class Hl7ParseError extends Error {
  override readonly name = 'Hl7ParseError';
  /** HL7 table 0357 code for ERR-3 */
  readonly hl7ErrorCode: Hl7ErrorCode;
  /** where the problem is, for ERR-2 */
  readonly location: Hl7Location;

  constructor(message: string, hl7ErrorCode: Hl7ErrorCode, location: Hl7Location) {
    super(message);
    this.hl7ErrorCode = hl7ErrorCode;
    this.location = location;
  }
}

/** Thrown for a malformed path such as `PID5` given to `get` / `compilePath` (a programming or mapping error). */
export class Hl7PathError extends Error {
  override readonly name = 'Hl7PathError';
  readonly path: string;

  constructor(path: string, reason: string) {
    super(
      `invalid HL7 path ${JSON.stringify(path)}: ${reason}. ` +
        'Write SEG-field[.component[.subcomponent]], e.g. PID-5.1, PID-3[2].1, OBX[2]-5',
    );
    this.path = path;
  }
}
