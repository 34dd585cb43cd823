/** A loaded, compiled mapping set: what `loadMappingSet` returns and `createMapper` runs. */
import type { Hl7Message } from '../hl7v2/types.js';
import type { Explainer } from './explain.js';
import type { LabelRule } from './labels.js';
import type { CompiledRecordStructure } from './record-structure.js';
import type { CompiledStructure } from './structure.js';
import { MappingError } from './types.js';

/** Vars every rule can read. */
export const BUILTIN_VARS = ['event', 'messageCode', 'structure', 'odsCode', 'organisationName', 'channelId', 'personKey'] as const;

export interface MappingSet {
  /** every file read, base first, then overlays */
  readonly files: string[];
  /** the message structures this set maps, e.g. ADT_A01 */
  structures(): string[];
  /** why this set cannot map the message's type (said to the sender in an AR), or undefined when it can */
  unsupported(message: Hl7Message): string | undefined;
}

export class CompiledMappingSet implements MappingSet {
  constructor(
    readonly files: string[],
    readonly compiled: ReadonlyMap<string, CompiledStructure>,
    /** `ADT^A01` → `ADT_A01` */
    readonly events: ReadonlyMap<string, string>,
    readonly labelRules: readonly LabelRule[],
    /** structures of other inputs (mappings/gp/: GP Connect, CSV layouts), by name */
    readonly records: ReadonlyMap<string, CompiledRecordStructure> = new Map(),
    /** present when loaded with { explain: true } */
    readonly explainer?: Explainer,
  ) {}

  structures(): string[] {
    return [...this.compiled.keys()].sort();
  }

  unsupported(message: Hl7Message): string | undefined {
    try {
      this.structureFor(message, []);
      return undefined;
    } catch (err) {
      if (err instanceof MappingError) return err.message;
      throw err;
    }
  }

  /** The structure for a message: MSH-9.3 when this set maps it, else the event table. */
  structureFor(message: Hl7Message, warnings: string[]): CompiledStructure {
    const type = message.header.messageType;
    const event = type.event ?? message.get('EVN-1') ?? undefined;
    if (type.structure !== undefined) {
      const named = this.compiled.get(type.structure);
      if (named !== undefined) return named;
    }
    const fromTable = event === undefined ? undefined : this.events.get(`${type.code}^${event}`);
    const found = fromTable === undefined ? undefined : this.compiled.get(fromTable);
    if (found !== undefined) {
      if (type.structure !== undefined) warnings.push(`MSH-9.3: no mapping for structure ${type.structure}; used ${found.structure} from the event table for ${type.code}^${event}`);
      return found;
    }
    const what = `${type.code}^${event ?? '(no event)'}${type.structure !== undefined ? ` (structure ${type.structure})` : ''}`;
    const table = this.files.filter((f) => f.endsWith('events.yaml')).join(', ');
    throw new MappingError(
      `no mapping for ${what}: add the event to hl7v2/events.yaml and a message file for its structure, or stop sending it on this channel`,
      table === '' ? 'MSH-9' : `MSH-9; event table ${table}`,
    );
  }
}
