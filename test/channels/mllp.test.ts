import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adt } from '../support/messages.js';
import { startTestEngine, type TestEngine } from '../support/engine.js';
import { frame, RawMllpClient, readAck } from '../support/mllp-raw-client.js';

let t: TestEngine;
const MAX = 16 * 1024;

async function connect(): Promise<RawMllpClient> {
  return RawMllpClient.connect(t.mllpPort);
}

/** After every bad input, a fresh connection must still get AA: the engine keeps serving. */
async function stillServing(id: string): Promise<void> {
  const c = await connect();
  await c.write(frame(adt({ controlId: id, nhsNumber: '9434765870', mrn: `RGT-${id}` })));
  const [ack] = await c.waitFor(1);
  expect(readAck(ack ?? '').code).toBe('AA');
  c.destroy();
}

describe('MLLP channel: real sockets, bad input', () => {
  beforeAll(async () => {
    t = await startTestEngine({ maxFrameBytes: MAX });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers AR with an ERR segment to a message with no MSH, and keeps the connection', async () => {
    const c = await connect();
    await c.write(frame('PID|1||123^^^RGT^MR||SMITH^JOHN\rPV1|1|I'));
    const [ack] = await c.waitFor(1);
    const a = readAck(ack ?? '');
    expect(a.code).toBe('AR');
    expect(a.err).toMatch(/MSH/);
    await c.write(frame(adt({ controlId: 'AFTER-NOMSH' })));
    const acks = await c.waitFor(2);
    expect(readAck(acks[1] ?? '').code).toBe('AA');
    expect(readAck(acks[1] ?? '').controlId).toBe('AFTER-NOMSH');
    c.destroy();
  });

  it('answers AR to bad delimiters, with MSA-2 taken from the message where it can be read', async () => {
    const c = await connect();
    await c.write(frame('MSH|^^\\&|PAS|RGT|JUNCTION|HIE|20261126093000||ADT^A01^ADT_A01|BADDELIM1|P|2.4\rPID|1'));
    const [ack] = await c.waitFor(1);
    const a = readAck(ack ?? '');
    expect(a.code).toBe('AR');
    expect(a.err).toMatch(/delimiter|encoding/i);
    c.destroy();
    await stillServing('AFTER-DELIM');
  });

  it('answers AR (error 200) to a message type no mapping handles', async () => {
    const c = await connect();
    await c.write(frame('MSH|^~\\&|LAB|RGT|JUNCTION|HIE|20261126093000||ORU^R01^ORU_R01|ORU1|P|2.4\rPID|1||123^^^RGT^MR'));
    const a = readAck((await c.waitFor(1))[0] ?? '');
    expect(a.code).toBe('AR');
    expect(a.controlId).toBe('ORU1');
    expect(a.err).toMatch(/200/);
    c.destroy();
  });

  it('uses enhanced acknowledgement codes (CA/CR) when MSH-15 asks for them', async () => {
    const c = await connect();
    await c.write(frame(adt({ controlId: 'ENH1', acceptAck: 'AL', applicationAck: 'NE' })));
    expect(readAck((await c.waitFor(1))[0] ?? '')).toMatchObject({ code: 'CA', controlId: 'ENH1' });
    await c.write(frame('MSH|^~\\&|PAS|RGT|JUNCTION|HIE|20261126093000||ORU^R01^ORU_R01|ENH2|P|2.4|||AL|NE\rPID|1'));
    expect(readAck((await c.waitFor(2))[1] ?? '')).toMatchObject({ code: 'CR', controlId: 'ENH2' });
    c.destroy();
  });

  it('drops a truncated frame when the peer goes away, and keeps serving', async () => {
    const c = await connect();
    const whole = frame(adt({ controlId: 'TRUNC1' }));
    await c.write(whole.subarray(0, Math.floor(whole.length / 2)));
    c.end();
    await c.waitForClose();
    expect(c.received).toHaveLength(0);
    await stillServing('AFTER-TRUNC');
  });

  it('refuses a frame over the size limit with AR and closes the connection', async () => {
    const c = await connect();
    const big = adt({ controlId: 'BIG1' }) + `\rNTE|1||${'X'.repeat(MAX + 10)}`;
    await c.write(frame(big));
    await c.waitForClose();
    expect(c.received).toHaveLength(1);
    const a = readAck(c.received[0] ?? '');
    expect(a.code).toBe('AR');
    expect(a.err).toMatch(/larger than/i);
    await stillServing('AFTER-BIG');
  });

  it('ignores binary junk between frames and answers the frames around it', async () => {
    const c = await connect();
    const junk = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) % 256).filter((b) => b !== 0x0b));
    await c.write(Buffer.concat([junk, frame(adt({ controlId: 'JUNK1' })), junk, frame(adt({ controlId: 'JUNK2' }))]));
    const acks = await c.waitFor(2);
    expect(acks.map((a) => readAck(a))).toMatchObject([{ code: 'AA', controlId: 'JUNK1' }, { code: 'AA', controlId: 'JUNK2' }]);
    c.destroy();
  });

  it('answers AR to binary junk inside a frame', async () => {
    const c = await connect();
    const junk = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 53 + 7) % 256).filter((b) => b !== 0x0b && b !== 0x1c));
    await c.write(frame(junk));
    const a = readAck((await c.waitFor(1))[0] ?? '');
    expect(a.code).toBe('AR');
    c.destroy();
    await stillServing('AFTER-BINARY');
  });

  it('reassembles a message written one byte at a time', async () => {
    const c = await connect();
    await c.writeBytewise(frame(adt({ controlId: 'BYTEWISE1' })));
    const a = readAck((await c.waitFor(1))[0] ?? '');
    expect(a).toMatchObject({ code: 'AA', controlId: 'BYTEWISE1' });
    c.destroy();
  });

  it('answers two messages sent in one write, in order', async () => {
    const c = await connect();
    await c.write(Buffer.concat([frame(adt({ controlId: 'TWO-A' })), frame(adt({ controlId: 'TWO-B' }))]));
    const acks = await c.waitFor(2);
    expect(acks.map((a) => readAck(a).controlId)).toEqual(['TWO-A', 'TWO-B']);
    expect(acks.map((a) => readAck(a).code)).toEqual(['AA', 'AA']);
    c.destroy();
  });

  it('closes a connection on a framing error (end byte without carriage return) after answering', async () => {
    const c = await connect();
    await c.write(Buffer.concat([Buffer.from([0x0b]), Buffer.from(adt({ controlId: 'FRAMEERR' })), Buffer.from([0x1c, 0x41])]));
    await c.waitForClose();
    await stillServing('AFTER-FRAMEERR');
  });

  it('serves many connections at once', async () => {
    const clients = await Promise.all(Array.from({ length: 8 }, () => connect()));
    await Promise.all(clients.map((c, i) => c.write(frame(adt({ controlId: `MANY-${i}`, nhsNumber: '', mrn: `MANY${i}` })))));
    const acks = await Promise.all(clients.map((c) => c.waitFor(1)));
    expect(acks.map((a) => readAck(a[0] ?? ''))).toEqual(
      acks.map((_, i) => expect.objectContaining({ code: 'AA', controlId: `MANY-${i}` })),
    );
    for (const c of clients) c.destroy();
  });
});
