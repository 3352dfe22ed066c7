import type { RedisConnection } from './redis.connection';

/**
 * This node's subscriptions to channel buses (`P bus:{c:<channel>}`): a node subscribes to a channel's bus
 * before its first member there joins in Redis (so no frame published after the join is missed) and
 * unsubscribes once it holds no member (nor follower) of it. Steps of one channel run one after the other,
 * so a leave's unsubscribe and the next join's subscribe cannot cross.
 */
export class ChannelSubscriptions {
  private readonly subscribed = new Set<string>();
  private readonly steps = new Map<string, Promise<void>>();

  constructor(
    private readonly redis: RedisConnection,
    /** Whether this node still needs the channel's frames. */
    private readonly wanted: (channel: string) => Promise<boolean>,
  ) {}

  /** Subscribes to the channel's bus unless it already is; resolves once Redis confirmed. */
  hold(channel: string): Promise<void> {
    return this.step(channel, async () => {
      if (this.subscribed.has(channel)) return;
      await this.redis.subscribe(this.redis.keys.channel('bus', channel));
      this.subscribed.add(channel);
    });
  }

  /**
   * Subscribes again, even where it is: after an outage a subscription may have been lost without a word
   * (ioredis restores a cluster's sharded subscriptions without waiting for their replies).
   */
  renew(channel: string): Promise<void> {
    return this.step(channel, async () => {
      await this.redis.subscribe(this.redis.keys.channel('bus', channel));
      this.subscribed.add(channel);
    });
  }

  /** Renews every subscription this node holds. */
  async renewAll(): Promise<void> {
    await Promise.all([...this.subscribed].map((channel) => this.renew(channel)));
  }

  /** Unsubscribes from the channel's bus when this node no longer needs it. */
  settle(channel: string): Promise<void> {
    return this.step(channel, async () => {
      if (!this.subscribed.has(channel) || (await this.wanted(channel))) return;
      this.subscribed.delete(channel);
      await this.redis.unsubscribe(this.redis.keys.channel('bus', channel));
    });
  }

  private step(channel: string, run: () => Promise<void>): Promise<void> {
    const next = (this.steps.get(channel) ?? Promise.resolve()).then(run, run);
    const tail = next.catch(() => undefined);
    this.steps.set(channel, tail);
    void tail.then(() => this.steps.get(channel) === tail && this.steps.delete(channel));
    return next;
  }
}
