/**
 * The RabbitMQ topology of the AMQP transport, declared idempotently at start and after every
 * reconnect. Messages go through the default exchange straight to their queue:
 *
 *   <prefix>.<stage>.<p>      p = 0 … partitions − 1: durable quorum queues with a single active consumer
 *   <prefix>.<stage>.parked   durable quorum queue of parked messages
 *   <prefix>.members          fanout exchange of the consuming members' heartbeats (amqp-membership.ts);
 *                             each member binds its own exclusive, auto-delete queue to it
 */
import type { Channel } from 'amqplib';
import { STAGES } from './journal-queries.js';
import type { StageName } from './transport.js';

export interface TopologyNames {
  readonly prefix: string;
  readonly partitions: number;
}

const QUEUE_NAME = /^[A-Za-z0-9_.:-]{1,200}$/;

export function assertQueuePrefix(prefix: string): void {
  if (!QUEUE_NAME.test(prefix)) {
    throw new RangeError(`queuePrefix "${prefix}" may only contain letters, digits and . _ : - (at most 200 characters)`);
  }
}

export function partitionQueue(names: TopologyNames, stage: StageName, partition: number): string {
  return `${names.prefix}.${stage}.${partition}`;
}

export function parkedQueue(names: TopologyNames, stage: StageName): string {
  return `${names.prefix}.${stage}.parked`;
}

export function membersExchange(names: TopologyNames): string {
  return `${names.prefix}.members`;
}

export function partitionQueues(names: TopologyNames, stage: StageName): string[] {
  return Array.from({ length: names.partitions }, (_, p) => partitionQueue(names, stage, p));
}

export function allQueues(names: TopologyNames): string[] {
  return STAGES.flatMap((stage) => [...partitionQueues(names, stage), parkedQueue(names, stage)]);
}

const PARTITION_ARGUMENTS = { 'x-queue-type': 'quorum', 'x-single-active-consumer': true } as const;
const PARKED_ARGUMENTS = { 'x-queue-type': 'quorum' } as const;

/**
 * Declare every queue (a no-op for queues that exist with the same arguments). A queue that exists
 * with other arguments makes RabbitMQ close the channel with PRECONDITION_FAILED; the error says which.
 */
export async function declareTopology(channel: Channel, names: TopologyNames): Promise<void> {
  for (const stage of STAGES) {
    for (const queue of partitionQueues(names, stage)) await declare(channel, queue, PARTITION_ARGUMENTS);
    await declare(channel, parkedQueue(names, stage), PARKED_ARGUMENTS);
  }
  // durable and never auto-deleted: a heartbeat published to a missing exchange would kill its channel
  await channel.assertExchange(membersExchange(names), 'fanout', { durable: true, autoDelete: false });
}

async function declare(channel: Channel, queue: string, args: Record<string, unknown>): Promise<void> {
  try {
    await channel.assertQueue(queue, { durable: true, arguments: args });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw new Error(
      `cannot declare RabbitMQ queue "${queue}" (durable, ${JSON.stringify(args)}): ${text}. ` +
        'If the queue exists with other settings (for example as a classic queue, or from a different partition count), ' +
        'drain and delete it, or choose another queuePrefix.',
    );
  }
}

/** Delete every queue and the members exchange of the topology (tests and tear-down); returns how many messages they held. */
export async function deleteTopology(channel: Channel, names: TopologyNames): Promise<number> {
  let messages = 0;
  for (const queue of allQueues(names)) messages += (await channel.deleteQueue(queue)).messageCount;
  await channel.deleteExchange(membersExchange(names));
  return messages;
}
