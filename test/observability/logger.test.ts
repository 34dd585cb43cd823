import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('redacts patient identifiers, names and raw messages at any of the first levels', async () => {
    const { lines, destination } = capture();
    const log = createLogger({ destination, level: 'info' });
    log.info(
      {
        raw: 'MSH|^~\\&|PAS|RGT|...PID|||9434765919^^^NHS^NH||SMITH^JOHN',
        nhsNumber: '9434765919',
        message: { key: 'nhs:9434765919', patient: { name: 'SMITH' } },
        deep: { inner: { birthDate: '1970-01-01' } },
        controlId: 'MSG0001',
      },
      'accepted',
    );
    const out = lines.join('');
    expect(out).not.toMatch(/9434765919/);
    expect(out).not.toMatch(/SMITH/);
    expect(out).not.toMatch(/1970-01-01/);
    expect(out).toMatch(/MSG0001/);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ raw: '[redacted]', nhsNumber: '[redacted]', msg: 'accepted', service: 'junction' });
  });
});
