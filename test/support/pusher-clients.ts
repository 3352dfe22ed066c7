import type { AddressInfo } from 'net';
import Pusher from 'pusher-js';
import type { Channel, Options } from 'pusher-js';
import WebSocket from 'ws';
import { authToken, channelAuthText, userAuthText } from '@nest-realtime/pusher';
import type { RealtimeTestApp } from './realtime-app';

/** The app of the Pusher suites. */
export const PUSHER_APP = { id: 'app-1', key: 'app-key', secret: 'app-secret' };

export interface PusherUser {
  user_id: string;
  user_info?: unknown;
}

/** The port the test app listens on. */
export function portOf(rt: RealtimeTestApp): number {
  return (rt.app.getHttpServer().address() as AddressInfo).port;
}

/**
 * The real pusher-js (its Node build) pointed at the test app. Channels are authorized as an app's auth
 * endpoint does: signed with the app secret, for `user` on presence channels.
 */
export function pusherClient(rt: RealtimeTestApp, options: { user?: PusherUser; key?: string; secret?: string; signin?: Record<string, unknown> } = {}): Pusher {
  const secret = options.secret ?? PUSHER_APP.secret;
  const key = options.key ?? PUSHER_APP.key;
  const app = { key, secret };
  const config: Options = {
    cluster: 'x',
    wsHost: '127.0.0.1',
    wsPort: portOf(rt),
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: {
      endpoint: '/unused',
      transport: 'ajax',
      customHandler: ({ socketId, channelName }, callback) => {
        if (channelName.startsWith('presence-')) {
          const channelData = JSON.stringify(options.user ?? { user_id: socketId });
          callback(null, { auth: authToken(app, channelAuthText(socketId, channelName, channelData)), channel_data: channelData });
        } else {
          callback(null, { auth: authToken(app, channelAuthText(socketId, channelName)) });
        }
      },
    },
  };
  if (options.signin) {
    const userData = JSON.stringify(options.signin);
    config.userAuthentication = {
      endpoint: '/unused',
      transport: 'ajax',
      customHandler: ({ socketId }, callback) => callback(null, { auth: authToken(app, userAuthText(socketId, userData)), user_data: userData }),
    };
  }
  return new Pusher(key, config);
}

/** Resolves once the client is connected (its socket_id known). */
export function connected(pusher: Pusher): Promise<string> {
  return new Promise((resolve, reject) => {
    if (pusher.connection.state === 'connected') return resolve(pusher.connection.socket_id);
    const timer = setTimeout(() => reject(new Error(`pusher-js stayed ${pusher.connection.state}`)), 5000);
    pusher.connection.bind('connected', () => {
      clearTimeout(timer);
      resolve(pusher.connection.socket_id);
    });
  });
}

/** Resolves with the data of the next `event` on the channel (or on the client with no channel). */
export function next<T = any>(source: { bind(event: string, callback: (data: T) => void): unknown; unbind(event: string, callback: (data: T) => void): unknown }, event: string, timeout = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeout} ms`)), timeout);
    const handler = (data: T) => {
      clearTimeout(timer);
      source.unbind(event, handler);
      resolve(data);
    };
    source.bind(event, handler);
  });
}

/** Subscribes and resolves with what `pusher:subscription_succeeded` brings (the members of a presence channel). */
export function subscribed(pusher: Pusher, name: string, timeout = 5000): Promise<{ channel: Channel; data: any }> {
  const channel = pusher.subscribe(name);
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      channel.unbind('pusher:subscription_succeeded', succeeded);
      channel.unbind('pusher:subscription_error', failed);
    };
    const succeeded = (data: unknown) => (done(), resolve({ channel, data }));
    const failed = (error: unknown) => (done(), reject(new Error(`subscription to ${name} failed: ${JSON.stringify(error)}`)));
    const timer = setTimeout(() => (done(), reject(new Error(`no answer to the subscription to ${name} within ${timeout} ms`))), timeout);
    channel.bind('pusher:subscription_succeeded', succeeded);
    channel.bind('pusher:subscription_error', failed);
  });
}

/** Collects every `event` on a channel, for asserting what did and did not arrive. */
export function record<T = any>(channel: Channel, event: string): T[] {
  const seen: T[] = [];
  channel.bind(event, (data: T) => seen.push(data));
  return seen;
}

/** A raw socket on the Pusher endpoint, for bad input (what no real client sends) and protocol details. */
export class RawPusherSocket {
  readonly frames: any[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<{ match: (frame: any) => boolean; resolve: (frame: any) => void; timer: NodeJS.Timeout }> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (typeof frame.data === 'string') {
        try {
          frame.data = JSON.parse(frame.data);
        } catch {
          // data as it is
        }
      }
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => !(waiter.match(frame) && (waiter.resolve(frame), true)));
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async open(rt: RealtimeTestApp, path = `/app/${PUSHER_APP.key}?protocol=7&client=js&version=8.6.0`): Promise<RawPusherSocket> {
    const socket = new WebSocket(`ws://127.0.0.1:${portOf(rt)}${path}`);
    const raw = new RawPusherSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return raw;
  }

  /** Resolves with the first frame (received already or to come) that matches. */
  next(match: (frame: any) => boolean, timeout = 5000): Promise<any> {
    const found = this.frames.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeout} ms; got ${JSON.stringify(this.frames).slice(0, 500)}`)), timeout);
      this.waiters.push({ match, resolve: (frame) => (clearTimeout(timer), resolve(frame)), timer });
    });
  }

  event(event: string, after = 0): Promise<any> {
    return this.next((frame) => frame.event === event && this.frames.indexOf(frame) >= after);
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a ping and waits for its pong: every frame sent before it has been handled. */
  async roundTrip(): Promise<void> {
    const from = this.frames.length;
    this.send({ event: 'pusher:ping', data: {} });
    await this.event('pusher:pong', from);
  }

  get socketId(): string {
    return this.frames.find((frame) => frame.event === 'pusher:connection_established').data.socket_id;
  }

  /** Cuts the socket; what is still awaited stays unanswered. */
  close(): void {
    for (const waiter of this.waiters.splice(0)) clearTimeout(waiter.timer);
    this.socket.terminate();
  }
}
