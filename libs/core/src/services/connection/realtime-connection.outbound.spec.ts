import { fakeConnection } from '../../testing/internal/unit-fakes';

describe('RealtimeConnection outbound limit', () => {
  function limited(maxPendingBytes: number) {
    const { connection, socket } = fakeConnection('c1');
    const slow = jest.fn();
    connection.limitOutbound(maxPendingBytes, slow);
    const pending = { bytes: 0 };
    Object.defineProperty(socket, 'bufferedAmount', { get: () => pending.bytes });
    return { connection, socket, slow, pending };
  }

  it('writes while what waits plus the frame stays within the limit, and counts what it wrote', () => {
    const { connection, socket, slow, pending } = limited(100);
    pending.bytes = 60;

    expect(connection.send(Buffer.alloc(40))).toBe(true);
    expect(socket.send).toHaveBeenCalledTimes(1);
    expect(slow).not.toHaveBeenCalled();
    expect([connection.framesOut, connection.bytesOut]).toEqual([1, 40]);
  });

  it('does not queue a frame that would go past the limit, and hands the connection to the slow-consumer handler', () => {
    const { connection, socket, slow, pending } = limited(100);
    pending.bytes = 61;

    expect(connection.send(Buffer.alloc(40))).toBe(false);
    expect(socket.send).not.toHaveBeenCalled();
    expect(slow).toHaveBeenCalledWith(connection);
  });

  it('takes a frame larger than the limit when nothing waits', () => {
    const { connection, socket, slow } = limited(100);

    expect(connection.send(Buffer.alloc(500))).toBe(true);
    expect(socket.send).toHaveBeenCalledTimes(1);
    expect(slow).not.toHaveBeenCalled();
  });
});
