import { compactDiff, compactState } from './presence.forms';

const meta = (connectionId: string, extra: object = {}) => ({ ...extra, connectionId, onlineAt: 7 });

describe('compact presence forms', () => {
  it('lists a state member by member, in order, the meta without the fields the tuple holds', () => {
    const state = compactState({
      channel: 'room',
      presences: { alice: { metas: [meta('a1', { name: 'Alice' }), meta('a2', { name: 'Alice' })] }, bob: { metas: [meta('b1')] } },
      version: 4,
    });

    expect(state).toEqual({
      channel: 'room',
      presences: [
        ['alice', 'a1', 7, { name: 'Alice' }],
        ['alice', 'a2', 7, { name: 'Alice' }],
        ['bob', 'b1', 7, {}],
      ],
      version: 4,
    });
  });

  it('marks the first join tuple of a clientId that arrives and the last leave tuple of one that is gone', () => {
    const diff = compactDiff({
      channel: 'room',
      joins: { alice: { metas: [meta('a1'), meta('a2')], first: true }, bob: { metas: [meta('b2')] } },
      leaves: { carol: { metas: [meta('c1'), meta('c2')], last: true }, dan: { metas: [meta('d1')] } },
      updates: { erin: { metas: [meta('e1', { status: 'away' })] } },
      statuses: { e1: { clientId: 'erin', from: 'online', to: 'away', reason: 'timeout' } },
    });

    expect(diff).toEqual({
      channel: 'room',
      joins: [
        ['alice', 'a1', 7, {}, 1],
        ['alice', 'a2', 7, {}],
        ['bob', 'b2', 7, {}],
      ],
      leaves: [
        ['carol', 'c1'],
        ['carol', 'c2', 1],
        ['dan', 'd1'],
      ],
      updates: [['erin', 'e1', 7, { status: 'away' }]],
      statuses: { e1: { clientId: 'erin', from: 'online', to: 'away', reason: 'timeout' } },
    });
  });
});
