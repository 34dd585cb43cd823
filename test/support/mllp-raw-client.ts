import { connect, type Socket } from 'node:net';

const SB = 0x0b;
const EB = 0x1c;
const CR = 0x0d;

/** Wrap a payload in an MLLP frame, byte by byte, independently of the engine's own framer. */
export function frame(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([Buffer.from([SB]), body, Buffer.from([EB, CR])]);
}

/**
 * A deliberately simple MLLP peer for tests: writes whatever bytes it is told to (so tests can send
 * broken frames), and collects the frames it receives and whether the server closed the connection.
 */
export class RawMllpClient {
  readonly received: string[] = [];
  closed = false;
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const start = this.buffer.indexOf(SB);
        const end = this.buffer.indexOf(EB, start + 1);
        if (start < 0 || end < 0 || end + 1 >= this.buffer.length) break;
        this.received.push(this.buffer.subarray(start + 1, end).toString('utf8'));
        this.buffer = this.buffer.subarray(end + 2);
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawMllpClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => resolve(new RawMllpClient(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async write(bytes: Buffer | string): Promise<void> {
    await new Promise<void>((resolve, reject) => this.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  /** write each byte separately, letting the event loop turn between writes */
  async writeBytewise(bytes: Buffer): Promise<void> {
    for (const b of bytes) {
      await this.write(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
  }

  /** wait until `count` ACK frames have arrived (or the connection closed), up to timeoutMs */
  async waitFor(count: number, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${count} ACK(s); got ${this.received.length}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.received.slice(0, count);
  }

  async waitForClose(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for the server to close the connection');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** half-close our side (the server sees the end of the stream) */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** MSA-1 and MSA-2 of an ACK, and the ERR segment if any. */
export function readAck(ack: string): { code: string | undefined; controlId: string | undefined; err: string | undefined; segments: string[] } {
  const segments = ack.split('\r').filter((s) => s !== '');
  const msa = segments.find((s) => s.startsWith('MSA|'))?.split('|');
  return { code: msa?.[1], controlId: msa?.[2], err: segments.find((s) => s.startsWith('ERR|')), segments };
}
