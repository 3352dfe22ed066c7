import { RealtimeClient, RealtimeError, wsTransport } from '@nest-realtime/client/node';

interface RoomsSchema {
  requests: { 'rooms:whoami': { data: { room: string }; result: { clientId: string; connectionId: string; member: boolean } } };
  events: {};
  direct: never;
}

// Connects as each user named on the command line, joins room:lobby with presence, calls the guarded
// handler, and prints one JSON line of what it saw per user.
async function visit(url: string, user: string): Promise<void> {
  const client = new RealtimeClient<RoomsSchema>({ url, params: { user }, transport: wsTransport(), reconnect: false });
  await client.connect();
  const room = client.channel<unknown, { name: string }>('room:lobby');
  const synced = new Promise<string[]>((resolve) => room.presence.onSync((members) => resolve(members.map((member) => member.clientId))));
  await room.join({ name: user });
  const presence = await synced;
  let whoami: unknown;
  try {
    whoami = await client.request('rooms:whoami', { room: 'lobby' });
  } catch (error) {
    whoami = { error: error instanceof RealtimeError ? error.code : String(error) };
  }
  console.log(JSON.stringify({ user, presence, whoami }));
  client.close();
}

async function main(): Promise<void> {
  const [url, ...users] = process.argv.slice(2);
  for (const user of users) await visit(url, user);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
