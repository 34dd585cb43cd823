/**
 * Which member (worker process) owns which partition, computed the same way by every member from
 * nothing but the set of live member ids — no coordinator, no shared state.
 *
 * Balanced: every member gets ⌊P/M⌋ or ⌈P/M⌉ partitions. Sticky: it is rendezvous hashing under those
 * quotas — each (partition, member) pair has a pseudo-random score, and pairs are granted best score
 * first while the member has room — so when a member joins or leaves, most partitions keep their owner
 * (plain `p mod M` over sorted ids would move almost all of them).
 */
import { fnv1a32 } from './partition.js';

/** murmur3's finaliser: spreads FNV's weak low-bit mixing over all 32 bits */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function assignmentScore(memberId: string, partition: number): number {
  return mix32(fnv1a32(`${memberId}#${partition}`));
}

/**
 * The owner of every partition (index = partition), or an empty list when there are no members.
 * Depends only on the set of ids (not their order or duplicates).
 */
export function assignPartitions(partitions: number, memberIds: readonly string[]): string[] {
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`partitions must be a whole number ≥ 1, got ${String(partitions)}`);
  const members = [...new Set(memberIds)].sort();
  if (members.length === 0) return [];
  const base = Math.floor(partitions / members.length);
  const extra = partitions % members.length;
  const pairs: { member: number; partition: number; score: number }[] = [];
  members.forEach((id, member) => {
    for (let partition = 0; partition < partitions; partition++) pairs.push({ member, partition, score: assignmentScore(id, partition) });
  });
  // best score first; ties (rare) broken by member and partition so every process agrees
  pairs.sort((a, b) => b.score - a.score || a.member - b.member || a.partition - b.partition);
  const owner: (string | undefined)[] = new Array<string | undefined>(partitions).fill(undefined);
  const held = new Array<number>(members.length).fill(0);
  let atCeiling = 0;
  for (const { member, partition } of pairs) {
    if (owner[partition] !== undefined) continue;
    const count = held[member]!;
    const room = count < base || (count === base && atCeiling < extra);
    if (!room) continue;
    owner[partition] = members[member];
    held[member] = count + 1;
    if (count + 1 === base + 1) atCeiling++;
  }
  // total room is exactly `partitions`, and a member's room only shrinks, so every partition has an owner
  return owner.map((id, partition) => {
    if (id === undefined) throw new Error(`partition ${partition} left without an owner (assignment bug)`);
    return id;
  });
}

/** The partitions `memberId` owns among `memberIds`, ascending. */
export function partitionsOwnedBy(memberId: string, partitions: number, memberIds: readonly string[]): number[] {
  const owners = assignPartitions(partitions, memberIds);
  const mine: number[] = [];
  owners.forEach((owner, partition) => owner === memberId && mine.push(partition));
  return mine;
}
