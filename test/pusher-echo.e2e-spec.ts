import Echo from 'laravel-echo';
import PusherServer from 'pusher';
import Pusher from 'pusher-js';
import { DemoServer } from './support/demo-server';

const APP = { appId: 'echo-e2e', key: 'echo-e2e-key', secret: 'echo-e2e-secret' };

interface Member {
  name: string;
}

/** Collects what a callback is given, and waits for it. */
class Seen<T> {
  readonly items: T[] = [];
  private waiters: Array<() => void> = [];

  readonly add = (item: T): void => {
    this.items.push(item);
    for (const waiter of this.waiters.splice(0)) waiter();
  };

  async count(count: number, timeoutMs = 10_000): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length < count) {
      if (Date.now() > deadline) throw new Error(`Saw ${this.items.length} of ${count}: ${JSON.stringify(this.items)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.items;
  }
}

const byName = (members: Member[]) => [...members].sort((a, b) => a.name.localeCompare(b.name));

/** Laravel Echo over pusher-js (its Node build), on the demo's Pusher endpoint and POST /pusher/auth. */
describe('Laravel Echo on the demo', () => {
  let server: DemoServer;
  let api: PusherServer;
  const echoes: Array<Echo<'pusher'>> = [];

  beforeAll(async () => {
    server = await DemoServer.start({ PUSHER_APP_ID: APP.appId, PUSHER_APP_KEY: APP.key, PUSHER_APP_SECRET: APP.secret });
    api = new PusherServer({ ...APP, host: '127.0.0.1', port: new URL(server.http).port, useTLS: false });
  });

  afterAll(async () => {
    for (const echo of echoes) echo.disconnect();
    await server?.stop();
  });

  /**
   * As a Laravel app configures Echo for a self-hosted Pusher server, with the demo's token as the bearer.
   * The header goes in `auth.headers`, not `bearerToken`: Echo writes `bearerToken` into an `auth` object
   * all its instances share, and this process holds several users' instances.
   */
  async function echoFor(user: string): Promise<Echo<'pusher'>> {
    const echo = new Echo({
      broadcaster: 'pusher',
      Pusher,
      key: APP.key,
      cluster: 'demo',
      wsHost: '127.0.0.1',
      wsPort: Number(new URL(server.http).port),
      forceTLS: false,
      enabledTransports: ['ws'],
      authEndpoint: `${server.http}/pusher/auth`,
      auth: { headers: { Authorization: `Bearer ${await server.tokenFor(user)}` } },
    });
    echoes.push(echo);
    return echo;
  }

  it('joins a presence channel: here, joining, leaving, listen and whisper', async () => {
    const alice = await echoFor('alice');
    const aliceHere = new Seen<Member[]>();
    const joining = new Seen<Member>();
    const leaving = new Seen<Member>();
    const shipped = new Seen<unknown>();
    const namespaced = new Seen<unknown>();
    const typing = new Seen<unknown>();
    alice
      .join('lobby')
      .here(aliceHere.add)
      .joining(joining.add)
      .leaving(leaving.add)
      .listen('.order.shipped', shipped.add)
      .listen('OrderShipped', namespaced.add)
      .listenForWhisper('typing', typing.add);
    expect(await aliceHere.count(1)).toEqual([[{ name: 'alice' }]]);

    const bob = await echoFor('bob');
    const bobHere = new Seen<Member[]>();
    const bobTyping = new Seen<unknown>();
    const lobby = bob.join('lobby').here(bobHere.add).listenForWhisper('typing', bobTyping.add);
    expect(byName((await bobHere.count(1))[0])).toEqual([{ name: 'alice' }, { name: 'bob' }]);
    expect(await joining.count(1)).toEqual([{ name: 'bob' }]);

    // `.order.shipped`: the event as named; `OrderShipped`: under Echo's namespace, App\Events\OrderShipped.
    await api.trigger('presence-lobby', 'order.shipped', { order: 42 });
    await api.trigger('presence-lobby', 'App\\Events\\OrderShipped', { order: 43 });
    expect(await shipped.count(1)).toEqual([{ order: 42 }]);
    expect(await namespaced.count(1)).toEqual([{ order: 43 }]);

    lobby.whisper('typing', { name: 'bob' });
    expect(await typing.count(1)).toEqual([{ name: 'bob' }]);
    // A whisper is a client event: the other members get it, the sender does not.
    expect(bobTyping.items).toEqual([]);

    bob.leave('lobby');
    expect(await leaving.count(1)).toEqual([{ name: 'bob' }]);
    expect(joining.items).toHaveLength(1);
  });

  it('sees a member leave when its connection goes, and listens on private and public channels', async () => {
    const carol = await echoFor('carol');
    const leaving = new Seen<Member>();
    const here = new Seen<Member[]>();
    carol.join('garden').here(here.add).leaving(leaving.add);
    await here.count(1);
    const dave = await echoFor('dave');
    const daveHere = new Seen<Member[]>();
    dave.join('garden').here(daveHere.add);
    await daveHere.count(1);

    dave.disconnect();
    expect(await leaving.count(1)).toEqual([{ name: 'dave' }]);

    const inbox = new Seen<unknown>();
    const news = new Seen<unknown>();
    const subscribed = new Seen<void>();
    carol.private('user-carol').subscribed(subscribed.add).listen('.note', inbox.add);
    carol.channel('news').subscribed(subscribed.add).listen('.note', news.add);
    await subscribed.count(2);
    await api.trigger(['private-user-carol', 'news'], 'note', { text: 'tea at five' });
    expect(await inbox.count(1)).toEqual([{ text: 'tea at five' }]);
    expect(await news.count(1)).toEqual([{ text: 'tea at five' }]);
  });

  it("reports the refusal of someone else's private channel through error()", async () => {
    const erin = await echoFor('erin');
    const errors = new Seen<{ status?: number }>();
    erin.private('user-frank').error(errors.add);

    expect((await errors.count(1))[0]).toEqual(expect.objectContaining({ status: 403 }));
  });
});
