import { fakeConnection } from '../../testing/internal/unit-fakes';
import { ResumeGate } from './resume-gate';

const message = (offset: number, epoch = 'e1') => Buffer.from(JSON.stringify({ event: 'channel:message', data: { channel: 'c', payload: offset, offset, epoch } }));
const diff = Buffer.from('{"event":"presence:diff","data":{"channel":"c","joins":{},"leaves":{},"updates":{}}}');

describe('ResumeGate', () => {
  it('holds the frames until opened, then lets them out in order, less the messages the replay carried', () => {
    const { connection, socket } = fakeConnection('c1', 'alice');
    const gate = new ResumeGate(connection, 1_000_000);

    for (const frame of [message(3), diff, message(4), message(5)]) expect(gate.send(frame)).toBe(true);
    expect(socket.send).not.toHaveBeenCalled();
    gate.open({ offset: 4, epoch: 'e1' });

    expect(socket.frames().map((frame) => frame.data.offset ?? frame.event)).toEqual(['presence:diff', 5]);
    gate.send(message(6));
    expect(socket.frames().map((frame) => frame.data.offset ?? frame.event)).toEqual(['presence:diff', 5, 6]);
  });

  it('lets through the messages of another epoch (the history was reset meanwhile)', () => {
    const { connection, socket } = fakeConnection('c1');
    const gate = new ResumeGate(connection, 1_000_000);
    gate.send(message(1, 'e2'));

    gate.open({ offset: 4, epoch: 'e1' });

    expect(socket.frames().map((frame) => frame.data.epoch)).toEqual(['e2']);
  });

  it('gives up past its byte budget and delivers nothing it held', () => {
    const { connection, socket } = fakeConnection('c1');
    const gate = new ResumeGate(connection, message(1).length * 2);
    gate.send(message(1));
    gate.send(message(2));

    expect(gate.send(message(3))).toBe(false);
    expect(gate.overflowed).toBe(true);
    gate.discard();
    gate.send(message(4));
    expect(socket.send).not.toHaveBeenCalled();
  });
});
