import { Command, Option } from 'commander';
import { runMap } from './map.js';
import { runReplay } from './replay.js';
import { runSend } from './send-command.js';
import { runStart } from './start.js';
import { runTest } from './test.js';
import { runValidate } from './validate.js';

const program = new Command()
  .name('junction')
  .description('Junction: HL7v2 ADT feeds and GP records into a shared FHIR R4 care record.')
  .showHelpAfterError('(run junction --help for usage)');

program
  .command('start')
  .description('Start the engine: MLLP channels, pipeline workers and the FHIR API, on embedded storage by default.')
  .addHelpText(
    'after',
    '\nEnvironment: JUNCTION_CONFIG (junction.yaml), JUNCTION_HOST (127.0.0.1), JUNCTION_HTTP_PORT (8080),\n' +
      'JUNCTION_MLLP_PORT (first MLLP channel, 2575), JUNCTION_DATA_DIR (./data), JUNCTION_LOG_LEVEL (info).',
  )
  .action(runStart);

program
  .command('map')
  .description('Map an input file to FHIR and print the Bundle and what was not mapped (no engine needed).')
  .argument('<file>', 'an HL7v2 message (.hl7, CR or LF between segments), a GP Connect record (.json) or a GP CSV extract (.csv)')
  .option('-c, --channel <id>', 'channel whose organisation and mapping overlays to use (default: the first in junction.yaml)')
  .option('--unmapped', 'print only the report of what was not mapped')
  .option('--explain', 'for each output element: the mapping file:line, template and rule that made it, and the message place it read')
  .option('--json', 'with --explain: print JSON ({ elements: [{ path, value, where, rule, input }], unmapped, warnings })')
  .action(runMap);

program
  .command('send')
  .description('Send HL7v2 message files to a Junction (or any MLLP) listener, one at a time, and print each ACK.')
  .argument('<files...>', 'message files; a file may hold one message or an FHS/BHS batch')
  .option('-H, --host <host>', 'listener host', process.env.JUNCTION_HOST ?? '127.0.0.1')
  .addOption(new Option('-p, --port <port>', 'listener port').default(Number(process.env.JUNCTION_MLLP_PORT ?? 2575)).argParser(parsePort))
  .addOption(new Option('--timeout <ms>', 'how long to wait for each ACK').default(10_000).argParser(parsePositive))
  .action(runSend);

program
  .command('replay')
  .description('Resend parked pipeline messages to the end of their stage (RabbitMQ with JUNCTION_AMQP_URL, else the journal).')
  .option('--parked', 'resend every parked message')
  .option('--stage <stage>', 'only this stage: inbound, records or changed')
  .action(runReplay);

program
  .command('test')
  .description('Run every golden fixture (input mapped, compared with <name>.expected.json) and the rule checks over its bundles.')
  .argument('[filter]', 'only fixtures whose path (relative to the fixtures folder) contains this text')
  .option('--fixtures <dir>', 'the fixtures folder (default: fixtures/ beside junction.yaml)')
  .option('-c, --channel <id>', 'map every fixture as this channel of junction.yaml (default: the channel each folder\'s fixtures.yaml names)')
  .option('--update', 'rewrite the expected files of fixtures whose output changed and create missing ones; refuses outputs that fail the rule checks')
  .addHelpText(
    'after',
    '\nRule checks: valid FHIR R4 (base StructureDefinitions, required bindings), unique ids, PUT Type/id entries,\n' +
      'references resolve within the bundle, no empty elements. Exit code 1 when any fixture fails. See fixtures/README.md.',
  )
  .action(runTest);

program
  .command('validate')
  .description('Check junction.yaml and every mapping file; print each problem with file:line and how to fix it.')
  .action(runValidate);

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--port must be a number from 1 to 65535, not "${value}"`);
  return n;
}
function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive whole number, not "${value}"`);
  return n;
}

await program.parseAsync(process.argv);
