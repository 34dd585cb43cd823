/**
 * What a set of rules reads from a message, worked out when the rules are compiled: per segment name,
 * the field numbers read. A segment with an empty set is read only as a whole (e.g. looped over).
 */
export class ReadSet {
  readonly segments = new Map<string, Set<number>>();
  /** JSON inputs (FHIR resources, CSV rows): the top-level elements or columns read */
  readonly elements = new Set<string>();

  element(name: string): void {
    this.elements.add(name);
  }

  touch(segment: string): void {
    if (!this.segments.has(segment)) this.segments.set(segment, new Set());
  }

  field(segment: string, field: number): void {
    let set = this.segments.get(segment);
    if (set === undefined) this.segments.set(segment, (set = new Set()));
    set.add(field);
  }

  addAll(other: ReadSet): void {
    for (const [seg, fields] of other.segments) {
      this.touch(seg);
      for (const f of fields) this.field(seg, f);
    }
    for (const e of other.elements) this.elements.add(e);
  }
}
