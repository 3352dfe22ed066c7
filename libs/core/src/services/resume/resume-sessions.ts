import { Inject, Injectable } from '@nestjs/common';
import { createHmac, randomBytes } from 'crypto';
import type { RealtimeConnection } from '../connection/realtime-connection';
import type { RealtimeEngine, SessionChannel } from '../../engine/realtime-engine.interface';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { CloseCode } from '@nest-realtime/protocol';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';

/** What the welcome announces: the token a later connection resumes this one with, and for how long. */
export interface ResumeGrant {
  token: string;
  ttl: number;
}

/** Closes after which the client must not get its session back: the application's or a policy's decision. */
const FINAL_CLOSES = new Set<number>([CloseCode.DisconnectedByApplication, CloseCode.PolicyViolation]);

/**
 * Hands each connection a resume token with its welcome, and when the connection closes keeps where it
 * was (channels, metas) under that token in the engine for the resume window, on every node.
 *
 * A token is not kept per connection (a string and a weak-map entry apiece, for the connection's life):
 * it is derived from the connectionId with a key of this process's, as unguessable as random bytes
 * without the key, and derived again when the connection closes.
 */
@Injectable()
export class ResumeSessions {
  private readonly key = randomBytes(32);

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
  ) {}

  /** The welcome's `resume` for a new connection; undefined when resume is off. */
  grant(connection: RealtimeConnection): ResumeGrant | undefined {
    if (!this.options.resume) return undefined;
    return { token: this.tokenOf(connection), ttl: this.options.resume.ttl };
  }

  /** Keeps the session of a closing connection (before its channels are left); nothing for a final close or no channel. */
  async save(connection: RealtimeConnection, code: number): Promise<void> {
    if (!this.options.resume || FINAL_CLOSES.has(code)) return;
    const channels: SessionChannel[] = [];
    for (const channel of await this.engine.memberships.channelsOf(connection.id)) {
      const membership = await this.engine.memberships.get(channel, connection.id);
      if (!membership) continue;
      const entry: SessionChannel = { channel, meta: membership.meta };
      const tracked = await this.engine.presence.meta(channel, connection.id);
      if (tracked) {
        const { connectionId: _id, onlineAt: _at, ...meta } = tracked.meta;
        entry.presence = meta;
      }
      channels.push(entry);
    }
    if (channels.length === 0) return;
    const session = { clientId: connection.clientId, anonymous: connection.clientId === connection.id, channels };
    await this.engine.sessions.save(this.tokenOf(connection), session, this.options.resume.ttl);
  }

  /** A connection's token: 24 bytes of HMAC-SHA256 of its id, base64url (32 characters, as random ones were). */
  private tokenOf(connection: RealtimeConnection): string {
    return createHmac('sha256', this.key).update(connection.id).digest().subarray(0, 24).toString('base64url');
  }
}
