import { readMessages, sendMessages } from './send.js';

export async function runSend(files: string[], options: { host: string; port: number; timeout: number }): Promise<void> {
  let failures = 0;
  try {
    const messages = readMessages(files);
    for await (const report of sendMessages(messages, { host: options.host, port: options.port, timeoutMs: options.timeout })) {
      process.stdout.write(`${report.file} (MSH-10 ${report.controlId ?? '?'}) → ${report.code ?? 'no MSA'}\n${report.ack.replace(/\r/g, '\n').trimEnd()}\n\n`);
      if (report.code !== 'AA' && report.code !== 'CA') failures++;
    }
  } catch (err) {
    process.stderr.write(`junction send: ${(err as Error).message}\n`);
    process.exit(1);
  }
  if (failures > 0) {
    process.stderr.write(`junction send: ${failures} message(s) were not accepted (see the ERR segments above)\n`);
    process.exitCode = 3;
  }
  // node-hl7-client leaves reconnect timers behind after close; the command is done, so leave.
  process.exit();
}
