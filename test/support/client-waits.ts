import type { ChannelMessage, ClientState, PresenceMember, RealtimeChannel, RealtimeClient } from '@nest-realtime/client';

/** Resolves when the client is in that state (now or later). */
export function reached(client: RealtimeClient<any>, state: ClientState): Promise<void> {
  if (client.state === state) return Promise.resolve();
  return new Promise((resolve) => {
    const off = client.on('state', (change) => {
      if (change.state !== state) return;
      off();
      resolve();
    });
  });
}

/** Resolves with the channel's members once the predicate holds for them (now or after a later sync). */
export function membersWhen<M extends object>(
  channel: RealtimeChannel<any, M>,
  predicate: (members: PresenceMember<M>[]) => boolean,
): Promise<PresenceMember<M>[]> {
  const now = channel.presence.list();
  if (channel.presence.inSync && predicate(now)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const off = channel.presence.onSync((members) => {
      if (!predicate(members)) return;
      off();
      resolve(members);
    });
  });
}

/** Resolves on the channel's next `joined` that is a rejoin after a reconnect. */
export function rejoined(channel: RealtimeChannel<any, any>): Promise<void> {
  return new Promise((resolve) => {
    const off = channel.on('joined', ({ rejoined: again }) => {
      if (!again) return;
      off();
      resolve();
    });
  });
}

/** A promise and the function that resolves it. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** Every message a channel gets from now on, and a wait for there to be `n` of them. */
export function collectMessages<P>(channel: RealtimeChannel<P, any>): { messages: Array<ChannelMessage<P>>; count(n: number): Promise<void> } {
  const messages: Array<ChannelMessage<P>> = [];
  let waiters: Array<{ n: number; resolve: () => void }> = [];
  channel.onMessage((message) => {
    messages.push(message);
    waiters = waiters.filter((waiter) => (messages.length >= waiter.n ? void waiter.resolve() : true));
  });
  return {
    messages,
    count: (n) => (messages.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
  };
}
