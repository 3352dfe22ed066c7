import { flatten, flattenState, replayPresence, viewBecomes } from './strict-presence';
import type { TestClient } from './test-client';

export interface PresenceRaceOptions {
  channel: string;
  /** How many endpoints (nodes) the clients spread over; client i connects to endpoint i % nodes. */
  nodes: number;
  /** Connects a user to an endpoint. */
  connect(node: number, user: string): Promise<TestClient>;
  /** The engine's presence of the channel, as a node reads it. */
  engineState(): Promise<Record<string, { metas: Array<{ connectionId: string }> }>>;
  /** Members that stay; several share a user (tabs of one client). */
  stayers?: number;
  /** Members that join and leave at once while the others join. */
  flappers?: number;
  /** How many users the members of each node share. */
  usersPerNode?: number;
}

/**
 * Many members joining and leaving one presence channel at once, over several endpoints. Resolves once
 * every member that stayed sees what the engine holds, having checked that what each member received
 * (the ones that left too, up to their leave) is a state followed by diffs that apply to it.
 */
export async function racePresence({ channel, nodes, connect, engineState, stayers = 12, flappers = 8, usersPerNode = 2 }: PresenceRaceOptions): Promise<void> {
  const join = async (client: TestClient) => {
    const reply = await client.request('channel:join', { channel, meta: { at: Date.now() } });
    if (!reply.ok) throw new Error(`${client.clientId} could not join ${channel}: ${JSON.stringify(reply.error)}`);
  };
  // The tabs of a user are on one node: `first` and `last` of diffs from different nodes may reach a member
  // in another order than the engine's (a known gap), while those of one node keep theirs.
  const member = (i: number, node: number) => connect(node, `n${node}u${i % usersPerNode}`);
  const staying = await Promise.all(Array.from({ length: stayers }, (_, i) => member(Math.floor(i / nodes), i % nodes)));
  const leaving = await Promise.all(Array.from({ length: flappers }, (_, i) => member(Math.floor(i / nodes), (i + 1) % nodes)));
  const leftAt = new Map<TestClient, number>();
  await Promise.all([
    ...staying.map(join),
    ...leaving.map(async (client) => {
      await join(client);
      leftAt.set(client, client.mark());
      const reply = await client.request('channel:leave', { channel });
      if (!reply.ok) throw new Error(`${client.clientId} could not leave ${channel}: ${JSON.stringify(reply.error)}`);
    }),
  ]);

  const expected = flattenState(await engineState());
  const stayed = staying.map((client) => `${client.clientId}/${client.connectionId}`).sort();
  if (JSON.stringify(expected) !== JSON.stringify(stayed)) throw new Error(`the engine holds ${JSON.stringify(expected)}, not the members that stayed ${JSON.stringify(stayed)}`);
  for (const client of staying) await viewBecomes(client, channel, expected);
  for (const client of staying) flatten(replayPresence(client, channel));
  for (const client of leaving) replayPresence(client, channel, leftAt.get(client));
}
