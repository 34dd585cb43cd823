/**
 * How a stage message travels in RabbitMQ: the payload as JSON in the body, everything else in
 * headers. The key travels in a header (never in a routing key or log line: it may hold an NHS number).
 */
import type { ConsumeMessage, Options } from 'amqplib';
import type { ParkedMessage, StageMessage, StageName } from './transport.js';

export const HEADER = {
  id: 'x-junction-id',
  key: 'x-junction-key',
  publishedAt: 'x-junction-published-at',
  reason: 'x-junction-reason',
  attempt: 'x-junction-attempt',
  partition: 'x-junction-partition',
  parkedAt: 'x-junction-parked-at',
  sequence: 'x-junction-seq',
} as const;

let lastSequence = 0;

/** increasing within this process: orders messages published in the same millisecond */
export function nextSequence(): number {
  lastSequence = (lastSequence + 1) % Number.MAX_SAFE_INTEGER;
  return lastSequence;
}

export function publishSequence(message: ConsumeMessage): number {
  return numberHeader(message, HEADER.sequence) ?? 0;
}

export interface Envelope {
  readonly id: string;
  readonly key: string;
  readonly publishedAt: Date;
}

export function encodePayload(payload: unknown): Buffer {
  return Buffer.from(JSON.stringify(payload ?? null), 'utf8');
}

export function publishOptions(envelope: Envelope, extraHeaders: Record<string, unknown> = {}): Options.Publish {
  return {
    persistent: true,
    contentType: 'application/json',
    messageId: envelope.id,
    timestamp: Math.floor(envelope.publishedAt.getTime() / 1000),
    headers: {
      [HEADER.id]: envelope.id,
      [HEADER.key]: envelope.key,
      [HEADER.publishedAt]: envelope.publishedAt.toISOString(),
      [HEADER.sequence]: nextSequence(),
      ...extraHeaders,
    },
  };
}

function header(message: ConsumeMessage, name: string): unknown {
  return (message.properties.headers as Record<string, unknown> | undefined)?.[name];
}

function stringHeader(message: ConsumeMessage, name: string): string | undefined {
  const value = header(message, name);
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

function numberHeader(message: ConsumeMessage, name: string): number | undefined {
  const value = header(message, name);
  const n = typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function dateHeader(message: ConsumeMessage, name: string): Date | undefined {
  const text = stringHeader(message, name);
  const date = text === undefined ? undefined : new Date(text);
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/**
 * How many times the broker handed this message out before: quorum queues count returns in
 * `x-delivery-count` (RabbitMQ 3.x) or `x-acquired-count` (4.x); other queues only flag `redelivered`.
 */
export function previousDeliveries(message: ConsumeMessage): number {
  const counted = Math.max(numberHeader(message, 'x-delivery-count') ?? 0, numberHeader(message, 'x-acquired-count') ?? 0);
  return counted > 0 ? counted : message.fields.redelivered ? 1 : 0;
}

export class UndecodableMessageError extends Error {
  override readonly name = 'UndecodableMessageError';
}

/** A delivery as the handler sees it; `attempt` counts earlier broker deliveries (crashes) too. */
export function decodeStageMessage(stage: StageName, message: ConsumeMessage): StageMessage {
  const id = stringHeader(message, HEADER.id) ?? message.properties.messageId;
  const key = stringHeader(message, HEADER.key);
  if (typeof id !== 'string' || id === '' || key === undefined) {
    throw new UndecodableMessageError(`message on stage ${stage} has no ${HEADER.id} or ${HEADER.key} header (not published by Junction)`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(message.content.toString('utf8'));
  } catch (error) {
    throw new UndecodableMessageError(`message ${id} on stage ${stage}: body is not JSON (${(error as Error).message})`);
  }
  return {
    id,
    stage,
    key,
    payload,
    attempt: 1 + previousDeliveries(message),
    publishedAt: dateHeader(message, HEADER.publishedAt) ?? new Date(Number(message.properties.timestamp ?? 0) * 1000),
  };
}

export function parkHeaders(reason: string, attempt: number, partition: number, parkedAt: Date): Record<string, unknown> {
  return {
    [HEADER.reason]: reason,
    [HEADER.attempt]: attempt,
    [HEADER.partition]: partition,
    [HEADER.parkedAt]: parkedAt.toISOString(),
  };
}

export function decodeParkedMessage(stage: StageName, message: ConsumeMessage): ParkedMessage & { readonly partition?: number } {
  let base: StageMessage;
  try {
    base = decodeStageMessage(stage, message);
  } catch {
    // keep even a message we cannot read listed, so it can be seen and resent or purged
    base = {
      id: message.properties.messageId ?? `undecodable-${message.fields.deliveryTag}`,
      stage,
      key: stringHeader(message, HEADER.key) ?? '',
      payload: message.content.toString('utf8'),
      attempt: 0,
      publishedAt: new Date(0),
    };
  }
  const partition = numberHeader(message, HEADER.partition);
  return {
    ...base,
    attempt: numberHeader(message, HEADER.attempt) ?? base.attempt,
    reason: stringHeader(message, HEADER.reason) ?? '',
    parkedAt: dateHeader(message, HEADER.parkedAt) ?? base.publishedAt,
    ...(partition === undefined ? {} : { partition }),
  };
}
