import { randomUUID } from 'crypto';
import type { EngineNode } from '../engine-node';
import type { DeadNode, EngineListener, EngineStatus, RealtimeEngine } from '../realtime-engine.interface';
import { MemoryBroker } from './memory.broker';
import { MemoryDirectory } from './memory.directory';
import { MemoryGroups } from './memory.groups';
import { MemoryMemberships } from './memory.memberships';
import { MemoryPresence } from './memory.presence';
import { MemorySessions } from './memory.sessions';
import { MemorySharedState } from './memory.shared-state';
import { MemoryState } from './memory.state';

export interface MemoryEngineOptions {
  /**
   * ms a channel's history offset and epoch are kept after its last publish, and a shared state with no
   * key (its revision, epoch and change log) after its last change. Default `86400000` (a day).
   */
  historyMetaTtl?: number;
}

/** The default engine: everything in this process's memory, fan-out by a loop over the members. */
export class MemoryEngine implements RealtimeEngine {
  readonly nodeId = randomUUID();
  readonly broker: MemoryBroker;
  readonly memberships: MemoryMemberships;
  readonly presence: MemoryPresence;
  readonly directory: MemoryDirectory;
  readonly groups = new MemoryGroups();
  readonly sessions = new MemorySessions();
  readonly state: MemorySharedState;
  private readonly shared = new MemoryState();

  constructor(options: MemoryEngineOptions = {}) {
    const metaTtl = options.historyMetaTtl ?? 86_400_000;
    this.broker = new MemoryBroker(this.shared, metaTtl);
    this.memberships = new MemoryMemberships(this.shared);
    this.presence = new MemoryPresence(this.shared);
    this.directory = new MemoryDirectory(this.shared, this.nodeId);
    this.state = new MemorySharedState(this.shared, this.broker, this.groups, metaTtl);
  }

  bind(node: EngineNode): void {
    this.shared.node = node;
  }

  /** A single node has nothing to tell. */
  watch(_listener: EngineListener): void {}

  async claimDeadNodes(): Promise<DeadNode[]> {
    return [];
  }

  async forgetNode(_nodeId: string): Promise<void> {}

  /** A walk over this node's channels (for a scrape, not for every frame). */
  status(): EngineStatus {
    let channels = 0;
    let members = 0;
    let presence = 0;
    for (const record of this.shared.channels.values()) {
      if (record.members.size > 0) channels++;
      members += record.members.size;
      for (const held of record.presence.values()) presence += held instanceof Map ? held.size : 1;
    }
    return { reachable: true, channels, members, presence };
  }

  async sweep(now: number): Promise<void> {
    this.broker.sweep(now);
    this.sessions.sweep(now);
    this.state.sweep(now);
  }

  async close(): Promise<void> {
    this.shared.clear();
    this.directory.clear();
    this.groups.clear();
    this.broker.clear();
    this.sessions.clear();
    this.state.clear();
  }
}
