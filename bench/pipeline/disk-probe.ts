/**
 * How long the disk takes to make a small append durable (write + fdatasync of 4 KB, as a write-ahead
 * log does): the floor under RabbitMQ's publisher confirm and PostgreSQL's commit when they share this
 * disk. Measured before the load starts, in `dir`.
 */
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export async function fdatasyncLatencies(dir: string, count = 200): Promise<number[]> {
  const path = join(dir, 'fsync-probe');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 0x41);
  const latencies: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      writeSync(fd, block);
      const started = performance.now();
      fdatasyncSync(fd);
      latencies.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  return latencies;
}
