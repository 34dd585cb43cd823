import { bytesToText } from './text.js';

/** MLLP start block (VT) */
export const MLLP_START = 0x0b;
/** MLLP end block (FS) */
export const MLLP_END = 0x1c;
/** carriage return that must follow the end block */
export const MLLP_CR = 0x0d;

export type FramerEvent =
  | { type: 'frame'; payload: Buffer }
  /** bytes outside any frame, reported once per run (when the next frame starts, or at end()) */
  | { type: 'junk'; bytes: number }
  /** the frame being read passed maxFrameBytes; the rest of it is discarded */
  | { type: 'oversize'; bytes: number }
  | { type: 'error'; reason: string };

export interface MllpFramerOptions {
  /** largest payload accepted, in bytes (framing bytes not counted) */
  readonly maxFrameBytes: number;
}

type State = 'outside' | 'inside' | 'afterEnd';

/**
 * MLLP framing as a byte state machine, independent of how the bytes arrive:
 * a frame may be split across any number of chunks and a chunk may hold many frames.
 *
 * outside  — waiting for 0x0B; other bytes are junk.
 * inside   — collecting payload until 0x1C; a 0x0B here abandons the frame (error) and starts a new one.
 * afterEnd — 0x1C seen; 0x0D completes the frame. Anything else abandons it (error) and the byte is
 *            read again as outside a frame, so the framer resynchronises on the next 0x0B.
 */
export class MllpFramer {
  private readonly maxFrameBytes: number;
  private state: State = 'outside';
  private parts: Buffer[] = [];
  private size = 0;
  private oversize = false;
  private junk = 0;

  constructor(options: MllpFramerOptions) {
    if (!(options.maxFrameBytes > 0)) throw new RangeError('maxFrameBytes must be a positive number of bytes');
    this.maxFrameBytes = options.maxFrameBytes;
  }

  /** junk bytes seen since the last frame started and not yet reported (a sender not using MLLP shows here) */
  get pendingJunkBytes(): number {
    return this.junk;
  }

  /** true while a frame has started and not ended */
  get inFrame(): boolean {
    return this.state !== 'outside';
  }

  push(chunk: Uint8Array): FramerEvent[] {
    const events: FramerEvent[] = [];
    const len = chunk.length;
    let i = 0;
    while (i < len) {
      if (this.state === 'outside') {
        const start = chunk.indexOf(MLLP_START, i);
        if (start === -1) {
          this.junk += len - i;
          break;
        }
        this.junk += start - i;
        this.reportJunk(events);
        this.beginFrame();
        i = start + 1;
      } else if (this.state === 'inside') {
        i = this.readPayload(chunk, i, events);
      } else {
        // afterEnd
        if (chunk[i] === MLLP_CR) {
          this.finishFrame(events);
          i++;
        } else {
          events.push({
            type: 'error',
            reason:
              `frame end block 0x1C was followed by 0x${hex(chunk[i] as number)} instead of 0x0D: ` +
              `frame of ${this.size} bytes discarded; the sender must end each frame with 0x1C 0x0D`,
          });
          this.resetFrame();
          this.state = 'outside'; // the byte is read again as outside a frame
        }
      }
    }
    return events;
  }

  /** Call when the stream ends: reports trailing junk or an unfinished frame, and resets. */
  end(): FramerEvent[] {
    const events: FramerEvent[] = [];
    this.reportJunk(events);
    if (this.state !== 'outside') {
      events.push({
        type: 'error',
        reason: `stream ended inside a frame after ${this.size} bytes: the frame was not finished with 0x1C 0x0D`,
      });
    }
    this.resetFrame();
    this.state = 'outside';
    return events;
  }

  /** Copy payload bytes up to the next 0x0B or 0x1C; returns the index of the next byte to read. */
  private readPayload(chunk: Uint8Array, from: number, events: FramerEvent[]): number {
    const len = chunk.length;
    const endAt = chunk.indexOf(MLLP_END, from);
    const limit = endAt === -1 ? len : endAt;
    const restartAt = chunk.indexOf(MLLP_START, from);
    if (restartAt !== -1 && restartAt < limit) {
      this.append(chunk, from, restartAt, events);
      events.push({
        type: 'error',
        reason:
          `start block 0x0B inside a frame: the previous frame (${this.size} bytes) was never ended with 0x1C 0x0D ` +
          'and is discarded; a new frame starts',
      });
      this.beginFrame();
      return restartAt + 1;
    }
    this.append(chunk, from, limit, events);
    if (endAt === -1) return len;
    this.state = 'afterEnd';
    return endAt + 1;
  }

  private append(chunk: Uint8Array, from: number, to: number, events: FramerEvent[]): void {
    const count = to - from;
    if (count === 0) return;
    this.size += count;
    if (this.oversize) return;
    if (this.size > this.maxFrameBytes) {
      this.oversize = true;
      this.parts = [];
      events.push({ type: 'oversize', bytes: this.size });
      return;
    }
    // copy: the caller may reuse its chunk buffer
    this.parts.push(Buffer.from(chunk.subarray(from, to)));
  }

  private beginFrame(): void {
    this.resetFrame();
    this.state = 'inside';
  }

  private finishFrame(events: FramerEvent[]): void {
    if (!this.oversize) {
      const payload = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size);
      events.push({ type: 'frame', payload });
    }
    this.resetFrame();
    this.state = 'outside';
  }

  private resetFrame(): void {
    this.parts = [];
    this.size = 0;
    this.oversize = false;
  }

  private reportJunk(events: FramerEvent[]): void {
    if (this.junk > 0) {
      events.push({ type: 'junk', bytes: this.junk });
      this.junk = 0;
    }
  }
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

/** Wrap a payload in MLLP framing: 0x0B payload 0x1C 0x0D. Text is sent as UTF-8. */
export function encodeFrame(payload: string | Uint8Array): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const frame = Buffer.allocUnsafe(body.length + 3);
  frame[0] = MLLP_START;
  frame.set(body, 1);
  frame[body.length + 1] = MLLP_END;
  frame[body.length + 2] = MLLP_CR;
  return frame;
}

/** Frame payload → text: UTF-8, or latin1 when the bytes are not valid UTF-8. */
export function decodePayload(buf: Buffer): string {
  return bytesToText(buf);
}
