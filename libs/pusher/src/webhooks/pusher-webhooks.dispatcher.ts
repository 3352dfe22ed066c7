import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PUSHER_OPTIONS } from '../pusher.constants';
import type { ResolvedPusherApp, ResolvedPusherOptions } from '../options/pusher-options.resolver';
import type { PusherWebhookEvent } from '../options/pusher-options.interface';
import { PUSHER_API_APPS } from '../http/pusher-http.constants';
import type { ResolvedApiApp } from '../http/pusher-http.options';
import type { PusherWebhookPayloadEvent } from './pusher-webhook.events';
import { WEBHOOK_SHUTDOWN_MS } from './pusher-webhooks.constants';
import { LaneReport, WebhookLane } from './webhook.lane';

interface Receiver {
  lane: WebhookLane;
  events: ReadonlySet<PusherWebhookEvent>;
}

/** The apps' webhook receivers: routes each event to the lanes of the receivers that want it. */
@Injectable()
export class PusherWebhooksDispatcher implements OnApplicationShutdown {
  private readonly logger = new Logger('RealtimePusherWebhooks');
  private readonly receivers = new Map<string, Receiver[]>();
  /** The apps that have at least one receiver. */
  readonly apps: readonly ResolvedPusherApp[];

  constructor(
    @Inject(PUSHER_OPTIONS) options: ResolvedPusherOptions,
    @Inject(PUSHER_API_APPS) apiApps: ReadonlyMap<string, ResolvedApiApp>,
  ) {
    const report: LaneReport = {
      failed: (url, events, reason) => this.logger.warn(`${events} webhook event(s) to ${url} were dropped after every try failed (${reason}); check that the receiver answers 2xx.`),
      overflowed: (url, dropped) => this.logger.warn(`${dropped} webhook event(s) to ${url} were dropped: too many waiting; check that the receiver is up.`),
    };
    for (const app of options.apps) {
      const webhooks = apiApps.get(app.id)?.webhooks ?? [];
      if (webhooks.length === 0) continue;
      this.receivers.set(
        app.id,
        webhooks.map((webhook) => ({ lane: new WebhookLane(webhook.url, app.key, app.secret, report), events: webhook.events })),
      );
    }
    this.apps = options.apps.filter((app) => this.receivers.has(app.id));
  }

  /** Whether a receiver of the app wants this event. */
  wants(appId: string, name: PusherWebhookEvent): boolean {
    return this.receivers.get(appId)?.some((receiver) => receiver.events.has(name)) ?? false;
  }

  /** Queues an event for the app's receivers that want it; never waits. */
  emit(appId: string, event: PusherWebhookPayloadEvent): void {
    for (const receiver of this.receivers.get(appId) ?? []) if (receiver.events.has(event.name)) receiver.lane.push(event);
  }

  /** Gives the waiting batches a last try, for at most `WEBHOOK_SHUTDOWN_MS`. */
  async onApplicationShutdown(): Promise<void> {
    const lanes = [...this.receivers.values()].flat().map((receiver) => receiver.lane.close());
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, WEBHOOK_SHUTDOWN_MS)));
    await Promise.race([Promise.all(lanes), deadline]);
    clearTimeout(timer);
  }
}
