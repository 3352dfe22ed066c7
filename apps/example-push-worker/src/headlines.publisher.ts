import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ChannelService } from '@nest-realtime/core';

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

export interface WorkerConfig {
  redisUrl: string;
  /** The channel to publish to. */
  channel: string;
  /** ms between two publishes. */
  interval: number;
  /** Publishes before `done` resolves; 0: no end. */
  count: number;
}

export interface Headline {
  n: number;
  text: string;
}

/**
 * Publishes a headline every `interval` ms, from bootstrap to shutdown. A real worker would take its
 * messages from a queue or a database instead of a timer: the publish is the same.
 */
@Injectable()
export class HeadlinesPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private published = 0;
  private finished!: () => void;
  /** Resolves once `count` headlines are out. */
  readonly done = new Promise<void>((resolve) => (this.finished = resolve));

  constructor(
    private readonly channels: ChannelService,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.publishNext(), this.config.interval);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async publishNext(): Promise<void> {
    const n = ++this.published;
    const headline: Headline = { n, text: `Headline #${n}` };
    // Reaches the channel's members on every node of the Redis; resolves to how many there are.
    const members = await this.channels.publish(this.config.channel, headline);
    console.log(`published "${headline.text}" to ${this.config.channel} (members: ${members})`);
    if (n === this.config.count) {
      clearInterval(this.timer);
      this.finished();
    }
  }
}
