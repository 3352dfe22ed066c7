import { Reflector } from '@nestjs/core';
import { OnChannel, OnConnection, OnConnectionState, OnPresence } from './decorators';
import { RealtimeHooksMetadataAccessor } from './hooks-metadata.accessor';
import type { ChannelEvent } from './realtime-events';
import { DECORATOR_MISUSE, NOT_A_METHOD } from '../realtime.messages';

const accessor = new RealtimeHooksMetadataAccessor(new Reflector());

describe('hook decorators', () => {
  it('record each binding on the method, in the order they are written', () => {
    const isBot = (event: ChannelEvent) => event.clientId === 'bot';
    class Hooks {
      @OnChannel('message', 'room:*', { priority: 3, filter: isBot })
      @OnPresence('leave', { priority: 1 })
      @OnConnectionState('idle')
      @OnConnectionState({ from: 'idle', to: 'connected' })
      @OnConnection('open')
      handle() {}

      plain() {}
    }

    expect(accessor.getHooks(Hooks.prototype.handle)).toEqual([
      { kind: 'channel', type: 'message', pattern: 'room:*', options: { priority: 3, filter: isBot } },
      { kind: 'presence', type: 'leave', pattern: undefined, options: { priority: 1 } },
      { kind: 'connection-state', match: { to: 'idle' }, options: {} },
      { kind: 'connection-state', match: { from: 'idle', to: 'connected' }, options: {} },
      { kind: 'connection', type: 'open', options: {} },
    ]);
    expect(accessor.getHooks(Hooks.prototype.plain)).toEqual([]);
  });

  it('reject an unknown event type when the class is defined', () => {
    const type = 'opened' as 'open';
    expect(() => OnConnection(type)).toThrow(DECORATOR_MISUSE('OnConnection', 'the event type', '"open" or "close"', 'opened'));
    expect(() => OnChannel('publish' as 'message')).toThrow(TypeError);
    expect(() => OnPresence('enter' as 'join')).toThrow(TypeError);
  });

  it('bind a presence status hook, taking state as another name for status', () => {
    class Hooks {
      @OnPresence('status', 'desk:*')
      status() {}

      @OnPresence('state')
      state() {}
    }

    expect(accessor.getHooks(Hooks.prototype.status)).toEqual([{ kind: 'presence', type: 'status', pattern: 'desk:*', options: {} }]);
    expect(accessor.getHooks(Hooks.prototype.state)).toEqual([{ kind: 'presence', type: 'status', pattern: undefined, options: {} }]);
  });

  it('reject an empty channel pattern', () => {
    expect(() => OnChannel('join', '')).toThrow(DECORATOR_MISUSE('OnChannel', 'the channel pattern', 'a non-empty string such as "room:*"', ''));
    expect(() => OnPresence('join', '')).toThrow(DECORATOR_MISUSE('OnPresence', 'the channel pattern', 'a non-empty string such as "room:*"', ''));
  });

  it('reject a priority that is not a finite number and a filter that is not a function', () => {
    expect(() => OnConnection('open', { priority: Number.NaN })).toThrow(
      DECORATOR_MISUSE('OnConnection', 'options.priority', 'a finite number', Number.NaN),
    );
    expect(() => OnConnection('open', { priority: '1' as unknown as number })).toThrow(TypeError);
    expect(() => OnConnection('open', { filter: true as unknown as () => boolean })).toThrow(
      DECORATOR_MISUSE('OnConnection', 'options.filter', 'a function', true),
    );
  });

  it('reject a connection state that names no state', () => {
    expect(() => OnConnectionState('')).toThrow(
      DECORATOR_MISUSE('OnConnectionState', 'the state', 'a state name or { from?, to? } with state names', ''),
    );
    expect(() => OnConnectionState({ from: 3 as unknown as string })).toThrow(TypeError);
  });

  it('reject anything but a method', () => {
    const decorate = OnConnection('open') as unknown as (target: object, key: string, descriptor: PropertyDescriptor) => void;

    expect(() => decorate({}, 'count', { value: 3 })).toThrow(NOT_A_METHOD('OnConnection', 'count'));
  });
});
