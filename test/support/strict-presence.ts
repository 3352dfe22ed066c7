import type { Frame, TestClient } from './test-client';

type Entries = Record<string, { metas: Array<{ connectionId: string }>; first?: true; last?: true }>;

/**
 * Replays the presence frames one member received for a channel and checks that they never disagree:
 * a `presence:state` first, then diffs that apply to it (no join of a connection it holds, no leave or
 * update of one it does not, `first` exactly when the clientId was absent, `last` exactly when it is
 * gone). Throws on the first frame that does not apply, naming it; returns the view (clientId → connectionIds).
 */
export function replayPresence(client: TestClient, channel: string, until = client.frames.length): Map<string, Set<string>> {
  const view = new Map<string, Set<string>>();
  let synced = false;
  const fail = (index: number, frame: Frame, problem: string) => {
    throw new Error(`${client.clientId}/${client.connectionId}, frame ${index} (${frame.event} ${JSON.stringify(frame.data)}): ${problem}`);
  };
  client.frames.slice(0, until).forEach((frame, index) => {
    if (frame.data?.channel !== channel) return;
    if (frame.event === 'presence:state') {
      view.clear();
      for (const [clientId, entry] of Object.entries<Entries[string]>(frame.data.presences)) view.set(clientId, new Set(entry.metas.map((meta) => meta.connectionId)));
      synced = true;
      return;
    }
    if (frame.event !== 'presence:diff') return;
    if (!synced) fail(index, frame, 'a diff before the state');
    for (const [clientId, entry] of Object.entries<Entries[string]>(frame.data.joins)) {
      const held = view.get(clientId);
      if (Boolean(entry.first) !== !held) fail(index, frame, `first is ${entry.first} but the view holds ${held ? [...held] : 'no connection'} of ${clientId}`);
      const connections = held ?? new Set<string>();
      for (const { connectionId } of entry.metas) {
        if (connections.has(connectionId)) fail(index, frame, `a join of ${connectionId}, which the view holds`);
        connections.add(connectionId);
      }
      view.set(clientId, connections);
    }
    for (const [clientId, entry] of Object.entries<Entries[string]>(frame.data.updates)) {
      for (const { connectionId } of entry.metas) if (!view.get(clientId)?.has(connectionId)) fail(index, frame, `an update of ${connectionId}, which the view does not hold`);
    }
    for (const [clientId, entry] of Object.entries<Entries[string]>(frame.data.leaves)) {
      const held = view.get(clientId);
      for (const { connectionId } of entry.metas) {
        if (!held?.delete(connectionId)) fail(index, frame, `a leave of ${connectionId}, which the view does not hold`);
      }
      if (Boolean(entry.last) !== (held!.size === 0)) fail(index, frame, `last is ${entry.last} but the view still holds ${[...held!]} of ${clientId}`);
      if (held!.size === 0) view.delete(clientId);
    }
  });
  return view;
}

/** A view as sorted "clientId/connectionId" strings, to compare. */
export function flatten(view: Map<string, Set<string>>): string[] {
  return [...view].flatMap(([clientId, connections]) => [...connections].map((connectionId) => `${clientId}/${connectionId}`)).sort();
}

/** An engine's presence state flattened the same way. */
export function flattenState(state: Entries): string[] {
  return Object.entries(state).flatMap(([clientId, entry]) => entry.metas.map((meta) => `${clientId}/${meta.connectionId}`)).sort();
}

/** Rejects with `describe` when the promise has not settled within `ms`. */
export function within<T>(ms: number, describe: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${describe}`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits until the member's view of a channel equals `expected` (flattened), bounded by `ms`. */
export async function viewBecomes(client: TestClient, channel: string, expected: string[], ms = 5000): Promise<void> {
  const wanted = JSON.stringify(expected);
  const matches = () => JSON.stringify(flatten(replayPresence(client, channel))) === wanted;
  const presenceFrame = (frame: Frame) => (frame.event === 'presence:diff' || frame.event === 'presence:state') && frame.data?.channel === channel;
  const wait = async () => {
    for (let from = client.frames.length; !matches(); from = client.frames.length) {
      await client.next(presenceFrame, from, `a presence frame of ${channel}`);
    }
  };
  await within(ms, `${client.clientId}/${client.connectionId}'s view of ${channel} to become ${wanted} (it is ${JSON.stringify(flatten(replayPresence(client, channel)))})`, wait());
}
