import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'crypto';
import type { RealtimeConnection } from '../connection/realtime-connection';
import type { RealtimeEngine, SessionChannel } from '../engine/realtime-engine.interface';
import type { ResolvedRealtimeOptions } from '../options/realtime-options.resolver';
import { CloseCode } from '../protocol/close-codes';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../realtime.constants';

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
 */
@Injectable()
export class ResumeSessions {
  private readonly tokens = new WeakMap<RealtimeConnection, string>();

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
  ) {}

  /** The welcome's `resume` for a new connection; undefined when resume is off. */
  grant(connection: RealtimeConnection): ResumeGrant | undefined {
    if (!this.options.resume) return undefined;
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(connection, token);
    return { token, ttl: this.options.resume.ttl };
  }

  /** Keeps the session of a closing connection (before its channels are left); nothing for a final close or no channel. */
  async save(connection: RealtimeConnection, code: number): Promise<void> {
    const token = this.tokens.get(connection);
    this.tokens.delete(connection);
    if (!token || !this.options.resume || FINAL_CLOSES.has(code)) return;
    const channels: SessionChannel[] = [];
    for (const channel of await this.engine.channelsOf(connection.id)) {
      const membership = await this.engine.membership(channel, connection.id);
      if (!membership) continue;
      const entry: SessionChannel = { channel, meta: membership.meta };
      const tracked = await this.engine.presenceMeta(channel, connection.id);
      if (tracked) {
        const { connectionId: _id, onlineAt: _at, ...meta } = tracked.meta;
        entry.presence = meta;
      }
      channels.push(entry);
    }
    if (channels.length === 0) return;
    const session = { clientId: connection.clientId, anonymous: connection.clientId === connection.id, channels };
    await this.engine.saveSession(token, session, this.options.resume.ttl);
  }
}
