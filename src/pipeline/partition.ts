/**
 * Which partition a key belongs to. The hash is FNV-1a (32 bit) over the key's UTF-8 bytes: stable
 * across processes, platforms and releases, so every publisher and consumer agrees on the partition.
 * Never change it while queues hold messages: one key's messages would be split over two partitions.
 */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/** The partition (0 … partitions − 1) of a key. */
export function partitionOf(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new RangeError(`partitions must be a whole number of at least 1, got ${String(partitions)}`);
  }
  return fnv1a32(key) % partitions;
}

/**
 * A short, one-way label for a key, for operators' screens and logs: a patient key can contain an
 * NHS number, so it is never shown as is. Equal keys give equal labels.
 */
export function keyHash(key: string): string {
  return fnv1a32(`junction-key:${key}`).toString(16).padStart(8, '0');
}
