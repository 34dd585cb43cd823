/**
 * Child process for the kill -9 test: opens the journal in a data directory, publishes (when asked),
 * consumes with a handler that prints each delivery and never finishes, and waits to be killed.
 * Usage: node --import tsx crash-child.ts <dataDir> [publish]
 */
import { createLocalTransport } from '../../../src/pipeline/local-transport.js';
import { openEmbeddedDatabase } from '../../../src/store/pglite-database.js';

const [dataDir, mode] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: crash-child.ts <dataDir> [publish]');
const db = await openEmbeddedDatabase(dataDir);
const transport = await createLocalTransport(db);
if (mode === 'publish') {
  await transport.publish('records', 'k', { n: 1 });
  await transport.publish('records', 'k', { n: 2 });
  process.stdout.write('published\n');
}
transport.consume<{ n: number }>('records', (message) => {
  process.stdout.write(`delivered ${message.payload.n} ${message.attempt}\n`);
  return new Promise<void>(() => undefined);
});
setInterval(() => undefined, 1000); // stay alive until killed
