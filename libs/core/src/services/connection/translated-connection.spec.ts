import type { WebSocket } from 'ws';
import { FakeSocket } from '../../testing/internal/unit-fakes';
import { RealtimeConnection } from './realtime-connection';
import { type OutboundTranslator, TranslatedConnection } from './translated-connection';

describe('TranslatedConnection', () => {
  function translated(translate: OutboundTranslator['translate']) {
    const socket = new FakeSocket();
    const translator: OutboundTranslator = { translate: jest.fn(translate), closeCode: (code) => code + 1000 };
    const connection = new TranslatedConnection('c1', '1.1', {}, socket as unknown as WebSocket, translator);
    return { connection, socket, translator };
  }

  it('hands every native frame to its translator, which writes its own protocol\'s frames', () => {
    const { connection, socket, translator } = translated((frame, to) => to.write(Buffer.from(`<${frame.toString()}>`)));
    const frame = Buffer.from('{"event":"x"}');

    expect(connection.send(frame)).toBe(true);
    expect(connection.sendFrame('y', 1)).toBe(true);

    expect(translator.translate).toHaveBeenCalledWith(frame, connection);
    expect(socket.send.mock.calls.map(([data]) => data.toString())).toEqual(['<{"event":"x"}>', '<{"event":"y","data":1}>']);
    expect(connection.framesOut).toBe(2);
  });

  it('writes nothing its translator drops', () => {
    const { connection, socket } = translated(() => true);

    connection.send(Buffer.from('{"event":"connection:welcome"}'));

    expect(socket.send).not.toHaveBeenCalled();
  });

  it('closes with the code its translator gives for the core\'s', () => {
    const { connection, socket } = translated(() => true);

    connection.close(4000, 'heartbeat timeout');

    expect(socket.close).toHaveBeenCalledWith(5000, 'heartbeat timeout');
  });

  it('is a connection of the core: found from its socket, limited like the others', () => {
    const { connection, socket } = translated((frame, to) => to.write(frame));

    expect(RealtimeConnection.of(socket)).toBe(connection);
    expect(connection).toBeInstanceOf(RealtimeConnection);
  });
});
