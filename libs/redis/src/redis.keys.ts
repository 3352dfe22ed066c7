/**
 * The names of the engine's keys and pub/sub channels (redis.scripts.ts lays them out). Each carries a hash
 * tag — `{c:<channel>}`, `{k:<connection>}`, `{u:<clientId>}`, `{n:<node>}`, `{g:<group>}` — so that what
 * one script touches lives in one slot of a Redis Cluster; on one Redis the tags change nothing.
 */
export class RedisKeys {
  /** Notices to every node (a node wrote its state back). */
  readonly clusterBus: string;
  /** node → startedAt: the nodes that announced themselves. */
  readonly nodes: string;
  /** "<c|g>:<name>" → the soonest expiresAt of a shared state. */
  readonly stateExpiring: string;

  constructor(readonly prefix: string) {
    this.clusterBus = `${prefix}bus`;
    this.nodes = `${prefix}nodes`;
    this.stateExpiring = `${prefix}state-expiring`;
  }

  channel(what: 'members' | 'presence' | 'bus' | 'state-followers' | 'state-follows', channel: string): string {
    return `${this.prefix}${what}:{c:${channel}}`;
  }

  connection(what: 'conn' | 'conn-chans', connectionId: string): string {
    return `${this.prefix}${what}:{k:${connectionId}}`;
  }

  client(what: 'client-conns' | 'client-groups' | 'session', clientId: string): string {
    return `${this.prefix}${what}:{u:${clientId}}`;
  }

  node(what: 'alive' | 'reaper' | 'node-conns' | 'bus', nodeId: string): string {
    return `${this.prefix}${what}:{n:${nodeId}}`;
  }

  group(group: string): string {
    return `${this.prefix}group:{g:${group}}`;
  }

  /** A key of a shared state's slot: `{c:<channel or scope>}` or `{g:<group>}`. */
  state(kind: 'c' | 'g', name: string): string {
    return `${this.prefix}state:{${kind}:${name}}`;
  }
}
