import { ChannelRegistry } from './channel/channel.registry';
import type { ChannelLink } from './channel/channel.link';
import type { RealtimeChannel } from './channel/realtime.channel';
import { ConnectionManager } from './connection/connection.manager';
import type { ClientState, RetryScheduled, StateChange } from './connection/connection.state';
import { SessionRecovery } from './connection/session.recovery';
import { ClientMessages } from './error/client.messages';
import { RealtimeError } from './error/realtime.error';
import type { ReadonlyObservableValue } from './events/observable.value';
import { TypedEmitter, Unsubscribe } from './events/typed.emitter';
import { assertEventName, type FrameCodec, frameCodec } from './codec/frame.codec';
import { ProtocolEvent, SERVER_EVENTS } from '@nest-realtime/protocol';
import type { ChannelKicked, DirectMessage, DirectResult, Frame, ReauthResult, ServerEventName, ServerEventPayloads, ServerState, StateDiff, StateSnapshot, Welcome } from '@nest-realtime/protocol';
import { Outbox } from './queue/outbox';
import { SendQueue } from './queue/send.queue';
import { RealtimeClientOptions, resolveClientOptions, ResolvedClientOptions } from './realtime-client.options';
import type { DirectOf, EventsOf, RealtimeSchema, RequestData, RequestResult, RequestsOf } from './realtime-client.schema';
import { RequestTracker } from './request/request.tracker';
import { SharedState } from './shared-state/shared.state';

export interface ClientEvents<S extends RealtimeSchema> {
  /** Every change of `state`. */
  state: StateChange;
  /** A connection is up and the session restored (channels rejoined, queue flushed). */
  connected: Welcome;
  /** An attempt is scheduled. */
  retry: RetryScheduled;
  direct: DirectMessage<DirectOf<S>>;
  /**
   * Server code removed this connection from a channel (`channel:kicked`), after the channel itself
   * reported it; it is not joined again after a reconnect.
   */
  channelKicked: ChannelKicked;
  /** The server's `connection:state` announcements. */
  serverState: ServerState;
  /** Errors no promise reports: error frames, refused rejoins, token failures, listeners that threw. */
  error: RealtimeError;
}

type ServerEventHandlers = { [E in ServerEventName]: (data: ServerEventPayloads[E], frame: Frame) => void };

const SERVER_EVENT_NAMES: ReadonlySet<string> = new Set(SERVER_EVENTS);

export interface RequestOptions {
  /** ms to wait for the reply once the request is written. Default: the client's `requestTimeout`. */
  timeout?: number;
}

/**
 * A client of the realtime protocol: one connection at a time, reconnecting by itself, with channels,
 * presence, shared state, direct messages and application requests. Typed by a `RealtimeSchema`.
 */
export class RealtimeClient<S extends RealtimeSchema = RealtimeSchema> {
  private readonly options: ResolvedClientOptions;
  private readonly codec: FrameCodec;
  private readonly events: TypedEmitter<ClientEvents<S>>;
  private readonly appEvents: TypedEmitter<Record<string, unknown>>;
  private readonly requests: RequestTracker;
  private readonly outbox: Outbox;
  private readonly channels: ChannelRegistry;
  private readonly connection: ConnectionManager;
  private readonly recovery = new SessionRecovery();
  private readonly groupStates = new Map<string, SharedState<any>>();
  private previousWelcome?: Welcome;
  private lostAt?: number;
  /** What each event the server sends does; one entry per event of the protocol. */
  private readonly serverEvents: ServerEventHandlers = {
    // The connection manager takes the first welcome; another one on the same connection is a server bug.
    [ProtocolEvent.Welcome]: () => this.events.emit('error', new RealtimeError('protocol', ClientMessages.secondWelcome())),
    // Any frame is a sign of life, which the heartbeat has noted already.
    [ProtocolEvent.Pong]: () => undefined,
    [ProtocolEvent.Heartbeat]: (settings) => {
      if (!this.connection.adoptHeartbeat(settings)) this.events.emit('error', new RealtimeError('protocol', ClientMessages.badHeartbeat()));
    },
    [ProtocolEvent.State]: (state) => this.events.emit('serverState', state),
    [ProtocolEvent.ChannelMessage]: (message) => this.channels.route(ProtocolEvent.ChannelMessage, message),
    [ProtocolEvent.ChannelKicked]: (data) => {
      if (typeof data?.channel !== 'string') return;
      const kick: ChannelKicked = typeof data.reason === 'string' ? { channel: data.channel, reason: data.reason } : { channel: data.channel };
      this.channels.route(ProtocolEvent.ChannelKicked, kick);
      this.events.emit('channelKicked', kick);
    },
    [ProtocolEvent.ChannelGap]: (gap) => this.channels.route(ProtocolEvent.ChannelGap, gap),
    [ProtocolEvent.PresenceState]: (state) => this.channels.route(ProtocolEvent.PresenceState, state),
    [ProtocolEvent.PresenceDiff]: (diff) => this.channels.route(ProtocolEvent.PresenceDiff, diff),
    [ProtocolEvent.StateSnapshot]: (snapshot) => {
      if (typeof snapshot?.group === 'string') this.groupState(snapshot.group).syncSnapshot(snapshot);
      else this.channels.route(ProtocolEvent.StateSnapshot, snapshot);
    },
    [ProtocolEvent.StateDiff]: (diff) => {
      if (typeof diff?.group === 'string') this.groupState(diff.group).syncDiff(diff);
      else this.channels.route(ProtocolEvent.StateDiff, diff);
    },
    [ProtocolEvent.DirectMessage]: (message) => this.events.emit('direct', message as DirectMessage<DirectOf<S>>),
    [ProtocolEvent.Reply]: (reply, { ref }) => {
      if (ref !== undefined) this.requests.settle(ref, reply);
    },
    [ProtocolEvent.Error]: (error) => this.events.emit('error', RealtimeError.fromBody(error)),
  };

  constructor(options: RealtimeClientOptions) {
    this.options = resolveClientOptions(options);
    this.codec = frameCodec(this.options.encoding);
    const onListenerError = (error: unknown, event: string) => this.listenerFailed(error, event);
    this.events = new TypedEmitter(onListenerError);
    this.appEvents = new TypedEmitter(onListenerError);
    this.requests = new RequestTracker(this.options.requestTimeout);
    this.outbox = new Outbox(new SendQueue(this.options.maxQueuedFrames), this.requests, (wire) => this.connection.send(wire));
    this.channels = new ChannelRegistry(this.channelLink(onListenerError));
    this.connection = new ConnectionManager(
      { ...this.options, welcomeTimeout: this.options.requestTimeout },
      {
        welcomed: (welcome) => this.welcomed(welcome),
        frame: (frame) => this.received(frame),
        lost: (error) => this.lost(error),
        stopped: (error, closed) => this.stopped(error, closed),
        changed: (change) => this.events.emit('state', change),
        retry: (retry) => this.events.emit('retry', retry),
        error: (error) => this.events.emit('error', error),
      },
      onListenerError,
    );
  }

  get state(): ClientState {
    return this.connection.state.value;
  }

  /** The state as an observable value: read `.value`, or `subscribe` (called at once, then on change). */
  get state$(): ReadonlyObservableValue<ClientState> {
    return this.connection.state;
  }

  /** The welcome of the connection that is up (connectionId, clientId, heartbeat). */
  get welcome(): Welcome | undefined {
    return this.connection.welcome;
  }

  /**
   * Starts connecting (and reconnecting) until `disconnect()` or `close()`. Resolves with the welcome of
   * the first connection; rejects when the client stops first (401/403, 1008, 4001, attempts spent).
   */
  connect(): Promise<Welcome> {
    try {
      this.connection.connect();
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.state === 'connected' && this.outbox.isOpen) return Promise.resolve(this.connection.welcome!);
    return new Promise((resolve, reject) => {
      const offConnected = this.events.on('connected', (welcome) => {
        off();
        resolve(welcome);
      });
      const offState = this.events.on('state', (change) => {
        if (change.state !== 'disconnected' && change.state !== 'closed') return;
        off();
        reject(change.error);
      });
      const off = () => {
        offConnected();
        offState();
      };
    });
  }

  /** Closes the connection and stops reconnecting; channels are kept and rejoined by `connect()`. */
  disconnect(): void {
    this.connection.disconnect();
  }

  /** Closes for good: pending requests and queued frames fail with `closed`, channels are left. */
  close(): void {
    this.connection.close();
  }

  /**
   * The channel of that name (one object per name); join it to receive its messages, presence and shared
   * state. Typed by its messages' payload `P`, its presence meta `M` and its shared state `State` (key → value).
   */
  channel<P = unknown, M extends object = Record<string, unknown>, State extends object = Record<string, unknown>>(name: string): RealtimeChannel<P, M, State> {
    return this.channels.channel<P, M, State>(name);
  }

  /**
   * The shared state of a group this client belongs to (server code adds clients to groups and writes
   * their state): read-only here, kept in sync while the client is connected. It fills up from the
   * snapshot the server sends when the client joins the group or connects, even before it is asked for.
   */
  groupState<State extends object = Record<string, unknown>>(name: string): SharedState<State> {
    if (typeof name !== 'string' || name.length === 0) throw new RealtimeError('invalid', ClientMessages.badGroupName(name));
    let state = this.groupStates.get(name);
    if (!state) {
      const reportGap = (scope: string, held: number, got: number) => this.events.emit('error', new RealtimeError('protocol', ClientMessages.stateGap(scope, held, got)));
      state = new SharedState<State>(name, (error, event) => this.listenerFailed(error, event), { onGap: reportGap, keepEarlyDiffs: true });
      this.groupStates.set(name, state);
    }
    return state as SharedState<State>;
  }

  /** Sends an application request and resolves with its handler's result; rejects with its error. */
  request<E extends keyof RequestsOf<S> & string>(event: E, data: RequestData<S, E>, options: RequestOptions = {}): Promise<RequestResult<S, E>> {
    return this.requestFrame(event, data, { timeout: options.timeout });
  }

  /** Sends an application event without waiting for a reply (queued while disconnected). */
  send<E extends keyof RequestsOf<S> & string>(event: E, data: RequestData<S, E>): void {
    if (this.state === 'closed') throw new RealtimeError('closed', ClientMessages.closedByCall());
    assertEventName(event);
    this.outbox.send({ wire: this.codec.encode(event, data) });
  }

  /** Sends a direct message to every connection of a clientId; rejects with `not_found` when it has none. */
  direct(to: string, payload: DirectOf<S>): Promise<DirectResult> {
    return this.requestFrame(ProtocolEvent.DirectSend, { to, payload });
  }

  /**
   * Renews the credentials of the connection that is up (`connection:reauth`), before they expire; resolves
   * with the new expiry (epoch ms, `null`: none). A refused token rejects with the server's code
   * (`unauthorized`: bad, expired, or no `reauthenticate` on the server; `forbidden`: another clientId's) and
   * the old expiry stays. Once accepted, the token is also the one later connection attempts send, in place
   * of a `token` string; a `token` function is still asked before each attempt. Without a connection up it
   * rejects with `disconnected` and sends nothing: the next connection authenticates with its own token.
   */
  async reauth(token: string): Promise<ReauthResult> {
    if (this.state === 'closed') throw new RealtimeError('closed', ClientMessages.closedByCall());
    if (typeof token !== 'string' || token.length === 0) throw new RealtimeError('invalid', ClientMessages.badToken(token));
    // Never queued: sent on a later connection it could shorten the expiry of that connection's own fresh token.
    if (!this.outbox.isOpen) throw new RealtimeError('disconnected', ClientMessages.noConnectionToRenew());
    const result = await this.requestFrame<ReauthResult>(ProtocolEvent.Reauth, { token }, { now: true });
    this.connection.renewToken(token);
    return result;
  }

  on<K extends keyof ClientEvents<S>>(event: K, listener: (value: ClientEvents<S>[K]) => void): Unsubscribe {
    return this.events.on(event, listener);
  }

  once<K extends keyof ClientEvents<S>>(event: K, listener: (value: ClientEvents<S>[K]) => void): Unsubscribe {
    return this.events.once(event, listener);
  }

  /** Listens to an application event the server pushes. */
  onEvent<E extends keyof EventsOf<S> & string>(event: E, listener: (data: EventsOf<S>[E]) => void): Unsubscribe {
    return this.appEvents.on(event, listener as (data: unknown) => void);
  }

  private requestFrame<R>(event: string, data: unknown, { timeout, now = false }: { timeout?: number; now?: boolean } = {}): Promise<R> {
    if (this.state === 'closed') return Promise.reject(new RealtimeError('closed', ClientMessages.closedByCall()));
    const { ref, promise } = this.requests.create<R>(event, timeout);
    try {
      assertEventName(event);
      const frame = { wire: this.codec.encode(event, data, ref), ref };
      if (!now) this.outbox.send(frame);
      else if (!this.outbox.writeNow(frame)) throw new RealtimeError('disconnected', ClientMessages.lostInFlight(event));
    } catch (error) {
      this.requests.fail(ref, error as RealtimeError);
    }
    return promise;
  }

  private channelLink(onListenerError: ChannelLink['onListenerError']): ChannelLink {
    const client = this;
    return {
      get ready() {
        return client.outbox.isOpen;
      },
      request: (event, data) => this.requestFrame(event, data),
      requestNow: (event, data) => this.requestFrame(event, data, { now: true }),
      report: (error) => this.events.emit('error', error),
      onListenerError,
    };
  }

  private welcomed(welcome: Welcome): void {
    const previous = this.previousWelcome;
    this.previousWelcome = welcome;
    const outcome = this.recovery.recover({
      welcome,
      previous,
      lostAt: this.lostAt,
      channels: this.channels,
      requestNow: (event, data) => this.requestFrame(event, data, { now: true }),
    });
    if (typeof outcome === 'boolean') {
      this.restored(welcome, outcome);
      return;
    }
    outcome.then(
      (resumed) => this.restored(welcome, resumed),
      () => this.restored(welcome, false),
    );
  }

  /** Rejoins (unless the server resumed the session), then flushes what waited, in order. */
  private restored(welcome: Welcome, resumed: boolean): void {
    if (this.connection.welcome !== welcome) return;
    if (!resumed) this.channels.restore();
    this.outbox.openAndFlush();
    this.events.emit('connected', welcome);
  }

  private received(frame: Frame): void {
    if (!SERVER_EVENT_NAMES.has(frame.event)) {
      this.appEvents.emit(frame.event, frame.data);
      return;
    }
    const handle = this.serverEvents[frame.event as ServerEventName] as (data: unknown, frame: Frame) => void;
    handle(frame.data, frame);
  }

  private lost(stoppedBy?: RealtimeError): void {
    this.lostAt = Date.now();
    this.outbox.close();
    this.requests.failSent((event) => stoppedBy ?? new RealtimeError('disconnected', ClientMessages.lostInFlight(event)));
    this.channels.connectionLost();
    // Each connection gets its groups' snapshots anew.
    this.groupStates.forEach((state) => state.awaitSnapshot());
  }

  /** Stopping fails everything still pending; what is sent afterwards waits for `connect()`. */
  private stopped(error: RealtimeError, closed: boolean): void {
    this.outbox.discardQueued();
    this.requests.failAll(error);
    this.channels.stopped(error, closed);
    if (closed) this.groupStates.forEach((state) => state.clear());
  }

  private listenerFailed(error: unknown, event: string): void {
    if (event === 'error') {
      console.error(`RealtimeClient: an "error" listener threw`, error);
      return;
    }
    this.events.emit('error', new RealtimeError('listener_failed', ClientMessages.listenerFailed(event), error));
  }
}
