import { pino, type Logger, type DestinationStream } from 'pino';

/**
 * Keys that can carry patient identifiers or names. Whatever object is logged, these are censored
 * at any of the first three levels of nesting. Code must not put PHI in messages either: log
 * control ids, channel ids and counts, never names, NHS numbers, dates of birth or raw HL7.
 */
const PHI_KEYS = [
  'raw',
  'hl7',
  'payload',
  'body',
  'bundle',
  'resource',
  'patient',
  'patientKey',
  'key',
  'nhsNumber',
  'identifier',
  'name',
  'family',
  'given',
  'birthDate',
  'dob',
  'address',
  'telecom',
  'postcode',
];

export const REDACT_PATHS: string[] = PHI_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export interface LoggerOptions {
  readonly level?: string;
  readonly name?: string;
  /** tests pass a stream to capture output */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  // the service name goes in `service`: a top-level `name` would be censored like a patient's name
  const settings = {
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid, service: options.name ?? 'junction' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

export type { Logger };
