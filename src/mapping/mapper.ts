/** The Mapper: one HL7 v2 message → a transaction Bundle, using a compiled mapping set. Pure. */
import type { Bundle } from '@medplum/fhirtypes';
import { parseHl7DateTime } from '../hl7v2/datetime.js';
import type { Hl7Message, Hl7Segment } from '../hl7v2/types.js';
import { personKey } from './identity.js';
import { bundleEntry, mergeInto } from './bundle-entries.js';
import { applyLabels } from './labels.js';
import { CompiledMappingSet, type MappingSet } from './mapping-set.js';
import { isFhirId, rootCursor, Run, Vars, type Cursor, type GroupSegments, type JsonObject } from './runtime.js';
import type { CompiledEntry, CompiledStructure } from './structure.js';
import { MappingError, type ChannelContext, type MapResult, type Mapper, type PreserveRule } from './types.js';
import { unmappedItems } from './unmapped.js';

export interface MapperOptions {
  /** the only clock the mapper may read; the output itself never depends on it */
  readonly clock?: () => Date;
}

interface Made {
  readonly entry: CompiledEntry;
  readonly cur: Cursor;
  readonly id: string;
  readonly key: string;
  /** the segments of its group, for an entry with `group:` */
  readonly group: GroupSegments | undefined;
}

/** The vars a structure and event give every message (`vars:` of the message file and of the event), made once. */
class StaticVars {
  private readonly byEvent = new Map<string | undefined, Vars>();

  for(structure: CompiledStructure, event: string | undefined): Vars {
    const settings = event === undefined ? undefined : structure.events.get(event);
    const key = settings === undefined ? undefined : event; // bounded by the events the mapping files name
    let vars = this.byEvent.get(key);
    if (vars === undefined) {
      const values = new Map<string, string | undefined>(Object.entries(structure.vars));
      for (const [name, value] of Object.entries(settings?.vars ?? {})) values.set(name, value);
      values.set('structure', structure.structure);
      this.byEvent.set(key, (vars = new Vars(values)));
    }
    return vars;
  }
}

/** The message's own vars (the built-in ones) on top of its structure's and event's. */
function varsFor(fixed: Vars, event: string | undefined, message: Hl7Message, channel: ChannelContext): Vars {
  const ods = channel.organisation.odsCode.trim().toUpperCase();
  const values = new Map<string, string | undefined>();
  values.set('event', event);
  values.set('messageCode', message.header.messageType.code);
  values.set('odsCode', ods);
  values.set('organisationName', channel.organisation.name);
  values.set('channelId', channel.id);
  values.set('personKey', personKey(message, ods));
  return fixed.with(values);
}

/** `PID`, or `DG1[2]` for the second of several segments of that name. */
function describeSegment(run: Run, seg: Hl7Segment): string {
  const all = run.segmentsNamed(seg.name);
  return all.length > 1 ? `${seg.name}[${all.indexOf(seg) + 1}]` : seg.name;
}

/** Phase 1: the id of every resource a message entry makes, so that rules can reference any of them. */
function assignIds(structure: CompiledStructure, run: Run, vars: Vars): Made[] {
  const made: Made[] = [];
  const groups = structure.groups === undefined ? undefined : run.claimGroups(structure.groups);
  for (const entry of structure.entries) {
    const segments = run.segmentsNamed(entry.segment);
    if (segments.length === 0) {
      if (entry.required) {
        throw new MappingError(
          `${structure.structure} message has no ${entry.segment} segment, which this mapping needs (template ${entry.template.name}); the sender must include it`,
          `${entry.where}; message segment ${entry.segment}`,
        );
      }
      continue;
    }
    if (entry.once && segments.length > 1) warnOnce(run, entry, segments.length);
    if (entry.into !== undefined) continue;
    const count = entry.repeat ? segments.length : 1;
    for (let i = 0; i < count; i++) {
      const seg = segments[i] as Hl7Segment;
      const cur = rootCursor(seg, vars);
      const group = entry.group === undefined ? undefined : groups?.get(seg);
      run.group = group;
      if ((entry.when !== undefined && !entry.when(cur, run)) || !entry.template.applies(cur, run)) continue;
      const id = entry.template.id?.(cur, run);
      const type = entry.template.resourceType as string;
      if (id === undefined) {
        // the segment is there but says nothing to identify the resource by: map the rest, say so
        run.warn(`${describeSegment(run, seg)}: no ${type} made: template ${entry.template.name} found no identifier for its id (${entry.template.idWhere ?? entry.template.where}, ${entry.template.name}.id)`);
        continue;
      }
      if (!isFhirId(id)) {
        throw new MappingError(
          `template ${entry.template.name} made an id that is not a valid FHIR id (1-64 of A-Z a-z 0-9 - .): give its id rule transform: hash-id`,
          `${entry.template.idWhere ?? entry.template.where} (${entry.template.name}.id); message segment ${describeSegment(run, seg)}`,
        );
      }
      const key = `${type}/${id}`;
      if (entry.key !== undefined) run.refs.set(entry.key, key);
      run.mainKeys.add(key);
      made.push({ entry, cur, id, key, group });
    }
    run.group = undefined;
  }
  return made;
}

/** An entry marked `once` met a message with several such segments (several groups): say what was left out. */
function warnOnce(run: Run, entry: CompiledEntry, count: number): void {
  run.warn(
    `${entry.segment}: the message has ${count} ${entry.segment} segments; only the first is mapped (${entry.where}, once: true) — send one group per message`,
  );
}

export function createMapper(set: MappingSet, options: MapperOptions = {}): Mapper {
  if (!(set instanceof CompiledMappingSet)) throw new TypeError('createMapper needs a mapping set from loadMappingSet');
  void options.clock; // the output is built from the message alone (golden files stay stable)
  const staticVars = new Map<CompiledStructure, StaticVars>();
  const fixedVarsFor = (structure: CompiledStructure, event: string | undefined): Vars => {
    let known = staticVars.get(structure);
    if (known === undefined) staticVars.set(structure, (known = new StaticVars()));
    return known.for(structure, event);
  };
  return {
    map(message: Hl7Message, channel: ChannelContext): MapResult {
      const run = new Run(message);
      const structure = set.structureFor(message, run.warnings);
      const event = message.header.messageType.event ?? message.get('EVN-1') ?? undefined;
      const vars = varsFor(fixedVarsFor(structure, event), event, message, channel);

      const made = assignIds(structure, run, vars);
      const main = new Map<string, JsonObject>();
      for (const m of made) {
        if (main.has(m.key)) continue;
        run.group = m.group;
        const body = m.entry.template.buildApplied(m.cur, run, m.id); // assignIds checked its when
        if (body !== undefined) main.set(m.key, body);
      }
      run.group = undefined;
      for (const entry of structure.entries) {
        if (entry.into === undefined) continue;
        const target = run.refs.get(entry.into);
        const resource = target === undefined ? undefined : main.get(target);
        if (resource === undefined) continue;
        const segments = run.segmentsNamed(entry.segment);
        for (const seg of entry.once ? segments.slice(0, 1) : segments) {
          const cur = rootCursor(seg, vars);
          if (entry.when !== undefined && !entry.when(cur, run)) continue;
          const extra = entry.template.build(cur, run);
          if (extra !== undefined) mergeInto(resource, extra);
        }
      }

      const resources = [...main.values()];
      for (const [key, r] of run.secondary) if (!main.has(key)) resources.push(r);
      const labels = applyLabels(set.labelRules, resources);

      const preserve: PreserveRule[] = [];
      const settings = event === undefined ? undefined : structure.events.get(event);
      for (const p of settings === undefined ? structure.preserve : [...structure.preserve, ...settings.preserve]) {
        const key = run.refs.get(p.resource);
        if (key === undefined || !main.has(key)) continue;
        if (p.when !== undefined && !p.when(rootCursor(undefined, vars), run)) continue;
        const [resourceType, id] = key.split('/') as [string, string];
        preserve.push({ resourceType, id, elements: p.elements });
      }

      const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction' };
      const msh7 = message.header.dateTime;
      const stamp = msh7 === undefined ? undefined : parseHl7DateTime(msh7);
      if (stamp !== undefined && stamp.iso.length > 10) bundle.timestamp = stamp.iso;
      else if (msh7 !== undefined) run.warn('MSH-7: not a date/time with a time of day; Bundle.timestamp left out');
      bundle.entry = resources.map(bundleEntry);

      return { bundle, labels, unmapped: unmappedItems(message, structure.reads), warnings: run.warnings, preserve };
    },
  };
}
