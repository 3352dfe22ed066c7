import type { LocalConnection } from '../../engine/realtime-engine.interface';
import { stateDiffFrame, stateSnapshotFrame } from '../../engine/state-frame';
import { encodeFrame } from '../../codec/frame.codec';
import { StateSnapshotGate } from './state-snapshot.gate';

function recorder(): LocalConnection & { events: () => string[] } {
  const sent: Buffer[] = [];
  return {
    id: 'c1',
    clientId: 'alice',
    send: (frame) => sent.push(frame) > 0,
    events: () =>
      sent.map((frame) => {
        const { event, data } = JSON.parse(frame.toString()) as { event: string; data: { scope?: string; revision?: number } };
        return data?.revision === undefined ? event : `${event}${data.scope ? ` ${data.scope}` : ''} @${data.revision}`;
      }),
  };
}

const diff = (revision: number, scope?: string) => stateDiffFrame({ channel: 'room:1', scope }, { revision, set: {}, removed: ['k'] });
const snapshot = (revision: number, scope?: string) => stateSnapshotFrame({ channel: 'room:1', scope }, { entries: {}, revision, epoch: 'e1' });
const message = encodeFrame('channel:message', { channel: 'room:1', payload: 1 });

describe('StateSnapshotGate', () => {
  it('holds the channel frames until the reply is out and the snapshots are ready, then sends the snapshots first', () => {
    const connection = recorder();
    const gate = new StateSnapshotGate('room:1', connection);
    gate.send(message);
    gate.send(diff(6));
    gate.release();
    expect(connection.events()).toEqual([]);

    gate.deliver({ frames: [snapshot(5)], revisions: new Map([['room:1', 5]]) });

    expect(connection.events()).toEqual(['state:snapshot @5', 'channel:message', 'state:diff @6']);
    expect(gate.holding).toBe(false);
  });

  it('waits for the reply when the snapshots come first', () => {
    const connection = recorder();
    const gate = new StateSnapshotGate('room:1', connection);
    gate.deliver({ frames: [snapshot(0)], revisions: new Map([['room:1', 0]]) });
    expect(connection.events()).toEqual([]);
    gate.release();
    expect(connection.events()).toEqual(['state:snapshot @0']);
  });

  it('drops the diffs the snapshot holds already, held or late, per scope, and none after the first newer one', () => {
    const connection = recorder();
    const gate = new StateSnapshotGate('room:1', connection);
    gate.send(diff(4));
    gate.send(diff(2, 'org:acme'));
    gate.release();
    gate.deliver({ frames: [snapshot(3, 'org:acme'), snapshot(5)], revisions: new Map([['org:acme', 3], ['room:1', 5]]) });
    gate.send(diff(5));
    gate.send(diff(6));
    gate.send(diff(3, 'org:acme'));
    gate.send(diff(4, 'org:acme'));

    expect(connection.events()).toEqual(['state:snapshot org:acme @3', 'state:snapshot @5', 'state:diff @6', 'state:diff org:acme @4']);
  });

  it('lets the held frames through without a snapshot when the join brought none', () => {
    const connection = recorder();
    const gate = new StateSnapshotGate('room:1', connection);
    gate.send(diff(1));
    gate.deliver(null);
    gate.release();
    expect(connection.events()).toEqual(['state:diff @1']);
  });

  it('takes only the first start', () => {
    const connection = recorder();
    const gate = new StateSnapshotGate('room:1', connection);
    gate.release();
    gate.deliver({ frames: [snapshot(1)], revisions: new Map([['room:1', 1]]) });
    gate.deliver({ frames: [snapshot(2)], revisions: new Map([['room:1', 2]]) });
    expect(connection.events()).toEqual(['state:snapshot @1']);
  });
});
