/** The AMQP transport against the Transport conformance suite, on the real RabbitMQ (JUNCTION_TEST_AMQP_URL). */
import { describe, it } from 'vitest';
import { integrationUrl, skippedTitle } from '../support/integration.js';
import { amqpTransportUnderTest } from './support/amqp-factories.js';
import { describeTransportConformance } from './transport.conformance.js';

const url = integrationUrl('JUNCTION_TEST_AMQP_URL', 'AMQP transport conformance');

if (url) describeTransportConformance('amqp, RabbitMQ quorum queues', () => amqpTransportUnderTest(url));
else describe.skip(skippedTitle('JUNCTION_TEST_AMQP_URL', 'AMQP transport conformance'), () => it('needs RabbitMQ', () => undefined));
