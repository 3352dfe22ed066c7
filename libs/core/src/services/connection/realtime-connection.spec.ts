import { fakeConnection } from '../../testing/internal/unit-fakes';
import { RealtimeConnection } from './realtime-connection';

describe('RealtimeConnection', () => {
  afterEach(() => jest.useRealTimers());

  it('is found again from its raw socket', () => {
    const { connection, socket } = fakeConnection('c1', 'alice');

    expect(RealtimeConnection.of(socket)).toBe(connection);
    expect(RealtimeConnection.of({})).toBeUndefined();
    expect(RealtimeConnection.of(undefined)).toBeUndefined();
  });

  it('writes an encoded frame as text to an open socket', () => {
    const { connection, socket } = fakeConnection('c1');
    const frame = Buffer.from('{"event":"x"}');

    expect(connection.send(frame)).toBe(true);
    expect(socket.send).toHaveBeenCalledTimes(1);
    expect(socket.send.mock.calls[0][0]).toBe(frame);
    expect(socket.send.mock.calls[0][1]).toEqual({ binary: false });
  });

  it('writes nothing to a socket that is not open', () => {
    const { connection, socket } = fakeConnection('c1');
    socket.readyState = 2;

    expect(connection.isOpen).toBe(false);
    expect(connection.sendFrame('x', 1)).toBe(false);
    expect(socket.send).not.toHaveBeenCalled();
  });

  it('replies with ok and the result, null when there is none', () => {
    const { connection, socket } = fakeConnection('c1');
    connection.reply('7', { a: 1 });
    connection.reply('8', undefined);

    expect(socket.frames()).toEqual([
      { event: 'reply', ref: '7', data: { ok: true, result: { a: 1 } } },
      { event: 'reply', ref: '8', data: { ok: true, result: null } },
    ]);
  });

  it('fails a frame with a reply when it had a ref, with an error frame otherwise', () => {
    const { connection, socket } = fakeConnection('c1');
    connection.fail({ code: 'forbidden', message: 'no' }, '9');
    connection.fail({ code: 'bad_frame', message: 'not JSON' });
    connection.fail({ code: 'unknown_event', message: 'what?' }, undefined, 'chat:typo');

    expect(socket.frames()).toEqual([
      { event: 'reply', ref: '9', data: { ok: false, error: { code: 'forbidden', message: 'no' } } },
      { event: 'error', data: { code: 'bad_frame', message: 'not JSON' } },
      { event: 'error', data: { code: 'unknown_event', message: 'what?', event: 'chat:typo' } },
    ]);
  });

  it('records the time it was last seen', () => {
    jest.useFakeTimers({ now: 1000 });
    const { connection } = fakeConnection('c1');
    jest.setSystemTime(5000);
    connection.touch();

    expect(connection.connectedAt).toBe(1000);
    expect(connection.lastSeenAt).toBe(5000);
  });

  it('closes once, stops sending, and cuts off a peer that does not finish the handshake', () => {
    jest.useFakeTimers();
    const { connection, socket } = fakeConnection('c1');

    connection.close(4001, 'bye');
    connection.close(1000);

    expect(socket.close).toHaveBeenCalledTimes(1);
    expect(socket.close).toHaveBeenCalledWith(4001, 'bye');
    expect(connection.isClosing).toBe(true);
    expect(connection.sendFrame('x')).toBe(false);
    jest.advanceTimersByTime(1999);
    expect(socket.terminate).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(socket.terminate).toHaveBeenCalledTimes(1);
  });

  it('does not cut off a socket that closed within the grace period', () => {
    jest.useFakeTimers();
    const { connection, socket } = fakeConnection('c1');

    connection.close(1000);
    socket.readyState = 3;
    socket.emit('close', 1000, Buffer.alloc(0));
    jest.advanceTimersByTime(5000);

    expect(socket.terminate).not.toHaveBeenCalled();
  });
});
