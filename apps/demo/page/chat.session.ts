import { RealtimeClient } from '@nest-realtime/client';
import type { ChannelMessage, ClientState, PresenceMember, RealtimeChannel } from '@nest-realtime/client';

/** A member's status in a room (apps/demo/src/rooms/room.channels.ts): the server moves an idle `online` member to `away`. */
export type Status = 'online' | 'away' | 'busy';
/** The statuses members set themselves. */
export type ChosenStatus = Exclude<Status, 'away'>;

/** What each tab tells the room about itself; the server adds its `status` and keeps it up to date. */
export interface MemberMeta {
  name: string;
  status?: Status;
}

/** The room's shared state: members may set its topic. */
export interface RoomState {
  topic: string;
}

export interface ChatPayload {
  text: string;
}

/** What the session shows; the page's DOM implements it. */
export interface ChatView {
  state(state: ClientState): void;
  /** `stale`: the list is the last one known, while the connection is down. */
  members(members: PresenceMember<MemberMeta>[], stale: boolean): void;
  message(message: ChannelMessage<ChatPayload>): void;
  /** The room's topic, and who set it; undefined when it has none. */
  topic(topic: string | undefined, by: string | null): void;
  notice(text: string): void;
}

function realtimeUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/realtime`;
}

/** A fresh token before every connection attempt; a failure (server down) makes the client retry later. */
async function fetchToken(user: string): Promise<string> {
  const response = await fetch('/auth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  if (!response.ok) throw new Error(`POST /auth/token answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** One person in one room: the realtime client, the room's channel, and what the view hears of them. */
export class ChatSession {
  private readonly client: RealtimeClient;
  private readonly room: RealtimeChannel<ChatPayload, MemberMeta, RoomState>;

  constructor(
    readonly user: string,
    readonly roomName: string,
    private readonly view: ChatView,
  ) {
    this.client = new RealtimeClient({ url: realtimeUrl(), token: () => fetchToken(user) });
    this.room = this.client.channel<ChatPayload, MemberMeta, RoomState>(`room:${roomName}`);
    this.client.state$.subscribe((state) => {
      view.state(state);
      view.members(this.room.presence.list(), !this.room.presence.inSync);
    });
    this.client.on('error', (error) => console.warn(`realtime: ${error.message}`));
    this.client.on('state', ({ state, previous }) => {
      if (state === 'reconnecting') view.notice('Connection lost: reconnecting…');
      else if (state === 'connected' && previous === 'reconnecting') view.notice(`Reconnected: back in #${roomName}`);
    });
    this.room.onMessage((message) => view.message(message));
    this.room.sharedState.onChange((change) => {
      if (change.key !== 'topic') return;
      view.topic(change.value, change.by);
      // A snapshot (join, rejoin) is not news; a change is.
      if (change.reason === 'snapshot') return;
      view.notice(change.value === undefined ? 'The topic was cleared' : `${change.by ?? 'The server'} set the topic: “${change.value}”`);
    });
    this.room.presence.onSync((members) => view.members(members, !this.room.presence.inSync));
    // A full state (first join, rejoin) is not news; diffs are.
    this.room.presence.onJoin(({ clientId, first }) => first && this.room.presence.inSync && view.notice(`${clientId} joined`));
    this.room.presence.onLeave(({ clientId, last }) => last && this.room.presence.inSync && view.notice(`${clientId} left`));
  }

  async start(): Promise<void> {
    const joined = this.room.join({ name: this.user });
    try {
      await Promise.all([this.client.connect(), joined]);
    } catch (error) {
      this.view.notice(`Could not join: ${(error as Error).message}`);
    }
  }

  /** Sends a message (it waits in the client's queue while the connection is down). */
  send(text: string): Promise<void> {
    return this.room.publish({ text });
  }

  /** Sets (or, with blank text, clears) the room's topic for everyone; the view hears it back from the server. */
  async setTopic(text: string): Promise<void> {
    if (text !== '') await this.room.sharedState.set('topic', text);
    else if (this.room.sharedState.get('topic') !== undefined) await this.room.sharedState.delete('topic');
  }

  /** Sets this tab's status; a rejoin after a reconnect keeps it. */
  async setStatus(status: ChosenStatus): Promise<void> {
    await this.room.presence.setStatus(status);
  }
}
