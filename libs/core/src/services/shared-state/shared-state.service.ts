import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { StateEntry, StateSnapshot, StateWriteResult } from '@nest-realtime/protocol';
import { Observable } from 'rxjs';
import type { RealtimeEngine, StateLimits, StateOperation, StateTarget } from '../../engine/realtime-engine.interface';
import { RealtimeException } from '../../errors/realtime.exception';
import { EventStream } from '../../hooks/event-stream';
import { RealtimeLogger } from '../../logging/realtime.logger';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';
import { isValidChannelName, type ResolvedChannelState } from '../channel/channel.options';
import type { RealtimeConnection } from '../connection/realtime-connection';
import { StateSnapshots } from './state.snapshots';
import { validateStateKey, validateStateTtl, validateStateValue, validateStateVersion } from './state-value.validator';
import { authorizeStateWrite } from './state-write.authorization';

/** Options of a write: compare-and-set, and an expiry. */
export interface StateSetOptions {
  /** Writes only if the key's version is this one (0: only if the key is absent); else `conflict`. */
  version?: number;
  /** ms after which the key is removed, and the members told (`expired`). At most `sharedState.maxTtl`. */
  ttl?: number;
}

export interface StateDeleteOptions {
  /** Deletes only if the key's version is this one; else `conflict`. */
  version?: number;
}

/** A write to a shared state made through this node, by a client or by server code (`state$`). */
export interface StateEvent {
  type: 'set' | 'delete';
  /** The channel or scope written; absent for a group's state. */
  channel?: string;
  /** The group written; absent for a channel's state. */
  group?: string;
  key: string;
  /** The value set; absent for a delete. */
  value?: unknown;
  /** The key's version after the write (0 once deleted). */
  version: number;
  /** The state's revision after the write. */
  revision: number;
  /** The writer; null for server code. */
  clientId: string | null;
  connectionId: string | null;
  at: number;
}

/** A group's shared state, as `SharedStateService.group(name)` hands it out: written by server code only. */
export interface GroupState {
  get(): Promise<Record<string, StateEntry>>;
  get(key: string): Promise<StateEntry | undefined>;
  snapshot(): Promise<StateSnapshot>;
  set(key: string, value: unknown, options?: StateSetOptions): Promise<GroupStateWriteResult>;
  delete(key: string, options?: StateDeleteOptions): Promise<GroupStateWriteResult | null>;
}

/** The result of a write to a group's state. */
export interface GroupStateWriteResult {
  group: string;
  key: string;
  /** The key's version after the write (0 once deleted). */
  version: number;
  /** The state's revision after the write. */
  revision: number;
}

type Written = { key: string; version: number; revision: number };

interface CheckedSet {
  key: string;
  value: unknown;
  version?: number;
  ttl?: number;
}

interface Writer {
  connection: RealtimeConnection | null;
}

/**
 * Shared states: a map of keys to JSON values per channel (or scope: a level of a channel hierarchy) and
 * per group, each key with a version, kept in step on every member on every node. Members of a channel
 * get its `state:snapshot` after their join, then every change as a `state:diff`, once and in order.
 *
 * Server code writes any channel whose rule has a `state` (`by: null`, whatever the rule's `write`),
 * and group states; clients write through `state:set`/`state:delete` where the rule lets them. Every
 * write is validated (key, value, ttl) and versioned; a `version` that is not the key's current one is
 * refused with `conflict` and `details: {version, value}`, the current ones.
 *
 * ```ts
 * await state.set('room:1', 'topic', 'Release', { ttl: 60_000 });
 * await state.set('room:1', 'counter', 2, { version: 1 }); // only over version 1
 * await state.group('admins').set('banner', { text: 'Maintenance at 2' });
 * ```
 */
@Injectable()
export class SharedStateService implements OnApplicationShutdown {
  private readonly stream = new EventStream<StateEvent>();
  /** Every write made through this node (not the expiries, nor other nodes' writes). */
  readonly state$: Observable<StateEvent> = this.stream.events$;
  private readonly logger: RealtimeLogger;

  constructor(
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly snapshots: StateSnapshots,
  ) {
    this.logger = new RealtimeLogger('RealtimeState', options.logLevels);
  }

  /** The entries of a channel's state, or one entry (undefined when the key is absent). */
  get(channel: string): Promise<Record<string, StateEntry>>;
  get(channel: string, key: string): Promise<StateEntry | undefined>;
  async get(channel: string, key?: string): Promise<Record<string, StateEntry> | StateEntry | undefined> {
    this.ruleOf(channel);
    return pick((await this.engine.state.snapshot(channelTarget(channel))).entries, key);
  }

  /** A channel's whole state, with its revision and epoch, as a member's `state:snapshot` carries it. */
  async snapshot(channel: string): Promise<StateSnapshot> {
    this.ruleOf(channel);
    return { channel, ...(await this.engine.state.snapshot(channelTarget(channel))) };
  }

  /** Sets a key of a channel's state as the server (`by: null`). */
  async set(channel: string, key: string, value: unknown, options: StateSetOptions = {}): Promise<StateWriteResult> {
    const rule = this.ruleOf(channel);
    const checked = this.checkSet(key, value, options);
    return { channel, ...(await this.setIn(channelTarget(channel), limitsOf(rule), checked, { connection: null })) };
  }

  /** Deletes a key of a channel's state as the server; resolves to null when the key was not there. */
  async delete(channel: string, key: string, options: StateDeleteOptions = {}): Promise<StateWriteResult | null> {
    const rule = this.ruleOf(channel);
    const written = await this.deleteIn(channelTarget(channel), limitsOf(rule), validateStateKey(key), validateStateVersion(options.version), { connection: null });
    return written && { channel, ...written };
  }

  /** A group's state: read and written by server code, delivered to every connection of the group's clients. */
  group(name: string): GroupState {
    if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
      throw new RealtimeException('invalid', 'A group name is a string of 1 to 200 characters.', [{ field: 'group', message: 'must be 1 to 200 characters' }]);
    }
    const target: StateTarget = { kind: 'group', name };
    const limits = { maxKeys: this.options.sharedState.groups.maxKeys, logSize: this.options.sharedState.groups.log };
    const server: Writer = { connection: null };
    const get = async (key?: string) => pick((await this.engine.state.snapshot(target)).entries, key);
    return {
      get: get as GroupState['get'],
      snapshot: async () => ({ group: name, ...(await this.engine.state.snapshot(target)) }),
      set: async (key, value, options = {}) => ({ group: name, ...(await this.setIn(target, limits, this.checkSet(key, value, options), server)) }),
      delete: async (key, options = {}) => {
        const written = await this.deleteIn(target, limits, validateStateKey(key), validateStateVersion(options.version), server);
        return written && { group: name, ...written };
      },
    };
  }

  /** `state:set` from a client: it must be a member, and the channel's rule must let it write. */
  async setFrom(connection: RealtimeConnection, channel: string, key: unknown, value: unknown, options: { version?: unknown; ttl?: unknown } = {}): Promise<StateWriteResult> {
    const rule = this.ruleOf(channel);
    const checked = this.checkSet(key, value, options);
    await this.assertMember(connection, channel);
    await authorizeStateWrite(connection, channel, checked.key, value, rule);
    return { channel, ...(await this.setIn(channelTarget(channel), limitsOf(rule), checked, { connection })) };
  }

  /** `state:delete` from a client; a key that is not there is `not_found`. */
  async deleteFrom(connection: RealtimeConnection, channel: string, key: unknown, options: { version?: unknown } = {}): Promise<StateWriteResult> {
    const rule = this.ruleOf(channel);
    const checkedKey = validateStateKey(key);
    const version = validateStateVersion(options.version);
    await this.assertMember(connection, channel);
    await authorizeStateWrite(connection, channel, checkedKey, undefined, rule);
    const written = await this.deleteIn(channelTarget(channel), limitsOf(rule), checkedKey, version, { connection });
    if (!written) throw new RealtimeException('not_found', `The shared state of "${channel}" has no key "${checkedKey}".`);
    return { channel, ...written };
  }

  /** Checks a set's key, value, version and ttl; throws `invalid`, before anything is asked of the engine. */
  private checkSet(key: unknown, value: unknown, options: { version?: unknown; ttl?: unknown }): CheckedSet {
    const checked: CheckedSet = { key: validateStateKey(key), value };
    const version = validateStateVersion(options.version);
    const ttl = validateStateTtl(options.ttl, this.options.sharedState.maxTtl);
    const { maxValueBytes: maxBytes, maxValueDepth: maxDepth } = this.options.sharedState;
    validateStateValue(value, { maxBytes, maxDepth });
    if (version !== undefined) checked.version = version;
    if (ttl !== undefined) checked.ttl = ttl;
    return checked;
  }

  private async setIn(target: StateTarget, limits: StateLimits, set: CheckedSet, writer: Writer): Promise<Written> {
    const at = Date.now();
    const operation: StateOperation = { op: 'set', key: set.key, value: set.value, by: writer.connection?.clientId ?? null, at };
    if (set.ttl !== undefined) operation.ttl = set.ttl;
    if (set.version !== undefined) operation.expected = set.version;
    const written = await this.write(target, operation, limits, writer, at);
    if (!written) throw new RealtimeException('internal', `The engine answered a set of "${set.key}" with "missing".`);
    return written;
  }

  private async deleteIn(target: StateTarget, limits: StateLimits, key: string, expected: number | undefined, writer: Writer): Promise<Written | null> {
    const operation: StateOperation = { op: 'delete', key };
    if (expected !== undefined) operation.expected = expected;
    return this.write(target, operation, limits, writer, Date.now());
  }

  private async write(target: StateTarget, operation: StateOperation, limits: StateLimits, writer: Writer, at: number): Promise<Written | null> {
    const where = target.kind === 'group' ? `group "${target.name}"` : `"${target.name}"`;
    const unavailable = () =>
      new RealtimeException('internal', `The shared state of ${where} could not be written: the engine cannot reach its store. Nothing was changed; try again.`);
    let outcome;
    try {
      outcome = await this.engine.state.write(target, operation, limits);
    } catch (error) {
      if (error instanceof RealtimeException) throw error;
      this.logger.error(`Could not write "${operation.key}" of the shared state of ${where}`, error);
      throw unavailable();
    }
    if (!outcome.ok) {
      if (outcome.reason === 'missing') return null;
      if (outcome.reason === 'unavailable') {
        this.logger.warn(`Could not write "${operation.key}" of the shared state of ${where}: the engine cannot reach its store`);
        throw unavailable();
      }
      if (outcome.reason === 'full') {
        throw new RealtimeException('limit', `The shared state of ${where} holds ${limits.maxKeys} keys, its most: delete one before adding "${operation.key}".`);
      }
      throw new RealtimeException(
        'conflict',
        `"${operation.key}" of the shared state of ${where} is at version ${outcome.version}, not ${operation.expected}: read it again and retry.`,
        { version: outcome.version, value: outcome.value ?? null },
      );
    }
    const address = target.kind === 'group' ? { group: target.name } : { channel: target.name };
    const event: StateEvent = {
      type: operation.op,
      ...address,
      key: operation.key,
      version: outcome.version,
      revision: outcome.change.revision,
      clientId: writer.connection?.clientId ?? null,
      connectionId: writer.connection?.id ?? null,
      at,
    };
    if (operation.op === 'set') event.value = operation.value;
    this.stream.emit(event);
    return { key: operation.key, version: outcome.version, revision: outcome.change.revision };
  }

  private ruleOf(channel: string): ResolvedChannelState {
    if (!isValidChannelName(channel)) {
      throw new RealtimeException('invalid', 'A channel name is 1 to 200 printable characters without spaces.', [
        { field: 'channel', message: 'must be 1 to 200 printable ASCII characters, no spaces' },
      ]);
    }
    const rule = this.snapshots.stateOf(channel);
    if (!rule) {
      throw new RealtimeException('not_found', `"${channel}" keeps no shared state: give the channel rule that matches it a \`state\` option.`);
    }
    return rule;
  }

  private async assertMember(connection: RealtimeConnection, channel: string): Promise<void> {
    if (!(await this.engine.memberships.get(channel, connection.id))) {
      throw new RealtimeException('not_joined', `Join "${channel}" before writing its shared state.`);
    }
  }

  onApplicationShutdown(): void {
    this.stream.complete();
  }
}

function channelTarget(channel: string): StateTarget {
  return { kind: 'channel', name: channel };
}

function limitsOf(rule: ResolvedChannelState): StateLimits {
  return { maxKeys: rule.maxKeys, logSize: rule.log };
}

function pick(entries: Record<string, StateEntry>, key: string | undefined): Record<string, StateEntry> | StateEntry | undefined {
  return key === undefined ? entries : entries[key];
}
