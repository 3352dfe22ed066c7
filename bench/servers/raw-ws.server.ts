import { createServer } from 'http';
import { WebSocket, WebSocketServer } from 'ws';
import { hostBenchServer, idFromUrl, listenOnLoopback, PRESENCE_ROOM_PREFIX } from './server-host';

/**
 * The baseline everybody writes with `ws`: rooms are Maps of sockets, a broadcast is one
 * `JSON.stringify` and then `socket.send(text)` for each member, and presence is a Map of metas per
 * room: a joiner gets the member list, the others a `join` message. Messages are
 * `{type, room, ...}` objects. A ping every 25 s (the module's default heartbeat) drops the sockets that
 * did not answer the one before, as `ws`'s README shows.
 */
interface Member {
  id: string;
  meta: unknown;
}

/** The module's default `heartbeat.interval`, so that both servers ping as often. */
const HEARTBEAT_INTERVAL_MS = 25_000;

/** `ws`'s README way to detect broken connections: a socket that has not answered the last ping is dropped. */
type Heartbeating = WebSocket & { isAlive?: boolean };

function answered(this: Heartbeating): void {
  this.isAlive = true;
}

/**
 * With BENCH_COMPRESSION (the raw-ws-deflate kind), ws's permessage-deflate with the settings the module's
 * `compression: true` gives ws, so that both compress alike: each socket deflates its own copy.
 */
const perMessageDeflate = process.env.BENCH_COMPRESSION
  ? { threshold: 1024, serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 15, zlibDeflateOptions: { level: 3, memLevel: 8 } }
  : false;

hostBenchServer(async () => {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, path: '/raw', perMessageDeflate });
  const rooms = new Map<string, Map<WebSocket, Member>>();
  let anonymous = 0;

  const broadcast = (members: Map<WebSocket, Member>, message: unknown, except?: WebSocket) => {
    const text = JSON.stringify(message);
    for (const socket of members.keys()) if (socket !== except) socket.send(text);
  };

  const heartbeat = setInterval(() => {
    for (const socket of wss.clients as Set<Heartbeating>) {
      if (socket.isAlive === false) {
        socket.terminate();
        continue;
      }
      socket.isAlive = false;
      socket.ping();
    }
  }, HEARTBEAT_INTERVAL_MS);
  wss.on('close', () => clearInterval(heartbeat));

  wss.on('connection', (socket: Heartbeating, request) => {
    socket.isAlive = true;
    socket.on('pong', answered);
    const id = idFromUrl(request.url) ?? `anonymous-${++anonymous}`;
    const joined = new Set<string>();
    socket.send(JSON.stringify({ type: 'welcome', id }));
    socket.on('message', (raw) => {
      let message: { type?: unknown; room?: unknown; meta?: unknown; payload?: unknown };
      try {
        message = JSON.parse(raw.toString());
      } catch {
        return socket.send(JSON.stringify({ type: 'error', message: 'not JSON' }));
      }
      if (typeof message?.room !== 'string') return socket.send(JSON.stringify({ type: 'error', message: 'no room' }));
      const room = message.room;
      if (message.type === 'join') {
        let members = rooms.get(room);
        if (!members) rooms.set(room, (members = new Map()));
        const member = { id, meta: message.meta ?? {} };
        members.set(socket, member);
        joined.add(room);
        if (room.startsWith(PRESENCE_ROOM_PREFIX)) {
          socket.send(JSON.stringify({ type: 'joined', room, members: [...members.values()] }));
          broadcast(members, { type: 'join', room, member }, socket);
        } else {
          socket.send(JSON.stringify({ type: 'joined', room }));
        }
      } else if (message.type === 'publish') {
        const members = rooms.get(room);
        if (members?.has(socket)) broadcast(members, { type: 'message', room, from: id, payload: message.payload });
      }
    });
    socket.on('close', () => {
      for (const room of joined) {
        const members = rooms.get(room);
        members?.delete(socket);
        if (members && room.startsWith(PRESENCE_ROOM_PREFIX)) broadcast(members, { type: 'leave', room, id });
        if (members?.size === 0) rooms.delete(room);
      }
    });
  });
  await listenOnLoopback(http);
  return { http };
});
