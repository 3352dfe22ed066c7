import { createServer } from 'http';
import { Server } from 'socket.io';
import { hostBenchServer, idFromUrl, listenOnLoopback, PRESENCE_ROOM_PREFIX } from './server-host';

/**
 * Socket.IO 4 the way its documentation shows it: rooms with `socket.join`, broadcasts with
 * `io.to(room).emit`, and presence as a Map of metas per room: a joiner gets the member list in its
 * acknowledgement, the others a `presence:join` event (`socket.to(room).emit`). WebSocket transport only.
 */
interface Member {
  id: string;
  meta: unknown;
}

hostBenchServer(async () => {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], serveClient: false, perMessageDeflate: false });
  const presence = new Map<string, Map<string, Member>>();
  let anonymous = 0;

  io.on('connection', (socket) => {
    const id = idFromUrl(socket.request.url) ?? `anonymous-${++anonymous}`;
    socket.on('join', (room: unknown, meta: unknown, ack?: unknown) => {
      if (typeof room !== 'string' || typeof ack !== 'function') return;
      void socket.join(room);
      if (!room.startsWith(PRESENCE_ROOM_PREFIX)) return ack({ room });
      let members = presence.get(room);
      if (!members) presence.set(room, (members = new Map()));
      const member = { id, meta: meta ?? {} };
      members.set(socket.id, member);
      ack({ room, members: [...members.values()] });
      socket.to(room).emit('presence:join', { room, member });
    });
    socket.on('publish', (room: unknown, payload: unknown) => {
      if (typeof room === 'string' && socket.rooms.has(room)) io.to(room).emit('message', { room, from: id, payload });
    });
    socket.on('disconnecting', () => {
      for (const room of socket.rooms) {
        const members = presence.get(room);
        if (!members?.delete(socket.id)) continue;
        socket.to(room).emit('presence:leave', { room, id });
        if (members.size === 0) presence.delete(room);
      }
    });
  });
  await listenOnLoopback(http);
  return { http };
});
