import { Backoff } from '../backoff/backoff';
import type { ResolvedReconnectOptions } from '../backoff/backoff.options';
import { ClientMessages } from '../error/client.messages';
import { RealtimeError } from '../error/realtime.error';
import { ObservableValue } from '../events/observable.value';
import type { ListenerErrorHandler } from '../events/typed.emitter';
import { type FrameCodec, frameCodec, type WireFrame } from '../codec/frame.codec';
import { CloseCode, ProtocolEvent } from '@nest-realtime/protocol';
import type { Frame, FrameEncoding, HeartbeatSettings, Welcome } from '@nest-realtime/protocol';
import type { Transport, TransportClose, TransportSocket } from '../transport/transport.interface';
import { decideAfterClose } from './close.policy';
import type { ClientState, RetryScheduled, StateChange } from './connection.state';
import { HeartbeatMonitor } from './heartbeat.monitor';

export type TokenProvider = () => string | null | undefined | Promise<string | null | undefined>;

export interface ConnectionSettings {
  url: string;
  token?: string | TokenProvider;
  params: Record<string, string>;
  transport: Transport;
  reconnect: ResolvedReconnectOptions;
  /** ms to wait for the welcome after the upgrade. */
  welcomeTimeout: number;
  /** Default `'json'`. */
  encoding?: FrameEncoding;
}

/** What the client does with the connection's events. */
export interface ConnectionHooks {
  /** A connection is up; the state is `connected`. */
  welcomed(welcome: Welcome): void;
  frame(frame: Frame): void;
  /** The connection that was up is gone (before the state changes); `error` when the client stopped it. */
  lost(error?: RealtimeError): void;
  /** The client stopped trying: `disconnected`, or `closed` for good. */
  stopped(error: RealtimeError, closed: boolean): void;
  changed(change: StateChange): void;
  retry(retry: RetryScheduled): void;
  error(error: RealtimeError): void;
}

const DEFAULT_HEARTBEAT: HeartbeatSettings = { interval: 25_000, timeout: 60_000 };

function isPositive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function isHeartbeat(heartbeat: Partial<HeartbeatSettings> | null | undefined): heartbeat is HeartbeatSettings {
  return isPositive(heartbeat?.interval) && isPositive(heartbeat?.timeout) && heartbeat.timeout > heartbeat.interval;
}

function readWelcome(data: unknown): Welcome | null {
  const welcome = data as Partial<Welcome> | null;
  if (typeof welcome?.connectionId !== 'string' || typeof welcome.clientId !== 'string') return null;
  return { ...(welcome as Welcome), heartbeat: isHeartbeat(welcome.heartbeat) ? welcome.heartbeat : DEFAULT_HEARTBEAT };
}

/**
 * The socket's life: attempts with a fresh token each, the welcome, the heartbeat, and what follows a
 * close (reconnect after a backoff delay, or stop). One socket at a time; a generation number makes
 * the events of a socket that was replaced or dropped harmless.
 */
export class ConnectionManager {
  readonly state: ObservableValue<ClientState>;
  private readonly backoff: Backoff;
  private socket?: TransportSocket;
  private current?: Welcome;
  private generation = 0;
  private hadConnection = false;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private welcomeTimer?: ReturnType<typeof setTimeout>;
  private heartbeat?: HeartbeatMonitor;
  private token?: string | TokenProvider;
  private readonly codec: FrameCodec;

  constructor(
    private readonly settings: ConnectionSettings,
    private readonly hooks: ConnectionHooks,
    onListenerError: ListenerErrorHandler,
  ) {
    this.state = new ObservableValue<ClientState>('disconnected', onListenerError, 'state');
    this.backoff = new Backoff(settings.reconnect);
    this.token = settings.token;
    this.codec = frameCodec(settings.encoding ?? 'json');
  }

  /** The welcome of the connection that is up; its `heartbeat` is the one in force (see `adoptHeartbeat`). */
  get welcome(): Welcome | undefined {
    return this.current;
  }

  /** `connection:heartbeat`: the server changed the interval and timeout; false when they are not valid. */
  adoptHeartbeat(data: unknown): boolean {
    const heartbeat = data as Partial<HeartbeatSettings> | null;
    if (!isHeartbeat(heartbeat)) return false;
    const settings = { interval: heartbeat.interval, timeout: heartbeat.timeout };
    this.heartbeat?.adopt(settings);
    if (this.current) this.current = { ...this.current, heartbeat: settings };
    return true;
  }

  connect(): void {
    if (this.state.value === 'closed') throw new RealtimeError('closed', ClientMessages.closedByCall());
    if (this.state.value !== 'disconnected') return;
    this.backoff.reset();
    this.hadConnection = false;
    this.setState('connecting');
    void this.attempt();
  }

  disconnect(): void {
    if (this.state.value === 'disconnected' || this.state.value === 'closed') return;
    this.stop('disconnected', new RealtimeError('disconnected', ClientMessages.disconnectedByCall()));
  }

  close(): void {
    if (this.state.value === 'closed') return;
    this.stop('closed', new RealtimeError('closed', ClientMessages.closedByCall()));
  }

  /**
   * Credentials the server accepted on the connection that is up (`connection:reauth`): later attempts
   * send them instead of the `token` option's string. A token function stays the source of tokens.
   */
  renewToken(token: string): void {
    if (typeof this.token !== 'function') this.token = token;
  }

  /** Writes to the connection that is up; false when there is none. */
  send(wire: WireFrame): boolean {
    if (!this.current || !this.socket) return false;
    this.socket.send(wire);
    return true;
  }

  private async attempt(): Promise<void> {
    const generation = ++this.generation;
    let token: string | null | undefined;
    try {
      token = await this.resolveToken();
    } catch (error) {
      if (generation !== this.generation) return;
      const failure = new RealtimeError('token_failed', ClientMessages.tokenFailed(error), error);
      this.hooks.error(failure);
      this.retry({ error: failure });
      return;
    }
    if (generation !== this.generation) return;
    if (this.token !== undefined && !token) {
      this.stop('disconnected', new RealtimeError('unauthorized', ClientMessages.noToken()));
      return;
    }
    try {
      this.socket = this.settings.transport(this.urlWith(token ?? undefined), [this.codec.subprotocol], {
        open: () => undefined,
        message: (wire) => generation === this.generation && this.received(wire),
        ping: () => generation === this.generation && this.heartbeat?.seen(),
        close: (close) => generation === this.generation && this.ended(close),
      });
    } catch (error) {
      // A runtime may refuse to open a socket at all (a content security policy, a bad transport).
      this.hooks.error(new RealtimeError('protocol', ClientMessages.openFailed(error), error));
      this.retry({ close: { code: CloseCode.Abnormal, reason: 'could not open' } });
      return;
    }
    this.welcomeTimer = setTimeout(() => {
      if (generation !== this.generation) return;
      this.hooks.error(new RealtimeError('protocol', ClientMessages.noWelcome(this.settings.welcomeTimeout)));
      this.drop({ code: CloseCode.HeartbeatTimeout, reason: 'no welcome' });
    }, this.settings.welcomeTimeout);
  }

  private resolveToken(): string | null | undefined | Promise<string | null | undefined> {
    const token = this.token;
    return typeof token === 'function' ? token() : token;
  }

  private urlWith(token: string | undefined): string {
    const url = new URL(this.settings.url);
    for (const [name, value] of Object.entries(this.settings.params)) url.searchParams.set(name, value);
    if (token !== undefined) url.searchParams.set('token', token);
    return url.toString();
  }

  private received(wire: WireFrame): void {
    this.heartbeat?.seen();
    const frame = this.codec.decode(wire);
    if (!frame) {
      this.hooks.error(new RealtimeError('protocol', ClientMessages.badFrame(wire)));
      return;
    }
    if (this.current) this.hooks.frame(frame);
    else if (frame.event === ProtocolEvent.Welcome) this.welcomed(frame.data);
  }

  private welcomed(data: unknown): void {
    const welcome = readWelcome(data);
    if (!welcome) {
      this.hooks.error(new RealtimeError('protocol', ClientMessages.badWelcome()));
      this.drop({ code: CloseCode.HeartbeatTimeout, reason: 'bad welcome' });
      return;
    }
    clearTimeout(this.welcomeTimer);
    this.current = welcome;
    this.hadConnection = true;
    this.backoff.connected();
    this.heartbeat = new HeartbeatMonitor(welcome.heartbeat, this.socket!.seesPings, {
      ping: () => this.send(this.codec.encode(ProtocolEvent.Ping, { t: Date.now() })),
      dead: () => this.drop({ code: CloseCode.HeartbeatTimeout, reason: 'heartbeat timeout' }),
    });
    this.heartbeat.start();
    this.setState('connected');
    this.hooks.welcomed(welcome);
  }

  /** Gives up on a socket that is silent or broken, without waiting for its peer. */
  private drop(close: TransportClose): void {
    this.socket?.abort();
    this.ended(close);
  }

  private ended(close: TransportClose): void {
    this.generation++;
    this.release();
    const decision = decideAfterClose(close);
    if (!decision.reconnect) {
      this.stop('disconnected', decision.error, close);
      return;
    }
    this.retry({ close, restart: decision.restart });
  }

  private retry({ close, error, restart = false }: { close?: TransportClose; error?: RealtimeError; restart?: boolean }): void {
    const delay = this.backoff.next({ restart });
    if (delay === null) {
      this.stop('disconnected', new RealtimeError('gave_up', ClientMessages.gaveUp(this.backoff.attempts)), close);
      return;
    }
    this.setState(this.hadConnection ? 'reconnecting' : 'connecting', { close, error });
    this.hooks.retry({ attempt: this.backoff.attempts, delay, close, error });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.attempt();
    }, delay);
  }

  private stop(state: 'disconnected' | 'closed', error: RealtimeError, close?: TransportClose): void {
    this.generation++;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const socket = this.socket;
    this.release(error);
    socket?.close(CloseCode.Normal, 'client closed');
    this.setState(state, { error, close });
    this.hooks.stopped(error, state === 'closed');
  }

  /** Forgets the socket; tells the client when a connection that was up is gone. */
  private release(error?: RealtimeError): void {
    clearTimeout(this.welcomeTimer);
    this.heartbeat?.stop();
    this.heartbeat = undefined;
    this.socket = undefined;
    const wasUp = this.current !== undefined;
    this.current = undefined;
    if (wasUp) this.hooks.lost(error);
  }

  private setState(state: ClientState, detail: Omit<StateChange, 'state' | 'previous'> = {}): void {
    const previous = this.state.value;
    if (!this.state.set(state)) return;
    this.hooks.changed({ state, previous, ...detail });
  }
}
