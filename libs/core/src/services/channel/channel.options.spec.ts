import { compileChannelRules, DEFAULT_CHANNEL_OPTIONS, isValidChannelName } from './channel.options';

/** Whether a rule with this pattern applies to the channel name. */
function matchesPattern(pattern: string, name: string): boolean {
  return compileChannelRules([{ pattern }])[0].matcher.test(name);
}

describe('channel options', () => {
  describe('rule patterns', () => {
    it('treats * as any run of characters, including none', () => {
      expect(matchesPattern('room:*', 'room:42')).toBe(true);
      expect(matchesPattern('room:*', 'room:')).toBe(true);
      expect(matchesPattern('room:*:chat', 'room:a:b:chat')).toBe(true);
      expect(matchesPattern('*', 'anything')).toBe(true);
    });

    it('matches the whole name, not a part of it', () => {
      expect(matchesPattern('room:*', 'my-room:1')).toBe(false);
      expect(matchesPattern('room', 'room:1')).toBe(false);
      expect(matchesPattern('room:*:chat', 'room:1:chat:old')).toBe(false);
    });

    it('takes every other character literally, regular-expression characters included', () => {
      expect(matchesPattern('a.b', 'a.b')).toBe(true);
      expect(matchesPattern('a.b', 'axb')).toBe(false);
      expect(matchesPattern('(x)+[y]?', '(x)+[y]?')).toBe(true);
      expect(matchesPattern('(x)+[y]?', 'xxy')).toBe(false);
      expect(matchesPattern('cost:$1^', 'cost:$1^')).toBe(true);
    });
  });

  describe('compileChannelRules', () => {
    it('fills in the defaults and keeps the order of the rules', () => {
      const rules = compileChannelRules([
        { pattern: 'feed:*', publish: 'server' },
        { pattern: 'room:*', presence: true, limit: 10, requiredMeta: ['name'] },
      ]);

      expect(rules.map((rule) => rule.pattern)).toEqual(['feed:*', 'room:*']);
      expect(rules[0].options).toEqual({ presence: false, publish: 'server', limit: 0, requiredMeta: [], private: false });
      expect(rules[1].options).toEqual({ presence: true, publish: 'members', limit: 10, requiredMeta: ['name'], private: false });
    });

    it('copies requiredMeta so a later change to the rule does not leak in', () => {
      const requiredMeta = ['name'];
      const [rule] = compileChannelRules([{ pattern: 'room:*', requiredMeta }]);
      requiredMeta.push('avatar');

      expect(rule.options.requiredMeta).toEqual(['name']);
    });

    it('keeps history only when asked, with the defaults for true or a partial object', () => {
      const rules = compileChannelRules([
        { pattern: 'a', history: true },
        { pattern: 'b', history: { size: 10 } },
        { pattern: 'c', history: { size: 5, ttl: 2000 } },
        { pattern: 'd', history: false },
      ]);

      expect(rules.map((rule) => rule.options.history)).toEqual([{ size: 100, ttl: 300_000 }, { size: 10, ttl: 300_000 }, { size: 5, ttl: 2000 }, undefined]);
    });

    it.each<[unknown, string]>([
      ['yes', 'option "channels[0].history" must be true, false or {size?, ttl?}; got "yes".'],
      [{ size: 0 }, 'option "channels[0].history.size" must be an integer from 1 to 100000; got 0.'],
      [{ size: 1.5 }, 'option "channels[0].history.size" must be an integer from 1 to 100000; got 1.5.'],
      [{ ttl: -1 }, 'option "channels[0].history.ttl" must be an integer ≥ 1; got -1.'],
    ])('refuses history %j, naming the option', (history, message) => {
      expect(() => compileChannelRules([{ pattern: 'x', history } as never])).toThrow(message);
    });

    it('has frozen defaults', () => {
      expect(Object.isFrozen(DEFAULT_CHANNEL_OPTIONS)).toBe(true);
      expect(DEFAULT_CHANNEL_OPTIONS).toEqual({ presence: false, publish: 'members', limit: 0, requiredMeta: [], private: false });
    });
  });

  describe('presence statuses', () => {
    const statusesOf = (statuses: unknown, presence = true) => compileChannelRules([{ pattern: 'room:*', presence, statuses } as never])[0].options.statuses;

    it('leaves channels without statuses as they were', () => {
      expect(compileChannelRules([{ pattern: 'room:*', presence: true }])[0].options).not.toHaveProperty('statuses');
    });

    it('starts members in the first status and lets clients set any, with no timeout, by default', () => {
      expect(statusesOf({ statuses: ['online', 'away', 'busy'] })).toEqual({
        statuses: ['online', 'away', 'busy'],
        initial: 'online',
        settable: ['online', 'away', 'busy'],
        timeouts: [],
      });
    });

    it('keeps the initial status, the settable ones and the timeouts it is given', () => {
      const timeouts = [{ from: ['online'], to: 'away', after: 60_000 }];

      expect(statusesOf({ statuses: ['online', 'away', 'busy'], initial: 'away', settable: ['online', 'busy'], timeouts })).toEqual({
        statuses: ['online', 'away', 'busy'],
        initial: 'away',
        settable: ['online', 'busy'],
        timeouts,
      });
    });

    it('needs presence', () => {
      expect(() => statusesOf({ statuses: ['online'] }, false)).toThrow('channels[0].presence');
    });

    it.each<[string, unknown, string]>([
      ['a list that is not an object', ['online'], 'channels[0].statuses'],
      ['an empty list of statuses', { statuses: [] }, 'channels[0].statuses.statuses'],
      ['a status twice', { statuses: ['online', 'online'] }, 'channels[0].statuses.statuses'],
      ['an undeclared initial status', { statuses: ['online'], initial: 'away' }, 'channels[0].statuses.initial'],
      ['an undeclared settable status', { statuses: ['online'], settable: ['away'] }, 'channels[0].statuses.settable[0]'],
      ['timeouts that are not a list', { statuses: ['online', 'away'], timeouts: {} }, 'channels[0].statuses.timeouts'],
      ['a timeout from no status', { statuses: ['online', 'away'], timeouts: [{ from: [], to: 'away', after: 1 }] }, 'channels[0].statuses.timeouts[0].from'],
      ['a timeout from an undeclared status', { statuses: ['online', 'away'], timeouts: [{ from: ['idle'], to: 'away', after: 1 }] }, 'channels[0].statuses.timeouts[0].from[0]'],
      ['a timeout to an undeclared status', { statuses: ['online', 'away'], timeouts: [{ from: ['online'], to: 'gone', after: 1 }] }, 'channels[0].statuses.timeouts[0].to'],
      ['a timeout to one of its own from', { statuses: ['online', 'away'], timeouts: [{ from: ['online'], to: 'online', after: 1 }] }, 'channels[0].statuses.timeouts[0].to'],
      ['a timeout after 0 ms', { statuses: ['online', 'away'], timeouts: [{ from: ['online'], to: 'away', after: 0 }] }, 'channels[0].statuses.timeouts[0].after'],
      ['a timeout with no after', { statuses: ['online', 'away'], timeouts: [{ from: ['online'], to: 'away' }] }, 'channels[0].statuses.timeouts[0].after'],
    ])('refuses %s, naming the option', (_case, statuses, option) => {
      expect(() => statusesOf(statuses)).toThrow(`option "${option}"`);
    });
  });

  describe('isValidChannelName', () => {
    it('accepts 1 to 200 printable ASCII characters', () => {
      expect(isValidChannelName('r')).toBe(true);
      expect(isValidChannelName('room:42/chat~!')).toBe(true);
      expect(isValidChannelName('x'.repeat(200))).toBe(true);
    });

    it.each<[string, unknown]>([
      ['empty', ''],
      ['too long', 'x'.repeat(201)],
      ['with a space', 'room 1'],
      ['with a newline', 'room\n1'],
      ['non-ASCII', 'salle:é'],
      ['not a string', 42],
      ['undefined', undefined],
    ])('refuses a name that is %s', (_why, name) => {
      expect(isValidChannelName(name)).toBe(false);
    });
  });
});
