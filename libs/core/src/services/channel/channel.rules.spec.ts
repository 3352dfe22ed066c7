import { resolveRealtimeOptions } from '../../options/realtime-options.resolver';
import { compileChannelRules, DEFAULT_CHANNEL_OPTIONS } from './channel.options';
import { ChannelRules } from './channel.rules';

describe('ChannelRules', () => {
  const rules = new ChannelRules(
    resolveRealtimeOptions({
      channels: [
        { pattern: 'room:vip:*', presence: true, limit: 2 },
        { pattern: 'room:*', presence: true },
        { pattern: 'news:*', publish: 'server' },
      ],
    }),
  );

  it('applies the first rule that matches', () => {
    expect(rules.resolve('room:vip:1')).toEqual({ presence: true, publish: 'members', limit: 2, requiredMeta: [], private: false });
    expect(rules.resolve('room:lobby')).toEqual({ presence: true, publish: 'members', limit: 0, requiredMeta: [], private: false });
    expect(rules.resolve('news:today').publish).toBe('server');
  });

  it('falls back to the defaults when no rule matches', () => {
    expect(rules.resolve('chat')).toBe(DEFAULT_CHANNEL_OPTIONS);
  });

  it('answers the same options object for the same name', () => {
    expect(rules.resolve('room:lobby')).toBe(rules.resolve('room:lobby'));
  });

  it('lets a later rule win only when the earlier ones do not match', () => {
    const ordered = new ChannelRules(
      resolveRealtimeOptions({ channels: [{ pattern: '*', limit: 1 }, { pattern: 'room:*', limit: 5 }] }),
    );

    expect(ordered.resolve('room:1').limit).toBe(1);
  });

  it('checks the default rules a protocol module adds only after the application\'s', () => {
    const withDefaults = new ChannelRules(resolveRealtimeOptions({ channels: [{ pattern: 'presence-lobby', presence: true }] }));
    expect(withDefaults.resolve('presence-room')).toBe(DEFAULT_CHANNEL_OPTIONS);

    withDefaults.addDefaults(compileChannelRules([{ pattern: 'presence-*', presence: true, private: true }]));

    expect(withDefaults.resolve('presence-lobby').private).toBe(false);
    expect(withDefaults.resolve('presence-room')).toMatchObject({ presence: true, private: true });
    expect(withDefaults.resolve('chat')).toBe(DEFAULT_CHANNEL_OPTIONS);
  });
});
