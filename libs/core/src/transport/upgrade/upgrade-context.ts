import type { IncomingMessage } from 'http';
import type { AuthResult } from '../../options/realtime-options.interface';
import type { RealtimeTransport } from '../../services/connection/realtime-connection';

/**
 * A refused upgrade: a plain HTTP answer and no WebSocket. The library uses 401 (credentials), 403
 * (origin, policy), 429 (too many connections) and 503 (shutting down, or checks too slow).
 */
export class UpgradeRejection extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'UpgradeRejection';
  }
}

/** One upgrade request on its way through the middleware, before any WebSocket exists. */
export class UpgradeContext {
  /** Who is connecting, once the authentication middleware has run; null for an anonymous connection. */
  identity: AuthResult | null = null;
  private abandonHandlers?: Array<() => void>;
  private settled: 'open' | 'abandoned' | undefined;

  constructor(
    readonly request: IncomingMessage,
    /** The client's IP address (see `limits.trustProxy`). */
    readonly ip: string,
    /**
     * How the WebSocket comes: an HTTP/1.1 upgrade, or an HTTP/2 extended CONNECT (RFC 8441), whose
     * `request` is then an `Http2ServerRequest` (headers, `url`, `socket` alike; `host` from `:authority`).
     */
    readonly transport: RealtimeTransport = 'h1',
  ) {}

  /** The Origin header, when there is one. */
  get origin(): string | undefined {
    const origin = this.request.headers.origin;
    return Array.isArray(origin) ? origin[0] : origin;
  }

  /** Refuses the upgrade with an HTTP status and a message for the client. */
  refuse(status: number, message: string): never {
    throw new UpgradeRejection(status, message);
  }

  /** Runs `handler` if the upgrade ends without a connection (refused later on, or the client left). */
  onAbandoned(handler: () => void): void {
    // A middleware still running when the handshake timed out registers after the fact.
    if (this.settled === 'abandoned') handler();
    else (this.abandonHandlers ??= []).push(handler);
  }

  /** @internal The upgrade ended without a connection. */
  abandon(): void {
    if (this.settled) return;
    this.settled = 'abandoned';
    for (const handler of this.abandonHandlers ?? []) handler();
  }

  /** @internal The upgrade became a connection. */
  open(): void {
    this.settled ??= 'open';
    // They can no longer run: let what they hold go.
    if (this.settled === 'open') this.abandonHandlers = undefined;
  }

  /** @internal Whether it was abandoned (a late middleware must not open it). */
  get isAbandoned(): boolean {
    return this.settled === 'abandoned';
  }
}
