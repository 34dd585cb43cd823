/** The partition assignment every worker computes on its own from the live member ids. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignPartitions, partitionsOwnedBy } from '../../src/pipeline/partition-assignment.js';

const memberIds = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 9 });

function ids(count: number, run = 0): string[] {
  return Array.from({ length: count }, (_, i) => `worker-${run}-${i}`);
}

function moved(before: readonly string[], after: readonly string[]): number {
  return before.filter((owner, p) => after[p] !== owner).length;
}

describe('assignPartitions', () => {
  it('gives every partition one live owner, shares differing by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), memberIds, (partitions, members) => {
        const owners = assignPartitions(partitions, members);
        expect(owners).toHaveLength(partitions);
        for (const owner of owners) expect(members).toContain(owner);
        const shares = members.map((m) => owners.filter((o) => o === m).length);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('depends on the set of members only, not their order or repeats, so every process agrees', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 32 }), memberIds, (partitions, members) => {
        const shuffled = [...members].reverse().concat(members[0]!);
        expect(assignPartitions(partitions, shuffled)).toEqual(assignPartitions(partitions, members));
      }),
    );
  });

  it('one member owns everything; no members own nothing', () => {
    expect(assignPartitions(4, ['only'])).toEqual(['only', 'only', 'only', 'only']);
    expect(assignPartitions(4, [])).toEqual([]);
    expect(() => assignPartitions(0, ['a'])).toThrow(/partitions must be a whole number/);
  });

  it('partitionsOwnedBy lists a member’s share, and the shares cover every partition once', () => {
    const members = ids(3);
    const shares = members.map((m) => partitionsOwnedBy(m, 8, members));
    expect(shares.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(shares.map((s) => s.length).sort()).toEqual([2, 3, 3]);
    expect(partitionsOwnedBy('stranger', 8, members)).toEqual([]);
  });

  it('a member joining (or, the same partitions back, leaving) moves far fewer partitions than p mod M over sorted ids', () => {
    const partitions = 16;
    let sticky = 0;
    let modulo = 0;
    for (let run = 0; run < 200; run++) {
      const before = ids(3, run);
      const after = [...before, `joiner-${run}`];
      sticky += moved(assignPartitions(partitions, before), assignPartitions(partitions, after));
      const sortedBefore = [...before].sort();
      const sortedAfter = [...after].sort();
      for (let p = 0; p < partitions; p++) if (sortedBefore[p % 3] !== sortedAfter[p % 4]) modulo++;
    }
    // the joiner's fair share is 4 of 16; a few more move when quotas shift between the others
    expect(sticky / 200).toBeLessThan(6);
    expect(sticky).toBeLessThan(modulo / 2);
  });
});
