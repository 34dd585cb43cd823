/**
 * Which partitions of each stage this transport should consume: it joins the membership with the
 * first stage it consumes (and leaves with the last), and applies the shared assignment to the live
 * members of each stage. A transport that never consumes never joins, so it is owed no share.
 */
import type { Logger } from 'pino';
import type { AmqpConnection } from './amqp-connection.js';
import { AmqpMembership, type MembershipSettings } from './amqp-membership.js';
import type { TopologyNames } from './amqp-topology.js';
import { assignPartitions } from './partition-assignment.js';
import type { StageName } from './transport.js';

export interface OwnershipDeps {
  readonly names: TopologyNames;
  readonly connection: AmqpConnection;
  readonly settings: MembershipSettings;
  readonly logger: Logger | undefined;
  /** the members of some stage changed: reconcile the consumers */
  readonly onChange: () => void;
  readonly onError: (what: string, error: unknown) => void;
}

export class PartitionOwnership {
  private membership: AmqpMembership | undefined;
  /** stages with a consumer that is not stopping: what the membership announces */
  private readonly consumed = new Set<StageName>();
  private readonly assignments = new Map<StageName, { readonly members: string; readonly owners: readonly string[] }>();
  private readonly announced = new Map<StageName, string>();

  constructor(private readonly deps: OwnershipDeps) {}

  /** this process's member id while it consumes anything */
  get memberId(): string | undefined {
    return this.membership?.id;
  }

  /** A consumer of `stage` starts: join with it, or tell the others at once. */
  add(stage: StageName): void {
    this.consumed.add(stage);
    if (this.membership) {
      this.membership.setStages(this.consumed);
      return;
    }
    this.membership = new AmqpMembership({
      names: this.deps.names,
      connection: this.deps.connection,
      settings: this.deps.settings,
      onChange: () => {
        this.deps.onChange();
        this.announce();
      },
      onError: this.deps.onError,
    });
    this.membership.start(this.consumed);
  }

  /** A consumer of `stage` stops: announce the stages left, or leave (with a goodbye) when none are. */
  remove(stage: StageName): void {
    this.consumed.delete(stage);
    if (this.consumed.size > 0) {
      this.membership?.setStages(this.consumed);
      return;
    }
    void this.leave();
  }

  /** Whether this process should consume `partition` of `stage` now; nothing until the view has settled. */
  owns(stage: StageName, partition: number): boolean {
    const membership = this.membership;
    const members = membership?.members(stage);
    if (!membership || !members || members.length === 0) return false;
    const key = members.join(',');
    let assignment = this.assignments.get(stage);
    if (assignment?.members !== key) {
      assignment = { members: key, owners: assignPartitions(this.deps.names.partitions, members) };
      this.assignments.set(stage, assignment);
    }
    return assignment.owners[partition] === membership.id;
  }

  /** Leave for good: the others take over each partition as soon as it is drained and closed. */
  async leave(): Promise<void> {
    this.consumed.clear();
    const membership = this.membership;
    this.membership = undefined;
    this.assignments.clear();
    this.announced.clear();
    await membership?.close();
  }

  /** Tests (a crash): stop beating without a goodbye. */
  abandon(): void {
    this.membership?.abandon();
    this.membership = undefined;
  }

  /** Log what this process now owns, once per change (operators see the split; no patient data). */
  private announce(): void {
    for (const stage of this.consumed) {
      const members = this.membership?.members(stage)?.length ?? 0;
      if (members === 0) continue;
      const owned = Array.from({ length: this.deps.names.partitions }, (_, p) => p).filter((p) => this.owns(stage, p));
      const summary = `${owned.join(',')}/${members}`;
      if (this.announced.get(stage) === summary) continue;
      this.announced.set(stage, summary);
      this.deps.logger?.info({ stage, partitions: owned, members }, 'AMQP partitions assigned');
    }
  }
}
