/**
 * A Node client: connects to a realtime server with a token, joins a room, and prints its messages and
 * who comes and goes, until Ctrl-C (or until --count messages have arrived).
 *
 * Against the demo (npm start):
 *   TOKEN=$(curl -s -XPOST localhost:3000/auth/token -H 'content-type: application/json' -d '{"user":"alice"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
 *   node -r ./tools/ts-register.js apps/example-node-client/src/main.ts --token "$TOKEN" --room room:lobby --name Alice
 *
 * Flags: --url (ws://localhost:3000/realtime), --token (or the TOKEN environment variable; none: no
 * token is sent), --room (room:lobby), --name (the presence meta's name), --say (a message to publish
 * once joined), --count (exit after that many messages; default: run until Ctrl-C).
 */
import { parseArgs } from 'util';
import { RealtimeClient, wsTransport } from '@nest-realtime/client/node';

const { values: flags } = parseArgs({
  options: {
    url: { type: 'string', default: 'ws://localhost:3000/realtime' },
    token: { type: 'string', default: process.env.TOKEN },
    room: { type: 'string', default: 'room:lobby' },
    name: { type: 'string' },
    say: { type: 'string' },
    count: { type: 'string' },
  },
});
const count = flags.count === undefined ? Infinity : Number(flags.count);
const text = (payload: unknown) => (typeof payload === 'string' ? payload : JSON.stringify(payload));

async function main(): Promise<void> {
  const client = new RealtimeClient({ url: flags.url, token: flags.token, transport: wsTransport() });
  const stop = (why: string) => {
    console.log(`bye (${why})`);
    client.close();
    // The process ends once the socket is closed; this only bounds the wait for the server's close.
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.once('SIGINT', () => stop('interrupted'));
  client.on('state', ({ state }) => state !== 'connected' && state !== 'connecting' && console.log(`[${state}]`));
  client.on('retry', ({ attempt, delay }) => console.log(`[connection attempt ${attempt} in ${delay} ms]`));

  const welcome = await client.connect();
  console.log(`connected as ${welcome.clientId}`);

  const room = client.channel<unknown, { name?: string }>(flags.room);
  let received = 0;
  room.onMessage(({ from, payload }) => {
    console.log(`${from ?? '(server)'}: ${text(payload)}`);
    if (++received === count) stop(`${received} messages`);
  });
  let synced = false;
  room.presence.onSync((members) => {
    if (synced) return;
    synced = true;
    console.log(`members: ${members.map((member) => member.clientId).join(', ')}`);
  });
  room.presence.onJoin(({ clientId, first }) => synced && first && console.log(`+ ${clientId} joined`));
  room.presence.onLeave(({ clientId, last }) => synced && last && console.log(`- ${clientId} left`));

  await room.join(flags.name ? { name: flags.name } : {});
  console.log(`joined ${room.name}`);
  if (flags.say) await room.publish(flags.say);
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
