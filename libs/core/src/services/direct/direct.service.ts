import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { RealtimeEngine } from '../../engine/realtime-engine.interface';
import { EventStream } from '../../hooks/event-stream';
import type { DirectMessageEvent } from '../../hooks/realtime-events';
import { encodeFrame } from '../../codec/frame.codec';
import { ProtocolEvent } from '@nest-realtime/protocol';
import { REALTIME_ENGINE } from '../../realtime.constants';

/** Direct messages: to every connection of one clientId. */
@Injectable()
export class DirectService implements OnApplicationShutdown {
  private readonly stream = new EventStream<DirectMessageEvent>();
  readonly direct$: Observable<DirectMessageEvent> = this.stream.events$;

  constructor(@Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine) {}

  /** Sends `direct:message` to each connection of `to`; `from` is null for server code. Resolves to the deliveries. */
  async send(to: string, payload: unknown, from: string | null = null): Promise<number> {
    const at = Date.now();
    const delivered = await this.engine.broker.sendToClient(to, encodeFrame(ProtocolEvent.DirectMessage, { from, payload, at }));
    this.stream.emit({ from, to, payload, delivered, at });
    return delivered;
  }

  onApplicationShutdown(): void {
    this.stream.complete();
  }
}
