import type { LocalConnection } from '../../engine/realtime-engine.interface';
import { PresenceStateGate } from './presence-state.gate';

function recorder(): LocalConnection & { sent: string[] } {
  const sent: string[] = [];
  return { id: 'c1', clientId: 'alice', sent, send: (frame: Buffer) => (sent.push(frame.toString()), true) };
}

const frame = (text: string) => Buffer.from(text);
/** A diff frame without versions (an engine that keeps none), named by a connection it brings. */
const unversionedDiff = (connectionId: string) =>
  Buffer.from(JSON.stringify({ event: 'presence:diff', data: { channel: 'room', joins: { [connectionId]: { metas: [{ connectionId, onlineAt: 1 }] } }, leaves: {}, updates: {} } }));
const joinedIn = (sent: string) => Object.keys((JSON.parse(sent) as { data: { joins: object } }).data.joins).join();

describe('PresenceStateGate', () => {
  it('holds frames until both the reply went out and the state came, then sends the state first', () => {
    const connection = recorder();
    const gate = new PresenceStateGate(connection);
    gate.send(frame('message 1'));
    gate.release();
    gate.send(frame('message 2'));
    expect(connection.sent).toEqual([]);

    gate.deliverState(frame('state'));

    expect(connection.sent).toEqual(['state', 'message 1', 'message 2']);
    gate.send(frame('message 3'));
    expect(connection.sent).toEqual(['state', 'message 1', 'message 2', 'message 3']);
    expect(gate.holding).toBe(false);
  });

  it('waits for the release when the state comes first', () => {
    const connection = recorder();
    const gate = new PresenceStateGate(connection);
    gate.deliverState(frame('state'));
    gate.send(frame('message'));
    expect(connection.sent).toEqual([]);

    gate.release();

    expect(connection.sent).toEqual(['state', 'message']);
  });

  it('drops the diff the state already holds, once', () => {
    const connection = recorder();
    const gate = new PresenceStateGate(connection);
    const ownDiff = unversionedDiff('own');
    gate.send(ownDiff);
    gate.send(unversionedDiff('other'));
    gate.send(unversionedDiff('own'));
    gate.deliverState(frame('state'), ownDiff);
    gate.release();

    expect(connection.sent[0]).toBe('state');
    expect(connection.sent.slice(1).map(joinedIn)).toEqual(['other', 'own']);
  });

  it('drops the same diff once when it comes back after the state (through a cluster engine)', () => {
    const connection = recorder();
    const gate = new PresenceStateGate(connection);
    gate.deliverState(frame('state'), unversionedDiff('window'));
    gate.release();
    gate.send(frame('a message'));
    gate.send(unversionedDiff('window'));
    gate.send(unversionedDiff('window'));

    expect(connection.sent.slice(0, 2)).toEqual(['state', 'a message']);
    expect(connection.sent.slice(2).map(joinedIn)).toEqual(['window']);
  });

  it('lets the held frames through without a state that could not be read', () => {
    const connection = recorder();
    const gate = new PresenceStateGate(connection);
    gate.send(frame('message'));
    gate.deliverState(null);
    gate.release();

    expect(connection.sent).toEqual(['message']);
  });

  it('takes only the first state', () => {
    const connection = recorder();
    const gate = new PresenceStateGate(connection);
    gate.deliverState(frame('state 1'));
    gate.deliverState(frame('state 2'));
    gate.release();
    expect(connection.sent).toEqual(['state 1']);
  });
});

describe('PresenceStateGate with presence versions', () => {
  const diffFrame = (connectionId: string, version: number) =>
    Buffer.from(
      JSON.stringify({
        event: 'presence:diff',
        data: { channel: 'room', joins: { [connectionId]: { metas: [{ connectionId, onlineAt: 1 }] } }, leaves: {}, updates: {}, versions: { [connectionId]: [version, version] } },
      }),
    );
  const connectionsIn = (sent: string[]) =>
    sent.map((text) => {
      const parsed = JSON.parse(text) as { event: string; data: { joins?: Record<string, unknown> } };
      return parsed.event === 'presence:diff' ? Object.keys(parsed.data.joins ?? {}).join() : parsed.event;
    });

  it('drops the held and the later diffs the state holds, and sends the newer ones', () => {
    const connection = recorder();
    const gate = new PresenceStateGate(connection);
    gate.send(diffFrame('a1', 3));
    gate.send(diffFrame('b1', 6));
    gate.release();

    gate.deliverState(Buffer.from(JSON.stringify({ event: 'presence:state', data: { channel: 'room', presences: {}, version: 5 } })), undefined, 5);
    gate.send(diffFrame('c1', 4));
    gate.send(diffFrame('d1', 7));

    expect(connectionsIn(connection.sent)).toEqual(['presence:state', 'b1', 'd1']);
  });

  it('follows a later presence:state: its version, or none (an engine outage may start the versions again)', () => {
    const connection = recorder();
    const gate = new PresenceStateGate(connection);
    gate.release();
    gate.deliverState(Buffer.from('{"event":"presence:state","data":{"channel":"room","presences":{},"version":5}}'), undefined, 5);
    gate.send(Buffer.from('{"event":"presence:state","data":{"channel":"room","presences":{},"version":8}}'));
    gate.send(diffFrame('a1', 7));
    gate.send(diffFrame('b1', 9));
    gate.send(Buffer.from('{"event":"presence:state","data":{"channel":"room","presences":{}}}'));
    gate.send(diffFrame('c1', 1));

    expect(connectionsIn(connection.sent)).toEqual(['presence:state', 'presence:state', 'b1', 'presence:state', 'c1']);
  });

  it('filters nothing when the state could not be read', () => {
    const connection = recorder();
    const gate = new PresenceStateGate(connection);
    gate.release();
    gate.deliverState(null, undefined, 5);
    gate.send(diffFrame('a1', 3));

    expect(connectionsIn(connection.sent)).toEqual(['a1']);
  });
});

describe('PresenceStateGate for a member in the compact form', () => {
  it('sends the state and the diffs compact, each encoded once for all such members, and other frames as they are', () => {
    const state = Buffer.from('{"event":"presence:state","data":{"channel":"room","presences":{"alice":{"metas":[{"connectionId":"a1","onlineAt":1}]}},"version":1}}');
    const diff = Buffer.from(
      JSON.stringify({
        event: 'presence:diff',
        data: { channel: 'room', joins: { bob: { metas: [{ connectionId: 'b1', onlineAt: 2 }], first: true } }, leaves: {}, updates: {}, versions: { b1: [2, 2] } },
      }),
    );
    const message = frame('{"event":"channel:message","data":{}}');
    const sent: Buffer[][] = [[], []];
    const gates = sent.map((into) => new PresenceStateGate({ id: 'c', clientId: 'c', send: (out: Buffer) => (into.push(out), true) }, true));
    for (const gate of gates) {
      gate.release();
      gate.deliverState(state, undefined, 1);
      gate.send(diff);
      gate.send(message);
    }

    expect(sent[0].map((out) => JSON.parse(out.toString()))).toEqual([
      { event: 'presence:state', data: { channel: 'room', presences: [['alice', 'a1', 1, {}]], version: 1 } },
      { event: 'presence:diff', data: { channel: 'room', joins: [['bob', 'b1', 2, {}, 1]], leaves: [], updates: [] } },
      { event: 'channel:message', data: {} },
    ]);
    expect(sent[1][0]).toBe(sent[0][0]);
    expect(sent[1][1]).toBe(sent[0][1]);
    expect(sent[0][2]).toBe(message);
  });
});
