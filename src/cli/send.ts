import { readFileSync } from 'node:fs';
import { Client, Message, type InboundResponse } from 'node-hl7-client';
import { splitBatch } from '../hl7v2/index.js';

export interface SendOptions {
  readonly host: string;
  readonly port: number;
  /** how long to wait for each ACK */
  readonly timeoutMs: number;
}

export interface SendReport {
  readonly file: string;
  readonly controlId: string | undefined;
  readonly ack: string;
  readonly code: string | undefined;
}

/** Read HL7 messages from files: one message per file, or an FHS/BHS batch; LF line ends become CR. */
export function readMessages(files: readonly string[]): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    for (const m of splitBatch(text.replace(/\r\n|\n/g, '\r'))) {
      const trimmed = m.replace(/\r+$/, '');
      if (trimmed !== '') out.push({ file, text: trimmed });
    }
  }
  if (out.length === 0) throw new Error(`no HL7 message found in ${files.join(', ')}`);
  return out;
}

function field(segment: string, n: number): string | undefined {
  return segment.split('|')[n];
}

/**
 * Send messages over MLLP with node-hl7-client, one at a time: each send waits for its ACK before
 * the next (the client misbehaves when sends overlap). Yields a report per message.
 */
export async function* sendMessages(messages: readonly { file: string; text: string }[], options: SendOptions): AsyncGenerator<SendReport> {
  let waiting: ((ack: string) => void) | undefined;
  let failed: ((err: Error) => void) | undefined;
  const client = new Client({ host: options.host, connectionTimeout: 0, maxConnectionAttempts: 3, retryLow: 200, retryHigh: 1000 });
  const connection = client.createConnection({ port: options.port, waitAck: true }, async (res: InboundResponse) => {
    const ack = res.getMessage().toString();
    waiting?.(ack);
  });
  connection.on('client.error', (err: unknown) => failed?.(new Error(`MLLP connection to ${options.host}:${options.port} failed: ${String((err as Error)?.message ?? err)}`)));
  try {
    for (const m of messages) {
      const ackText = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ACK within ${options.timeoutMs} ms from ${options.host}:${options.port}; is Junction running there?`)),
          options.timeoutMs,
        );
        waiting = (ack) => {
          clearTimeout(timer);
          resolve(ack);
        };
        failed = (err) => {
          clearTimeout(timer);
          reject(err);
        };
        connection.sendMessage(new Message({ text: m.text })).catch((err: Error) => failed?.(err));
      });
      const segments = ackText.split(/\r\n|\r|\n/);
      const msa = segments.find((s) => s.startsWith('MSA')) ?? '';
      // MSH split on | puts MSH-10 at index 9 (MSH-1 is the separator itself)
      yield { file: m.file, controlId: field(m.text.split('\r')[0] ?? '', 9), ack: ackText, code: field(msa, 1) };
    }
  } finally {
    await connection.close().catch(() => undefined);
    client.closeAll();
  }
}
