/**
 * The load side of the pipeline bench: MLLP connections as a hospital system uses them — one message
 * at a time per connection, the next only after the ACK of the last — either flat out or on an
 * open-loop schedule fixed in advance. Latency is taken when the ACK's last byte is read.
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

const SB = 0x0b;
const EB = 0x1c;

/** One MLLP connection that answers `send` with the ACK text and the time it arrived. */
export class MllpConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (ack: { text: string; at: number }) => void; reject: (e: Error) => void } | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      const at = performance.now();
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      const start = this.buffer.indexOf(SB);
      const end = this.buffer.indexOf(EB, start + 1);
      if (start < 0 || end < 0 || end + 1 >= this.buffer.length) return;
      const text = this.buffer.subarray(start + 1, end).toString('utf8');
      this.buffer = this.buffer.subarray(end + 2);
      const w = this.waiting;
      this.waiting = undefined;
      w?.resolve({ text, at });
    });
    const fail = (why: string) => {
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(new Error(why));
    };
    socket.on('close', () => fail('the engine closed the MLLP connection'));
    socket.on('error', (e) => fail(e.message));
  }

  static open(port: number): Promise<MllpConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(new MllpConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Write one framed message; resolves with its ACK (one message in flight per connection). */
  send(frame: Buffer): { written: number; ack: Promise<{ text: string; at: number }> } {
    if (this.waiting) throw new Error('one message at a time per connection');
    const ack = new Promise<{ text: string; at: number }>((resolve, reject) => (this.waiting = { resolve, reject }));
    const written = performance.now();
    this.socket.write(frame);
    return { written, ack };
  }

  close(): void {
    this.socket.destroy();
  }
}

export function frame(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(body.length + 3);
  out[0] = SB;
  body.copy(out, 1);
  out[body.length + 1] = EB;
  out[body.length + 2] = 0x0d;
  return out;
}

/** MSA-1 of an ACK. */
export function ackCode(ack: string): string | undefined {
  const at = ack.indexOf('\rMSA|');
  return at < 0 ? undefined : ack.slice(at + 5, at + 7);
}

export interface Sent {
  /** global sequence number of the message in its phase */
  readonly seq: number;
  /** when it was due (fixed rate) or written (flat out), ms (performance.now) */
  readonly due: number;
  readonly written: number;
  readonly ackAt: number;
  readonly code: string | undefined;
}

export interface PhaseResult {
  readonly sent: Sent[];
  readonly startedAt: number;
  readonly endedAt: number;
}

/** Flat out: every connection sends its next message as soon as the last one's ACK arrives, for `seconds`. */
export async function flatOut(
  connections: readonly MllpConnection[],
  seconds: number,
  message: (seq: number) => string,
  onAck?: (s: Sent) => void,
): Promise<PhaseResult> {
  const sent: Sent[] = [];
  let seq = 0;
  const startedAt = performance.now();
  const until = startedAt + seconds * 1000;
  await Promise.all(
    connections.map(async (c) => {
      while (performance.now() < until) {
        const n = seq++;
        const { written, ack } = c.send(frame(message(n)));
        const { text, at } = await ack;
        const s: Sent = { seq: n, due: written, written, ackAt: at, code: ackCode(text) };
        sent.push(s);
        onAck?.(s);
      }
    }),
  );
  return { sent, startedAt, endedAt: performance.now() };
}

/**
 * Open loop at `rate` messages/s for `seconds`: message k is due at start + k/rate, on connection
 * k mod n. A connection still waiting for an earlier ACK sends late, and the wait counts: latency is
 * measured from the due time (no coordinated omission).
 */
export async function fixedRate(
  connections: readonly MllpConnection[],
  rate: number,
  seconds: number,
  message: (seq: number) => string,
  onAck?: (s: Sent) => void,
): Promise<PhaseResult> {
  const sent: Sent[] = [];
  const total = Math.round(rate * seconds);
  const n = connections.length;
  const startedAt = performance.now() + 20;
  const dueOf = (k: number) => startedAt + (k * 1000) / rate;
  await Promise.all(
    connections.map(async (c, i) => {
      for (let k = i; k < total; k += n) {
        const due = dueOf(k);
        // timers run on the event loop's millisecond clock and may fire a little early: never send before due
        for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) {
          await new Promise((r) => setTimeout(r, Math.ceil(wait)));
        }
        const { written, ack } = c.send(frame(message(k)));
        const { text, at } = await ack;
        const s: Sent = { seq: k, due, written, ackAt: at, code: ackCode(text) };
        sent.push(s);
        onAck?.(s);
      }
    }),
  );
  return { sent, startedAt, endedAt: performance.now() };
}
