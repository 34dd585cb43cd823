import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { buildAck, decodePayload, encodeFrame, MllpFramer } from '../hl7v2/index.js';
import type { Intake, IntakeChannel } from '../pipeline/intake.js';

export interface MllpChannelOptions {
  readonly channel: IntakeChannel;
  readonly host: string;
  readonly port: number;
  readonly maxFrameBytes: number;
  readonly idleTimeoutMs: number;
  readonly intake: Intake;
  readonly logger: Logger;
  readonly clock?: () => Date;
}

export interface MllpChannel {
  /** the port actually bound (useful when 0 was asked for) */
  readonly port: number;
  readonly connections: () => number;
  /** stop accepting, let answers in flight finish, then close every connection */
  close(): Promise<void>;
}

let refusalCounter = 0;

/**
 * One TCP listener for one channel. Each connection has its own framer (a byte state machine, so
 * frames may be split across reads or share one) and answers its messages strictly in order. The ACK
 * is written only after intake made the message durable. Oversized frames and framing errors get an
 * AR where one can be sent, then the connection is closed; nothing a peer sends can crash the engine.
 */
export async function startMllpChannel(options: MllpChannelOptions): Promise<MllpChannel> {
  const { channel, intake, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const log = logger.child({ channel: channel.id, transport: 'mllp' });
  const sockets = new Set<Socket>();
  const pending = new Set<Promise<void>>();
  let closing = false;

  function refuse(socket: Socket, reason: string, hl7ErrorCode: string): void {
    const ack = buildAck({
      code: 'AR',
      controlId: `JREFUSE-${++refusalCounter}`,
      now: clock(),
      text: reason,
      error: { message: reason, hl7ErrorCode, severity: 'E' },
    });
    socket.end(encodeFrame(ack));
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  function onConnection(socket: Socket): void {
    if (closing) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    const framer = new MllpFramer({ maxFrameBytes: options.maxFrameBytes });
    let queue: Promise<void> = Promise.resolve();
    let broken = false;
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs, () => {
      log.info('closing an idle MLLP connection');
      socket.destroy();
    });
    socket.on('error', (err) => log.debug({ err: err.message }, 'MLLP connection error'));
    socket.on('close', () => sockets.delete(socket));

    const handleFrame = (payload: Buffer): void => {
      const task = queue.then(async () => {
        if (socket.destroyed) return;
        const reply = await intake.receive(channel, decodePayload(payload));
        if (!socket.destroyed) socket.write(encodeFrame(reply.ack));
      });
      queue = task.catch((err: unknown) => {
        log.error({ err: (err as Error).message }, 'answering an MLLP frame failed');
        socket.destroy();
      });
      const tracked = queue.finally(() => pending.delete(tracked));
      pending.add(tracked);
    };

    socket.on('data', (chunk: Buffer) => {
      if (broken) return;
      let events;
      try {
        events = framer.push(chunk);
      } catch (err) {
        log.error({ err: (err as Error).message }, 'MLLP framer failed');
        broken = true;
        socket.destroy();
        return;
      }
      for (const event of events) {
        if (broken) break;
        switch (event.type) {
          case 'frame':
            handleFrame(event.payload);
            break;
          case 'junk':
            log.warn({ bytes: event.bytes }, 'ignored bytes outside an MLLP frame');
            break;
          case 'oversize':
            broken = true;
            log.warn({ limit: options.maxFrameBytes }, 'MLLP frame over the size limit; refusing and closing');
            // answer after the messages before it have been answered, then close
            void queue.then(() =>
              refuse(
                socket,
                `Message larger than this channel accepts (${options.maxFrameBytes} bytes). Split it or raise source.maxFrameBytes for channel ${channel.id}.`,
                '100',
              ),
            );
            break;
          case 'error':
            broken = true;
            log.warn({ reason: event.reason }, 'MLLP framing error; refusing and closing');
            void queue.then(() => refuse(socket, `MLLP framing error: ${event.reason}`, '100'));
            break;
        }
      }
    });
  }

  const server: Server = createServer(onConnection);
  server.on('error', (err) => log.error({ err: err.message }, 'MLLP listener error'));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `MLLP port ${options.port} on ${options.host} is already in use (channel ${channel.id}); stop the other process or choose another port (JUNCTION_MLLP_PORT or source.port in junction.yaml)`
            : `cannot listen for MLLP on ${options.host}:${options.port} (channel ${channel.id}): ${err.message}`,
        ),
      );
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  log.info({ host: options.host, port }, 'MLLP channel listening');

  return {
    port,
    connections: () => sockets.size,
    async close() {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...pending]);
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
