import { Controller, Injectable, Logger, Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test, TestingModule } from '@nestjs/testing';
import { Subject } from 'rxjs';
import { ChannelService } from '../services/channel/channel.service';
import { ConnectionService } from '../services/connection/connection.service';
import { ConnectionStateService } from '../services/connection/connection-state.service';
import { PresenceService } from '../services/presence/presence.service';
import { REALTIME_OPTIONS } from '../realtime.constants';
import { resolveHooksOptions } from '../options/hooks-options.resolver';
import { OnChannel, OnConnection, OnConnectionState, OnPresence } from './decorators';
import { HOOK_FAILED, HOOK_STREAM_FAILED } from '../realtime.messages';
import { RealtimeHooksMetadataAccessor } from './hooks-metadata.accessor';
import { RealtimeHooksExplorer } from './hooks.explorer';
import { RealtimeHooksRunner } from './hooks.runner';
import type { ChannelEvent, ConnectionEvent, ConnectionStateChange, PresenceEvent } from './realtime-events';

/** What the hooks did, in order, with a way to wait for it instead of sleeping. */
@Injectable()
class Calls {
  readonly list: string[] = [];
  private readonly waiters: { call: string; resolve: () => void }[] = [];

  record(call: string): void {
    this.list.push(call);
    for (const waiter of this.waiters.filter((w) => w.call === call)) waiter.resolve();
  }

  until(call: string): Promise<void> {
    if (this.list.includes(call)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ call, resolve }));
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

const connection = (type: ConnectionEvent['type'], connectionId = 'c1'): ConnectionEvent => ({
  type,
  connectionId,
  clientId: 'alice',
  claims: {},
  at: 1,
});
const stateChange = (from: string | null, to: string, connectionId = 'c1'): ConnectionStateChange => ({
  connectionId,
  clientId: 'alice',
  from,
  to,
  at: 1,
});
const presence = (type: PresenceEvent['type'], channel: string, clientId = 'alice'): PresenceEvent => ({
  type,
  channel,
  clientId,
  connectionId: 'c1',
  meta: {},
  at: 1,
});
const channelEvent = (type: ChannelEvent['type'], channel: string, payload?: unknown): ChannelEvent => ({
  type,
  channel,
  connectionId: 'c1',
  clientId: 'alice',
  payload,
  at: 1,
});

class Streams {
  readonly connection = new Subject<ConnectionEvent>();
  readonly state = new Subject<ConnectionStateChange>();
  readonly presence = new Subject<PresenceEvent>();
  readonly channel = new Subject<ChannelEvent>();
  readonly message = new Subject<ChannelEvent>();

  all(): Subject<unknown>[] {
    return [this.connection, this.state, this.presence, this.channel, this.message] as Subject<unknown>[];
  }
}

interface HooksApp {
  app: TestingModule;
  streams: Streams;
  calls: Calls;
}

async function start(hooks: { providers?: Type[]; controllers?: Type[] }): Promise<HooksApp> {
  const streams = new Streams();
  const app = await Test.createTestingModule({
    imports: [DiscoveryModule],
    controllers: hooks.controllers ?? [],
    providers: [
      RealtimeHooksRunner,
      RealtimeHooksExplorer,
      RealtimeHooksMetadataAccessor,
      Calls,
      { provide: REALTIME_OPTIONS, useValue: { logLevels: ['error', 'warn'], hooks: resolveHooksOptions(undefined) } },
      { provide: ConnectionService, useValue: { connection$: streams.connection } },
      { provide: ConnectionStateService, useValue: { connectionState$: streams.state } },
      { provide: PresenceService, useValue: { presence$: streams.presence } },
      { provide: ChannelService, useValue: { channel$: streams.channel, message$: streams.message } },
      ...(hooks.providers ?? []),
    ],
  }).compile();
  await app.init();
  return { app, streams, calls: app.get(Calls) };
}

describe('RealtimeHooksRunner', () => {
  let running: HooksApp | undefined;

  afterEach(async () => {
    jest.restoreAllMocks();
    await running?.app.close();
    running = undefined;
  });

  describe('binding', () => {
    @Injectable()
    class ProviderHooks {
      constructor(private readonly calls: Calls) {}

      @OnConnection('open')
      opened(event: ConnectionEvent) {
        this.calls.record(`provider:${event.connectionId}`);
      }
    }

    @Controller()
    class ControllerHooks {
      constructor(private readonly calls: Calls) {}

      @OnConnection('open', { priority: -1 })
      opened(event: ConnectionEvent) {
        this.calls.record(`controller:${event.connectionId}`);
      }
    }

    @Injectable()
    class StackedHooks {
      constructor(private readonly calls: Calls) {}

      @OnConnection('open', { priority: 1 })
      @OnConnection('close', { priority: 1 })
      either(event: ConnectionEvent) {
        this.calls.record(`stacked:${event.type}`);
      }
    }

    it('runs the hooks the explorer finds on providers and controllers', async () => {
      running = await start({ providers: [ProviderHooks], controllers: [ControllerHooks] });
      running.streams.connection.next(connection('open', 'c1'));
      await running.calls.until('controller:c1');

      expect(running.calls.list).toEqual(['provider:c1', 'controller:c1']);
    });

    it('binds one method to every event its decorators name', async () => {
      running = await start({ providers: [StackedHooks] });
      running.streams.connection.next(connection('open'));
      running.streams.connection.next(connection('close'));
      await running.calls.until('stacked:close');

      expect(running.calls.list).toEqual(['stacked:open', 'stacked:close']);
    });
  });

  describe('order', () => {
    @Injectable()
    class RankedHooks {
      constructor(private readonly calls: Calls) {}

      @OnChannel('join', { priority: -5 })
      last() {
        this.calls.record('last');
      }

      @OnChannel('join')
      defaultA() {
        this.calls.record('default-a');
      }

      @OnChannel('join', { priority: 10 })
      first() {
        this.calls.record('first');
      }

      @OnChannel('join', { priority: 0 })
      defaultB() {
        this.calls.record('default-b');
      }
    }

    @Injectable()
    class SlowHooks {
      readonly release = deferred();

      constructor(private readonly calls: Calls) {}

      @OnPresence('join', { priority: 2 })
      async slow() {
        this.calls.record('slow:start');
        await this.release.promise;
        this.calls.record('slow:end');
      }

      @OnPresence('join', { priority: 1 })
      async next() {
        this.calls.record('next');
      }
    }

    it('runs hooks of one event in priority order, ties in discovery order', async () => {
      running = await start({ providers: [RankedHooks] });
      running.streams.channel.next(channelEvent('join', 'room:1'));
      await running.calls.until('last');

      expect(running.calls.list).toEqual(['first', 'default-a', 'default-b', 'last']);
    });

    it('awaits an async hook before running the next hook of the event', async () => {
      running = await start({ providers: [SlowHooks] });
      const hooks = running.app.get(SlowHooks);
      running.streams.presence.next(presence('join', 'room:1'));
      await running.calls.until('slow:start');

      expect(running.calls.list).toEqual(['slow:start']);

      hooks.release.resolve();
      await running.calls.until('next');
      expect(running.calls.list).toEqual(['slow:start', 'slow:end', 'next']);
    });
  });

  describe('selection', () => {
    @Injectable()
    class SelectiveHooks {
      constructor(private readonly calls: Calls) {}

      @OnChannel('message', 'room:*')
      roomMessage(event: ChannelEvent) {
        this.calls.record(`room-message:${event.channel}`);
      }

      @OnChannel('message')
      anyMessage(event: ChannelEvent) {
        this.calls.record(`any-message:${event.channel}`);
      }

      @OnChannel('leave', 'room:*')
      roomLeave(event: ChannelEvent) {
        this.calls.record(`room-leave:${event.channel}`);
      }

      @OnPresence('update', 'lobby')
      lobbyUpdate(event: PresenceEvent) {
        this.calls.record(`lobby-update:${event.clientId}`);
      }

      @OnChannel('message', { filter: (event) => (event.payload as { urgent?: boolean }).urgent === true })
      urgent(event: ChannelEvent) {
        this.calls.record(`urgent:${event.channel}`);
      }
    }

    it('limits a channel hook to channels matching its pattern', async () => {
      running = await start({ providers: [SelectiveHooks] });
      running.streams.message.next(channelEvent('message', 'lobby', {}));
      running.streams.message.next(channelEvent('message', 'room:7', {}));
      await running.calls.until('any-message:room:7');

      expect(running.calls.list).toEqual(['any-message:lobby', 'room-message:room:7', 'any-message:room:7']);
    });

    it('takes join and leave from channel$ and messages from message$', async () => {
      running = await start({ providers: [SelectiveHooks] });
      running.streams.channel.next(channelEvent('join', 'room:1'));
      running.streams.channel.next(channelEvent('leave', 'room:1'));
      await running.calls.until('room-leave:room:1');

      expect(running.calls.list).toEqual(['room-leave:room:1']);
    });

    it('limits a presence hook to channels matching its pattern', async () => {
      running = await start({ providers: [SelectiveHooks] });
      running.streams.presence.next(presence('update', 'lobby:2', 'bob'));
      running.streams.presence.next(presence('join', 'lobby', 'bob'));
      running.streams.presence.next(presence('update', 'lobby', 'alice'));
      await running.calls.until('lobby-update:alice');

      expect(running.calls.list).toEqual(['lobby-update:alice']);
    });

    it('skips a hook for events its filter turns down', async () => {
      running = await start({ providers: [SelectiveHooks] });
      running.streams.message.next(channelEvent('message', 'news', { urgent: false }));
      running.streams.message.next(channelEvent('message', 'alerts', { urgent: true }));
      await running.calls.until('urgent:alerts');

      expect(running.calls.list).toEqual(['any-message:news', 'any-message:alerts', 'urgent:alerts']);
    });
  });

  describe('connection state', () => {
    @Injectable()
    class StateHooks {
      constructor(private readonly calls: Calls) {}

      @OnConnectionState('idle')
      enteredIdle(change: ConnectionStateChange) {
        this.calls.record(`idle:${change.from}`);
      }

      @OnConnectionState({ from: 'idle', to: 'connected' })
      woke(change: ConnectionStateChange) {
        this.calls.record(`woke:${change.connectionId}`);
      }

      @OnConnectionState({ from: 'connected' })
      leftConnected(change: ConnectionStateChange) {
        this.calls.record(`left-connected:${change.to}`);
      }

      @OnConnectionState({})
      any(change: ConnectionStateChange) {
        this.calls.record(`any:${change.from}>${change.to}`);
      }
    }

    it('matches a state by the one entered, or by a from/to pair', async () => {
      running = await start({ providers: [StateHooks] });
      const change = async (from: string | null, to: string, connectionId: string) => {
        running!.streams.state.next(stateChange(from, to, connectionId));
        // `any` is discovered last, so it closes the run of every change.
        await running!.calls.until(`any:${from}>${to}`);
      };
      await change(null, 'connected', 'c1');
      await change('connected', 'idle', 'c1');
      await change('reconnecting', 'connected', 'c2');
      await change('idle', 'connected', 'c1');

      expect(running.calls.list).toEqual([
        'any:null>connected',
        'idle:connected',
        'left-connected:idle',
        'any:connected>idle',
        'any:reconnecting>connected',
        'woke:c1',
        'any:idle>connected',
      ]);
    });
  });

  describe('failures', () => {
    @Injectable()
    class FailingHooks {
      constructor(private readonly calls: Calls) {}

      @OnConnection('close', { priority: 4 })
      throws() {
        throw new Error('sync boom');
      }

      @OnConnection('close', { priority: 3 })
      async rejects() {
        throw new Error('async boom');
      }

      @OnConnection('close', {
        priority: 2,
        filter: () => {
          throw new Error('filter boom');
        },
      })
      neverRuns() {
        this.calls.record('filtered');
      }

      @OnConnection('close', { priority: 1 })
      survives(event: ConnectionEvent) {
        this.calls.record(`survived:${event.connectionId}`);
      }
    }

    it('logs a hook that throws or rejects, and still runs the others', async () => {
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      running = await start({ providers: [FailingHooks] });
      running.streams.connection.next(connection('close', 'c9'));
      await running.calls.until('survived:c9');

      expect(running.calls.list).toEqual(['survived:c9']);
      expect(error.mock.calls.map(([message]) => message)).toEqual([
        HOOK_FAILED('FailingHooks.throws', 'connection close of c9'),
        HOOK_FAILED('FailingHooks.rejects', 'connection close of c9'),
        HOOK_FAILED('FailingHooks.neverRuns', 'connection close of c9'),
      ]);
      expect(error.mock.calls.map(([, stack]) => stack)).toEqual([
        expect.stringContaining('sync boom'),
        expect.stringContaining('async boom'),
        expect.stringContaining('filter boom'),
      ]);
    });

    it('keeps running the hooks of later events after a failure', async () => {
      jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      running = await start({ providers: [FailingHooks] });
      running.streams.connection.next(connection('close', 'c1'));
      running.streams.connection.next(connection('close', 'c2'));
      await running.calls.until('survived:c2');

      expect(running.calls.list).toEqual(['survived:c1', 'survived:c2']);
    });

    it('logs a stream that fails, rather than letting the error escape', async () => {
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      running = await start({ providers: [FailingHooks] });
      running.streams.connection.error(new Error('stream boom'));

      expect(error).toHaveBeenCalledWith(HOOK_STREAM_FAILED('connection$'), expect.stringContaining('stream boom'));
    });
  });

  describe('queues', () => {
    @Injectable()
    class StuckPresence {
      constructor(private readonly calls: Calls) {}

      @OnPresence('join')
      stuck(event: PresenceEvent): Promise<void> {
        this.calls.record(`stuck:${event.clientId}`);
        return new Promise(() => undefined);
      }

      @OnChannel('message')
      said(event: ChannelEvent) {
        this.calls.record(`said:${event.channel}`);
      }

      @OnConnection('close')
      closed(event: ConnectionEvent) {
        this.calls.record(`closed:${event.connectionId}`);
      }
    }

    it("holds up its own stream's later events behind a stuck hook, and no other stream", async () => {
      running = await start({ providers: [StuckPresence] });
      const { streams, calls } = running;
      streams.presence.next(presence('join', 'room:1', 'alice'));
      streams.presence.next(presence('join', 'room:1', 'bob'));
      streams.message.next(channelEvent('message', 'room:1'));
      streams.connection.next(connection('close', 'c7'));
      await calls.until('closed:c7');
      await calls.until('said:room:1');

      expect(calls.list).toEqual(['stuck:alice', 'said:room:1', 'closed:c7']);
      expect(running.app.get(RealtimeHooksRunner).queues()).toEqual([
        { queue: 'connection$', depth: 0, dropped: 0 },
        { queue: 'connectionState$', depth: 0, dropped: 0 },
        { queue: 'presence$', depth: 1, dropped: 0 },
        { queue: 'channel$', depth: 0, dropped: 0 },
        { queue: 'message$', depth: 0, dropped: 0 },
      ]);
    });
  });

  describe('subscriptions', () => {
    @Injectable()
    class BusyHooks {
      constructor(private readonly calls: Calls) {}

      @OnChannel('message')
      one() {
        this.calls.record('one');
      }

      @OnChannel('message', 'room:*')
      two() {
        this.calls.record('two');
      }

      @OnChannel('message', { priority: -1 })
      three() {
        this.calls.record('three');
      }

      @OnPresence('leave')
      gone() {
        this.calls.record('gone');
      }
    }

    it('subscribes once per stream that has hooks', async () => {
      const streams = new Streams();
      const subscribes = streams.all().map((subject) => jest.spyOn(subject, 'subscribe'));
      const app = await Test.createTestingModule({
        imports: [DiscoveryModule],
        providers: [
          RealtimeHooksRunner,
          RealtimeHooksExplorer,
          RealtimeHooksMetadataAccessor,
          Calls,
          BusyHooks,
          { provide: REALTIME_OPTIONS, useValue: { logLevels: [], hooks: resolveHooksOptions(undefined) } },
          { provide: ConnectionService, useValue: { connection$: streams.connection } },
          { provide: ConnectionStateService, useValue: { connectionState$: streams.state } },
          { provide: PresenceService, useValue: { presence$: streams.presence } },
          { provide: ChannelService, useValue: { channel$: streams.channel, message$: streams.message } },
        ],
      }).compile();
      running = { app, streams, calls: app.get(Calls) };
      await app.init();

      // connection$, connectionState$, presence$, channel$, message$
      expect(subscribes.map((spy) => spy.mock.calls.length)).toEqual([0, 0, 1, 0, 1]);
    });

    it('unsubscribes from every stream when the application closes', async () => {
      running = await start({ providers: [BusyHooks] });
      const { app, streams, calls } = running;
      expect(streams.message.observed).toBe(true);
      expect(streams.presence.observed).toBe(true);

      await app.close();
      running = undefined;
      streams.message.next(channelEvent('message', 'room:1'));
      streams.presence.next(presence('leave', 'room:1'));

      expect(streams.all().map((subject) => subject.observed)).toEqual([false, false, false, false, false]);
      expect(calls.list).toEqual([]);
    });
  });
});
