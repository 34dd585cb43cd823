/** The unmapped report: every segment no rule reads, and every non-empty field no rule reads, with counts. */
import type { Hl7Message } from '../hl7v2/types.js';
import type { UnmappedItem } from './types.js';

export function unmappedItems(message: Hl7Message, reads: ReadonlyMap<string, ReadonlySet<number>>): UnmappedItem[] {
  const counts = new Map<string, number>();
  const count = (path: string): void => {
    counts.set(path, (counts.get(path) ?? 0) + 1);
  };
  for (const seg of message.segments) {
    const fields = reads.get(seg.name);
    if (fields === undefined) {
      count(seg.name);
      continue;
    }
    const n = seg.fieldCount;
    for (let f = 1; f <= n; f++) {
      if (fields.has(f)) continue;
      const raw = seg.rawField(f);
      if (raw !== undefined && raw !== '') count(`${seg.name}-${f}`);
    }
  }
  return [...counts].map(([path, c]) => ({ path, count: c }));
}
