import { encodeFrame } from '../../codec/frame.codec';
import { diffAfter, encodeVersionedDiff, presenceFrameFor, type VersionedPresenceDiff } from './presence-frames';

const meta = (connectionId: string) => ({ connectionId, onlineAt: 1 });

function diff(parts: Partial<VersionedPresenceDiff>): VersionedPresenceDiff {
  return { channel: 'room', joins: {}, leaves: {}, updates: {}, ...parts };
}

describe('diffAfter', () => {
  it('drops the changes a state read at or after them holds', () => {
    const older = diff({ joins: { alice: { metas: [meta('a1')], first: true } }, versions: { a1: [3, 3] } });

    expect(diffAfter(older, 3)).toBeUndefined();
    expect(diffAfter(older, 7)).toBeUndefined();
  });

  it('keeps what is newer than the state as it is', () => {
    const newer = diff({ joins: { alice: { metas: [meta('a1')], first: true } }, leaves: { bob: { metas: [meta('b1')], last: true } }, versions: { a1: [4, 4], b1: [5, 5] } });

    const { versions: _versions, ...plain } = newer;

    expect(diffAfter(newer, 3)).toEqual(plain);
  });

  it('takes first away from a clientId whose earlier join the state holds', () => {
    const joins = diff({ joins: { alice: { metas: [meta('a1'), meta('a2')], first: true } }, versions: { a1: [3, 3], a2: [5, 5] } });

    expect(diffAfter(joins, 4)).toEqual(diff({ joins: { alice: { metas: [meta('a2')] } } }));
  });

  it('keeps last on a leave whose earlier leave of the same clientId the state holds', () => {
    const leaves = diff({ leaves: { alice: { metas: [meta('a1'), meta('a2')], last: true } }, versions: { a1: [3, 3], a2: [5, 5] } });

    expect(diffAfter(leaves, 4)).toEqual(diff({ leaves: { alice: { metas: [meta('a2')], last: true } } }));
  });

  it('turns a join the state holds the start of (merged with later updates) into an update', () => {
    const merged = diff({ joins: { alice: { metas: [meta('a1')], first: true } }, versions: { a1: [3, 6] } });

    expect(diffAfter(merged, 4)).toEqual(diff({ updates: { alice: { metas: [meta('a1')] } } }));
  });

  it('keeps the status changes of the updates it keeps only', () => {
    const status = { clientId: 'alice', from: 'online', to: 'away', reason: 'timeout' as const };
    const updates = diff({
      updates: { alice: { metas: [meta('a1'), meta('a2')] } },
      statuses: { a1: status, a2: status },
      versions: { a1: [2, 2], a2: [6, 6] },
    });

    expect(diffAfter(updates, 4)).toEqual(diff({ updates: { alice: { metas: [meta('a2')] } }, statuses: { a2: status } }));
  });
});

describe('presenceFrameFor', () => {
  it('gives a diff whose every change is newer without its versions, once per frame, and other frames untouched', () => {
    const frame = encodeFrame('presence:diff', diff({ joins: { alice: { metas: [meta('a1')] } }, versions: { a1: [5, 5] } }));
    const message = encodeFrame('channel:message', { channel: 'room', payload: 1 });

    const plain = presenceFrameFor(frame, 4, false);
    expect(JSON.parse(plain!.toString())).toEqual({ event: 'presence:diff', data: diff({ joins: { alice: { metas: [meta('a1')] } } }) });
    expect(presenceFrameFor(frame, 2, false)).toBe(plain);
    expect(presenceFrameFor(frame, undefined, false)).toBe(plain);
    expect(presenceFrameFor(message, 4, false)).toBe(message);
  });

  it('makes the part of a diff once for all the members whose states share a version', () => {
    const frame = encodeVersionedDiff(diff({ joins: { alice: { metas: [meta('a1')] }, bob: { metas: [meta('b1')] } }, versions: { a1: [3, 3], b1: [5, 5] } }));

    const part = presenceFrameFor(frame, 4, false);
    expect(presenceFrameFor(frame, 4, false)).toBe(part);
    expect(presenceFrameFor(frame, 4, true)).not.toBe(part);
    expect(presenceFrameFor(frame, 9, false)).toBeNull();
  });

  it('reads the versions of a diff too large to spread into arguments', () => {
    const versions: Record<string, [number, number]> = {};
    const joins: VersionedPresenceDiff['joins'] = {};
    for (let i = 1; i <= 200_000; i++) {
      versions[`c${i}`] = [i, i];
      joins[`u${i}`] = { metas: [meta(`c${i}`)] };
    }
    const frame = encodeVersionedDiff(diff({ joins, versions }));

    expect(presenceFrameFor(frame, 200_000, false)).toBeNull();
    expect(presenceFrameFor(frame, 0, false)).not.toBeNull();
  });

  it('knows the diffs this node encoded without reading them back', () => {
    const parse = jest.spyOn(JSON, 'parse');
    const frame = encodeVersionedDiff(diff({ joins: { alice: { metas: [meta('a1')] } }, versions: { a1: [5, 5] } }));

    expect(presenceFrameFor(frame, 5, false)).toBeNull();
    expect(parse).not.toHaveBeenCalled();
    parse.mockRestore();
  });

  it('gives null for a diff the state holds whole, and a new frame for one it holds part of', () => {
    const frame = encodeFrame('presence:diff', diff({ joins: { alice: { metas: [meta('a1')] }, bob: { metas: [meta('b1')] } }, versions: { a1: [3, 3], b1: [5, 5] } }));

    expect(presenceFrameFor(frame, 5, false)).toBeNull();
    expect(JSON.parse(presenceFrameFor(frame, 4, false)!.toString())).toEqual({
      event: 'presence:diff',
      data: diff({ joins: { bob: { metas: [meta('b1')] } } }),
    });
  });

  it('leaves a diff without versions alone', () => {
    const frame = encodeFrame('presence:diff', diff({ joins: { alice: { metas: [meta('a1')] } } }));

    expect(presenceFrameFor(frame, 10, false)).toBe(frame);
  });
});
