import { ClientMessages } from '../error/client.messages';
import { RealtimeError } from '../error/realtime.error';
import { TypedEmitter, Unsubscribe } from '../events/typed.emitter';
import { ChannelPresence } from '../presence/channel.presence';
import { ChannelSharedState } from '../shared-state/channel.state';
import { ProtocolEvent } from '@nest-realtime/protocol';
import type { ChannelGap, ChannelKicked, ChannelMessage, CompactPresenceDiff, CompactPresenceMember, JoinResult, PresenceDiff, PresenceMeta, PresenceState, StateDiff, StateSnapshot, StreamPosition } from '@nest-realtime/protocol';
import type { ChannelLink } from './channel.link';

/**
 * - `left`: not a member, and not asking to be one: never joined, `leave()`, a rejoin the server refused,
 *   `close()`, or a kick by the server (`channel:kicked`; the `left` event says which).
 * - `joining`: asking; the join goes out as soon as the client is connected (and again after a reconnect).
 * - `joined`: the server confirmed the membership on the current connection.
 * - `leaving`: the leave is on its way.
 */
export type ChannelState = 'left' | 'joining' | 'joined' | 'leaving';

export interface ChannelJoined<M extends object> {
  channel: string;
  /** A join made again after a reconnect (with the last meta), or a membership the server resumed. */
  rejoined: boolean;
  /** The server resumed the membership (`connection:resume`) and replayed what the channel missed. */
  resumed?: boolean;
}

export interface ChannelLeft {
  channel: string;
  /** Left without `leave()`: a rejoin the server refused, or `close()`. */
  error?: RealtimeError;
  /** Left because the server removed this connection (`channel:kicked`), with the server's reason. */
  kicked?: { reason?: string };
}

export interface ChannelEvents<P, M extends object> {
  message: ChannelMessage<P>;
  joined: ChannelJoined<M>;
  left: ChannelLeft;
  /**
   * The server removed this connection from the channel (server code called `ChannelService.kick`). The
   * channel is `left` (or still `joining` when a join asked for meanwhile is on its way) and is not joined
   * again after a reconnect; `join()` joins it again.
   */
  kicked: ChannelKicked;
  /**
   * Messages of the channel may have been missed and will not come (`channel:gap`: the server's node lost
   * its link to the others for a while); read again what the application needs (a state, a list).
   */
  gap: ChannelGap;
  state: ChannelState;
  /** The server refused a rejoin after a reconnect; the channel is left. */
  error: RealtimeError;
}

interface Waiter<M extends object> {
  resolve(result: JoinResult<M>): void;
  reject(error: RealtimeError): void;
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One channel as the client sees it: join/leave/publish with promises settled by the server's reply,
 * messages, presence and shared state. The channel remembers that the application wants to be a
 * member, and with which meta, so it joins again after every reconnect.
 */
export class RealtimeChannel<P = unknown, M extends object = Record<string, unknown>, S extends object = Record<string, unknown>> {
  readonly presence: ChannelPresence<M>;
  /**
   * The channel's shared state (in channels whose rule has `state`): a copy kept in sync by the server,
   * merged with the ancestors' when the rule inherits, and writes when the rule lets members write.
   */
  readonly sharedState: ChannelSharedState<S>;
  private readonly events: TypedEmitter<ChannelEvents<P, M>>;
  private current: ChannelState = 'left';
  /** The meta joins carry: the last one the server accepted, or the one asked for. */
  private meta?: M;
  private wanted = false;
  private joinedBefore = false;
  /** Bumped by every join sent and every leave, so replies that no longer matter are dropped. */
  private attempt = 0;
  private waiters: Waiter<M>[] = [];
  private stream?: StreamPosition;

  constructor(
    readonly name: string,
    private readonly link: ChannelLink,
  ) {
    this.events = new TypedEmitter(link.onListenerError);
    this.presence = new ChannelPresence<M>(link.onListenerError, (status) => this.setStatus(status));
    const reportGap = (scope: string, held: number, got: number) => link.report(new RealtimeError('protocol', ClientMessages.stateGap(scope, held, got)));
    this.sharedState = new ChannelSharedState<S>(name, link, () => this.wanted, reportGap);
  }

  get state(): ChannelState {
    return this.current;
  }

  /** In a channel that keeps history: the last message seen (or the join's position); what a resume starts from. */
  get position(): StreamPosition | undefined {
    return this.stream && { ...this.stream };
  }

  on<K extends keyof ChannelEvents<P, M>>(event: K, listener: (value: ChannelEvents<P, M>[K]) => void): Unsubscribe {
    return this.events.on(event, listener);
  }

  onMessage(listener: (message: ChannelMessage<P>) => void): Unsubscribe {
    return this.events.on('message', listener);
  }

  /**
   * Joins with a meta (kept for rejoins; without one, the last meta is kept). Joining a joined channel
   * updates its meta. Resolves with the server's result; while disconnected it waits for the connection.
   */
  join(meta?: M): Promise<JoinResult<M>> {
    if (meta !== undefined && !isPlainObject(meta)) return Promise.reject(new RealtimeError('invalid', ClientMessages.badMeta(meta)));
    const previous = this.meta;
    if (meta !== undefined) this.meta = meta;
    this.wanted = true;
    const result = new Promise<JoinResult<M>>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.current !== 'joined') this.setState('joining');
    if (this.link.ready) this.sendJoin({ rejoin: false, previous });
    return result;
  }

  /** Leaves; resolves once the server confirmed it, or at once when there is no connection to tell. */
  async leave(): Promise<void> {
    const wasMember = this.current === 'joined' || this.current === 'joining';
    this.wanted = false;
    this.attempt++;
    this.rejectWaiters(new RealtimeError('cancelled', ClientMessages.cancelledJoin(this.name)));
    if (wasMember && this.link.ready) {
      this.setState('leaving');
      try {
        await this.link.request(ProtocolEvent.ChannelLeave, { channel: this.name });
      } catch (error) {
        const code = (error as RealtimeError).code;
        if (code !== 'not_joined' && code !== 'disconnected') {
          if (!this.wanted) this.markLeft();
          throw error;
        }
      }
    }
    if (!this.wanted) this.markLeft();
  }

  /** Publishes to the members (this client included); queued while disconnected. */
  async publish(payload: P): Promise<void> {
    if (!this.wanted) throw new RealtimeError('not_joined', ClientMessages.notJoined(this.name));
    await this.link.request(ProtocolEvent.ChannelPublish, { channel: this.name, payload });
  }

  /** Replaces this connection's presence meta; the new meta is the one rejoins carry. */
  async updatePresence(meta: M): Promise<PresenceMeta<M>> {
    if (!this.wanted) throw new RealtimeError('not_joined', ClientMessages.notJoined(this.name));
    if (!isPlainObject(meta)) throw new RealtimeError('invalid', ClientMessages.badMeta(meta));
    const result = await this.link.request<{ meta: PresenceMeta<M> }>(ProtocolEvent.PresenceUpdate, { channel: this.name, meta });
    if (this.wanted) this.meta = meta;
    return result.meta;
  }

  /** `presence.setStatus`: sets this connection's presence status; rejoins carry it in their meta. */
  private async setStatus(status: string): Promise<PresenceMeta<M>> {
    if (!this.wanted) throw new RealtimeError('not_joined', ClientMessages.notJoined(this.name));
    if (typeof status !== 'string' || status.length === 0) throw new RealtimeError('invalid', ClientMessages.badStatus(status));
    const result = await this.link.request<{ meta: PresenceMeta<M> }>(ProtocolEvent.PresenceUpdate, { channel: this.name, status });
    if (this.wanted) this.meta = { ...this.meta, status } as M;
    return result.meta;
  }

  /**
   * Asks the server for the channel's presence now (`presence:list`); queued while disconnected. The
   * `presence` copy is not changed by it: a diff sent between the server's read and its reply would be undone.
   */
  async listPresence(): Promise<PresenceState<M>> {
    if (!this.wanted) throw new RealtimeError('not_joined', ClientMessages.notJoined(this.name));
    return this.link.request<PresenceState<M>>(ProtocolEvent.PresenceList, { channel: this.name });
  }

  /** @internal A frame for this channel. */
  receive(event: string, data: Record<string, unknown>): void {
    if (!this.wanted) return;
    if (event === ProtocolEvent.ChannelMessage) {
      this.advance(data.offset, data.epoch);
      this.events.emit('message', data as unknown as ChannelMessage<P>);
    }
    else if (event === ProtocolEvent.PresenceState) this.presence.syncState((data.presences ?? {}) as PresenceState<M> | CompactPresenceMember<M>[]);
    else if (event === ProtocolEvent.PresenceDiff) this.presence.syncDiff(data as unknown as PresenceDiff<M> | CompactPresenceDiff<M>);
    else if (event === ProtocolEvent.StateSnapshot) this.sharedState.syncSnapshot(data as unknown as StateSnapshot);
    else if (event === ProtocolEvent.StateDiff) this.sharedState.syncDiff(data as unknown as StateDiff);
    else if (event === ProtocolEvent.ChannelKicked) this.kicked(data as unknown as ChannelKicked);
    else if (event === ProtocolEvent.ChannelGap) this.events.emit('gap', data as unknown as ChannelGap);
  }

  /** @internal The connection is back: join again, ahead of the queued frames. */
  restore(): void {
    if (this.wanted) this.sendJoin({ rejoin: this.joinedBefore, now: true });
  }

  /** @internal Whether the application wants the membership (joined, or joining). */
  get isWanted(): boolean {
    return this.wanted;
  }

  /** @internal Whether a resume may bring the membership back: joined on the lost connection, and still wanted. */
  get resumable(): boolean {
    return this.wanted && this.joinedBefore;
  }

  /**
   * @internal The server resumed the membership. A join asked for while disconnected (a new meta) still
   * goes out; otherwise the channel is joined as it was.
   */
  resumed(): void {
    if (this.waiters.length > 0) return this.restore();
    this.attempt++;
    this.setState('joined');
    this.events.emit('joined', { channel: this.name, rejoined: true, resumed: true });
  }

  /** Follows the channel's position: a later offset, or any offset of another epoch (the history was reset). */
  private advance(offset: unknown, epoch: unknown): void {
    if (typeof offset !== 'number' || typeof epoch !== 'string') return;
    if (!this.stream || this.stream.epoch !== epoch || offset > this.stream.offset) this.stream = { offset, epoch };
  }

  /** @internal The connection is gone; a reconnect will rejoin. */
  connectionLost(): void {
    this.presence.markStale();
    if (this.current === 'joined') this.setState('joining');
  }

  /** @internal The client stopped: `closed` forgets the membership, `disconnected` keeps it for connect(). */
  stopped(error: RealtimeError, closed: boolean): void {
    this.attempt++;
    this.rejectWaiters(error);
    this.presence.markStale();
    if (closed) {
      this.wanted = false;
      this.markLeft({ error });
    } else if (this.current === 'joined') {
      this.setState('joining');
    }
  }

  private sendJoin({ rejoin, previous, now = false }: { rejoin: boolean; previous?: M; now?: boolean }): void {
    const attempt = ++this.attempt;
    // The presence state comes as `presence:state` (which keeps `presence` in sync): not also in the reply;
    // in the compact form, which is smaller and quicker to parse.
    const asked = { channel: this.name, stateInReply: false, presenceFormat: 'compact' };
    const data = this.meta === undefined ? asked : { ...asked, meta: this.meta };
    const request = now ? this.link.requestNow<JoinResult<M>>(ProtocolEvent.ChannelJoin, data) : this.link.request<JoinResult<M>>(ProtocolEvent.ChannelJoin, data);
    request.then(
      (result) => {
        if (attempt === this.attempt) this.joined(result, rejoin);
      },
      (error: RealtimeError) => {
        // A lost connection is not an answer: the channel joins again after the reconnect.
        if (attempt === this.attempt && error.code !== 'disconnected') this.refused(error, rejoin, previous);
      },
    );
  }

  private joined(result: JoinResult<M>, rejoined: boolean): void {
    this.joinedBefore = true;
    // A fresh join starts from where the channel stands now: what came before it is not this member's.
    if (result?.offset !== undefined && result.epoch !== undefined) {
      if (this.stream?.epoch !== result.epoch || result.offset > this.stream.offset) this.stream = { offset: result.offset, epoch: result.epoch };
    }
    this.setState('joined');
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((waiter) => waiter.resolve(result));
    this.events.emit('joined', { channel: this.name, rejoined });
  }

  /** The membership is over, and nothing brings it back by itself: neither a rejoin nor a resume. */
  private kicked(kick: ChannelKicked): void {
    if (this.waiters.length > 0) {
      // A join asked for and not answered yet reaches the server after the kick: its reply decides.
      this.forgetMembership();
      this.setState('joining');
    } else {
      this.wanted = false;
      this.attempt++;
      this.markLeft({ kicked: { reason: kick.reason } });
    }
    this.events.emit('kicked', kick);
  }

  private refused(error: RealtimeError, rejoin: boolean, previous: M | undefined): void {
    if (this.current === 'joined') {
      // A new meta was refused: the membership stands with the meta it had.
      this.meta = previous;
      this.rejectWaiters(error);
      return;
    }
    this.wanted = false;
    this.rejectWaiters(error);
    this.markLeft({ error });
    if (rejoin) {
      this.events.emit('error', error);
      this.link.report(error);
    }
  }

  private markLeft(why: Omit<ChannelLeft, 'channel'> = {}): void {
    this.forgetMembership();
    if (this.setState('left')) this.events.emit('left', { channel: this.name, ...why });
  }

  private forgetMembership(): void {
    this.joinedBefore = false;
    this.stream = undefined;
    this.presence.clear();
    this.sharedState.clear();
  }

  private rejectWaiters(error: RealtimeError): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((waiter) => waiter.reject(error));
  }

  private setState(state: ChannelState): boolean {
    if (this.current === state) return false;
    this.current = state;
    this.events.emit('state', state);
    return true;
  }
}
