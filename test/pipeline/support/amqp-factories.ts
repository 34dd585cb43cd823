/** Factories that build AMQP transports on the real RabbitMQ of JUNCTION_TEST_AMQP_URL, each on its own queue prefix. */
import { randomUUID } from 'node:crypto';
import { createAmqpTransport, type AmqpTransport, type AmqpTransportOptions } from '../../../src/pipeline/amqp-transport.js';
import type { TransportUnderTest } from '../transport.conformance.js';

/** a queue prefix no other test run uses */
export function uniquePrefix(what: string): string {
  return `junction-test.${what}.${randomUUID().slice(0, 8)}`;
}

export type AmqpOptions = Omit<AmqpTransportOptions, 'url' | 'queuePrefix'>;

/** quick: fast reconnects, and members that find each other (and notice one gone) in a fraction of the defaults */
export const TEST_AMQP_OPTIONS: AmqpOptions = {
  reconnect: { minMs: 20, maxMs: 200 },
  membership: { heartbeatMs: 200, timeoutMs: 1_500, settleMs: 300 },
};

export interface AmqpUnderTest extends TransportUnderTest {
  readonly transport: AmqpTransport;
  readonly prefix: string;
  /** another transport (another process) on the same queues */
  sibling(options?: AmqpOptions): Promise<AmqpTransport>;
}

/**
 * reopen() abandons the newest transport (its connection is cut, its handlers never finish) and opens
 * a new one on the same queues. cleanup() closes every transport still open and deletes the queues.
 */
export async function amqpTransportUnderTest(url: string, options: AmqpOptions = TEST_AMQP_OPTIONS): Promise<AmqpUnderTest> {
  const prefix = uniquePrefix('conformance');
  const open: AmqpTransport[] = [];
  const make = async (extra: AmqpOptions = {}): Promise<AmqpTransport> => {
    const transport = await createAmqpTransport({ url, queuePrefix: prefix, ...options, ...extra });
    open.push(transport);
    return transport;
  };
  let transport = await make();
  return {
    transport,
    prefix,
    sibling: (extra) => make(extra),
    async reopen() {
      transport.abandon();
      open.splice(open.indexOf(transport), 1);
      transport = await make();
      return transport;
    },
    async cleanup() {
      for (const t of open) await t.close();
      const janitor = await createAmqpTransport({ url, queuePrefix: prefix, ...options });
      try {
        await janitor.deleteQueues();
      } finally {
        await janitor.close();
      }
    },
  };
}
