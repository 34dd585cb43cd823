/** One thing wrong in the mapping files: where (file:line:column), what, and how to fix it. */
export interface LoadProblem {
  readonly where: string;
  readonly what: string;
  readonly fix: string;
}

/** Thrown by loadMappingSet: the message lists every problem found, one per line. */
export class MappingLoadError extends Error {
  override readonly name = 'MappingLoadError';
  constructor(readonly problems: readonly LoadProblem[]) {
    super(
      `the mapping files have ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  ${p.where} — ${p.what} — ${p.fix}`).join('\n'),
    );
  }
}

/** Collects problems while loading and compiling, so that one run reports all of them. */
export class Problems {
  readonly list: LoadProblem[] = [];
  add(where: string, what: string, fix: string): void {
    if (this.list.some((p) => p.where === where && p.what === what)) return; // the same rule compiled twice (--explain)
    this.list.push({ where, what, fix });
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new MappingLoadError(this.list);
  }
}
