import type { WebSocket } from 'ws';
import { RealtimeConnection } from './realtime-connection';

/**
 * Turns the native frames a connection is sent (encoded JSON: `channel:message`, `presence:diff`…) into
 * the frames of the protocol its client speaks. A broadcast hands the same Buffer to every member: a
 * translator memoizes by Buffer identity, so that a frame is decoded once, not once per member.
 */
export interface OutboundTranslator {
  /** Writes, with `connection.write`, what a native frame becomes for this connection (nothing, one frame, several); whether it was taken. */
  translate(frame: Buffer, connection: TranslatedConnection): boolean;
  /** The close code the client gets for a close the core makes with `code` (a heartbeat timeout, a shutdown…). */
  closeCode(code: number): number;
}

/**
 * A core connection whose client speaks another protocol (Pusher, say): registered, limited, joined and
 * released like any other, so that the services and engines serve it unchanged; only its outbound bytes
 * go through its translator. A subclass, so that native connections pay nothing for it.
 */
export class TranslatedConnection extends RealtimeConnection {
  constructor(
    id: string,
    clientId: string,
    claims: Record<string, unknown>,
    socket: WebSocket,
    readonly translator: OutboundTranslator,
  ) {
    super(id, clientId, claims, socket);
  }

  /** A native frame: translated. */
  override send(frame: Buffer): boolean {
    return this.translator.translate(frame, this);
  }

  /** Writes a frame of the client's own protocol as it is (with the outbound limit of every connection). */
  write(frame: Buffer): boolean {
    return super.send(frame);
  }

  override close(code: number, reason = ''): void {
    super.close(this.translator.closeCode(code), reason);
  }
}
