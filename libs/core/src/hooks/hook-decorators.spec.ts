import { Reflector } from '@nestjs/core';
import { OnChannel, OnConnection, OnConnectionState, OnPresence } from './decorators';
import { RealtimeHooksMetadataAccessor } from './hooks-metadata.accessor';
import type { ChannelEvent } from './realtime-events';

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
    expect(() => OnConnection(type)).toThrow('@OnConnection: the event type must be "open" or "close"; got "opened".');
    expect(() => OnChannel('publish' as 'message')).toThrow(TypeError);
    expect(() => OnPresence('enter' as 'join')).toThrow(TypeError);
  });

  it('reject an empty channel pattern', () => {
    expect(() => OnChannel('join', '')).toThrow('@OnChannel: the channel pattern must be a non-empty string');
    expect(() => OnPresence('join', '')).toThrow('@OnPresence: the channel pattern must be a non-empty string');
  });

  it('reject a priority that is not a finite number and a filter that is not a function', () => {
    expect(() => OnConnection('open', { priority: Number.NaN })).toThrow('options.priority must be a finite number');
    expect(() => OnConnection('open', { priority: '1' as unknown as number })).toThrow(TypeError);
    expect(() => OnConnection('open', { filter: true as unknown as () => boolean })).toThrow(
      'options.filter must be a function',
    );
  });

  it('reject a connection state that names no state', () => {
    expect(() => OnConnectionState('')).toThrow('@OnConnectionState: the state must be a state name');
    expect(() => OnConnectionState({ from: 3 as unknown as string })).toThrow(TypeError);
  });
});
