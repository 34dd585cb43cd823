import type { Logger } from 'pino';
import { buildAck, ackCodeFor, Hl7ParseError, parseMessage, readHeaderLeniently, toFhirDateTime } from '../hl7v2/index.js';
import type { AckCode, Hl7Header, Hl7Location, Hl7Message } from '../hl7v2/types.js';
import { personKey } from '../mapping/index.js';
import type { MessageSource, RejectedInput } from '../store/types.js';
import type { InboundPayload } from './payloads.js';
import type { JunctionMetrics } from '../observability/metrics.js';
import { countedIntake } from './pipeline-metrics.js';
import type { Transport } from './transport.js';

/** The channel facts intake needs (a subset of the channel config). */
export interface IntakeChannel {
  readonly id: string;
  readonly organisation: { readonly odsCode: string };
}

/** Can this channel's mappings take this message? A reason when not (answered AR, error 200). */
export type MessageSupport = (message: Hl7Message, channelId: string) => string | undefined;

export interface IntakeDeps {
  readonly transport: Transport;
  /** keeps malformed input for inspection */
  readonly rejects: { logRejected(input: RejectedInput): Promise<string> };
  readonly supports: MessageSupport;
  readonly logger: Logger;
  readonly clock?: () => Date;
  /** ACK control ids; default: a per-process counter with a time prefix */
  readonly nextControlId?: () => string;
  /** counts received / acknowledged / failed messages per channel */
  readonly metrics?: JunctionMetrics;
}

export type IntakeOutcome = 'accepted' | 'rejected' | 'unavailable';

export interface IntakeReply {
  readonly outcome: IntakeOutcome;
  readonly code: AckCode;
  /** the ACK message, segments separated by CR */
  readonly ack: string;
}

export interface Intake {
  /** Take one decoded message from a channel; resolves with the ACK to send. Never throws. */
  receive(channel: IntakeChannel, text: string): Promise<IntakeReply>;
}

interface Failure {
  readonly message: string;
  readonly hl7ErrorCode: string;
  readonly location?: Hl7Location;
}

function controlIdFactory(clock: () => Date): () => string {
  let n = 0;
  const prefix = `J${clock().getTime().toString(36).toUpperCase()}`;
  return () => `${prefix}-${(n++).toString(36).toUpperCase()}`;
}

export function senderOf(channelId: string, header: Partial<Hl7Header>): string {
  return `${channelId}|${header.sendingApplication ?? ''}|${header.sendingFacility ?? ''}`;
}

function messageTypeOf(header: Hl7Header): string {
  const t = header.messageType;
  return [t.code, t.event, t.structure].filter((p) => p !== undefined && p !== '').join('^');
}

/** EVN-2, else MSH-7, as a FHIR dateTime when it is a valid HL7 date. */
function eventTimeOf(message: Hl7Message): string | undefined {
  const evn = message.get('EVN-2');
  const candidate = typeof evn === 'string' && evn !== '' ? evn : message.header.dateTime;
  return candidate ? toFhirDateTime(candidate) : undefined;
}

/**
 * Intake: parse just enough, keep malformed input, make the message durable on stage `inbound`,
 * and only then answer AA/CA. Anything that goes wrong becomes AR (the message is wrong) or
 * AE (we cannot take it now; the sender should retry).
 */
export function createIntake(deps: IntakeDeps): Intake {
  const clock = deps.clock ?? (() => new Date());
  const nextControlId = deps.nextControlId ?? controlIdFactory(clock);
  const log = deps.logger;

  function answer(
    outcome: IntakeOutcome,
    kind: 'accept' | 'error' | 'reject',
    header: (Partial<Hl7Header> & { delimiters?: Hl7Message['delimiters'] }) | undefined,
    original: Hl7Message | undefined,
    failure?: Failure,
  ): IntakeReply {
    const enhanced = (original?.header.acceptAckType ?? header?.acceptAckType ?? '') !== '';
    const code = ackCodeFor(enhanced ? 'enhanced' : 'original', kind);
    const ack = buildAck({
      ...(original ? { original } : {}),
      ...(header ? { header } : {}),
      code,
      controlId: nextControlId(),
      now: clock(),
      ...(failure
        ? {
            text: failure.message,
            error: {
              message: failure.message,
              hl7ErrorCode: failure.hl7ErrorCode,
              severity: 'E' as const,
              ...(failure.location ? { location: failure.location } : {}),
            },
          }
        : {}),
    });
    return { outcome, code, ack };
  }

  async function reject(channel: IntakeChannel, text: string, failure: Failure, message?: Hl7Message): Promise<IntakeReply> {
    const header = message ? undefined : readHeaderLeniently(text);
    const h = message?.header ?? header;
    try {
      await deps.rejects.logRejected({
        channelId: channel.id,
        // PostgreSQL text cannot hold NUL: keep those bytes visible as the HL7 hex escape
        raw: text.replaceAll('\u0000', '\\X00\\'),
        receivedAt: clock().toISOString(),
        error: failure.message,
        ...(h?.controlId ? { controlId: h.controlId } : {}),
        ...(h ? { sender: senderOf(channel.id, h) } : {}),
      });
    } catch (err) {
      // Could not keep it: answer AE so the sender keeps it and retries, rather than losing it.
      log.error({ channel: channel.id, err: (err as Error).message }, 'could not record a rejected message');
      return answer('unavailable', 'error', header, message, {
        message: 'The engine cannot accept messages at the moment; please resend later.',
        hl7ErrorCode: '207',
      });
    }
    log.warn({ channel: channel.id, controlId: h?.controlId, reason: failure.message }, 'message rejected');
    return answer('rejected', 'reject', header, message, failure);
  }

  const intake: Intake = {
    async receive(channel, text) {
      try {
        if (text.includes('\u0000')) {
          return await reject(channel, text, {
            message: 'The message contains NUL bytes (binary data). HL7 v2 is text: send binary data escaped (\\Xhh\\) or base64-encoded in an ED field.',
            hl7ErrorCode: '102',
          });
        }
        let message: Hl7Message;
        try {
          message = parseMessage(text);
        } catch (err) {
          if (err instanceof Hl7ParseError) {
            return await reject(channel, text, { message: err.message, hl7ErrorCode: err.hl7ErrorCode, location: err.location });
          }
          throw err;
        }
        const unsupported = deps.supports(message, channel.id);
        if (unsupported !== undefined) {
          return await reject(channel, text, { message: unsupported, hl7ErrorCode: '200', location: { segment: 'MSH', field: 9 } }, message);
        }
        const header = message.header;
        const eventTime = eventTimeOf(message);
        const source: MessageSource = {
          channelId: channel.id,
          sender: senderOf(channel.id, header),
          controlId: header.controlId ?? '',
          messageType: messageTypeOf(header),
          receivedAt: clock().toISOString(),
          ...(eventTime ? { eventTime } : {}),
        };
        const payload: InboundPayload = { source, raw: text };
        try {
          await deps.transport.publish('inbound', personKey(message, channel.organisation.odsCode), payload);
        } catch (err) {
          log.error({ channel: channel.id, controlId: source.controlId, err: (err as Error).message }, 'could not make a message durable');
          return answer('unavailable', 'error', undefined, message, {
            message: 'The engine cannot accept messages at the moment (its store is unavailable); please resend later.',
            hl7ErrorCode: '207',
          });
        }
        log.debug({ channel: channel.id, controlId: source.controlId }, 'message accepted');
        return answer('accepted', 'accept', undefined, message);
      } catch (err) {
        // A bug of ours, not the sender's: answer AE (retry later) and keep serving.
        log.error({ channel: channel.id, err: (err as Error).message }, 'intake failed unexpectedly');
        return answer('unavailable', 'error', readHeaderLeniently(text), undefined, {
          message: 'The engine failed to process this message; please resend later.',
          hl7ErrorCode: '207',
        });
      }
    },
  };
  return deps.metrics ? countedIntake(intake, deps.metrics) : intake;
}
