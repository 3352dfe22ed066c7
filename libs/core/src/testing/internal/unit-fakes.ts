/**
 * Test-only helpers for the unit specs beside the code: a fake `ws` socket that records what is sent,
 * and a Nest testing module wired like RealtimeModule around a MemoryEngine. Internal: excluded from the
 * build and from `@nest-realtime/core/testing` (../index.ts), which is for applications' tests.
 */
import type { Provider } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { EventEmitter } from 'events';
import type { WebSocket } from 'ws';
import { AuditService } from '../../services/audit/audit.service';
import { ChannelAuthorization } from '../../services/authorization/channel-authorization.service';
import { ConnectionRegistry } from '../../services/connection/connection.registry';
import { RealtimeConnection } from '../../services/connection/realtime-connection';
import { MemoryEngine } from '../../engine/memory/memory.engine';
import { RealtimeException } from '../../errors/realtime.exception';
import type { RealtimeModuleOptions } from '../../options/realtime-options.interface';
import { resolveRealtimeOptions, ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';
import { ResumeSessions } from '../../services/resume/resume-sessions';
import { ChannelRules } from '../../services/channel/channel.rules';
import { StateSnapshots } from '../../services/shared-state/state.snapshots';

export interface SentFrame {
  event: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data?: any;
  ref?: string;
}

/** Just enough of a `ws` WebSocket for a RealtimeConnection: open, recording every `send`. */
export class FakeSocket extends EventEmitter {
  readyState = 1;
  readonly send = jest.fn((_data: Buffer, _options?: unknown): void => undefined);
  readonly close = jest.fn((_code?: number, _reason?: string): void => {
    this.readyState = 2;
  });
  readonly terminate = jest.fn((): void => {
    this.readyState = 3;
    this.emit('close', 1006, Buffer.alloc(0));
  });
  readonly ping = jest.fn();

  /** Every frame sent, decoded. */
  frames(): SentFrame[] {
    return this.send.mock.calls.map(([data]) => JSON.parse(data.toString('utf8')) as SentFrame);
  }

  framesOf(event: string): SentFrame[] {
    return this.frames().filter((frame) => frame.event === event);
  }
}

export function fakeConnection(
  id: string,
  clientId = id,
  claims: Record<string, unknown> = {},
): { connection: RealtimeConnection; socket: FakeSocket } {
  const socket = new FakeSocket();
  const connection = new RealtimeConnection(id, clientId, claims, socket as unknown as WebSocket);
  return { connection, socket };
}

export interface RealtimeTestBed {
  moduleRef: TestingModule;
  engine: MemoryEngine;
  options: ResolvedRealtimeOptions;
  registry: ConnectionRegistry;
  /** Registers a fake connection with the registry (and so with the engine). */
  connect(id: string, clientId?: string): { connection: RealtimeConnection; socket: FakeSocket };
}

/**
 * A Nest testing module with the options and a MemoryEngine under their tokens, the ConnectionRegistry,
 * the AuditService, ChannelAuthorization, ResumeSessions, ChannelRules and StateSnapshots (services others need, with no service dependency), and the providers under test. Lifecycle hooks are not run (no intervals start).
 */
export async function createRealtimeTestBed(options: RealtimeModuleOptions, providers: Provider[]): Promise<RealtimeTestBed> {
  const engine = new MemoryEngine();
  const resolved = resolveRealtimeOptions({ ...options, engine });
  const moduleRef = await Test.createTestingModule({
    providers: [
      { provide: REALTIME_OPTIONS, useValue: resolved },
      { provide: REALTIME_ENGINE, useValue: engine },
      ConnectionRegistry,
      AuditService,
      ChannelAuthorization,
      ResumeSessions,
      ChannelRules,
      StateSnapshots,
      ...providers,
    ],
  }).compile();
  const registry = moduleRef.get(ConnectionRegistry);
  engine.bind(registry);
  return {
    moduleRef,
    engine,
    options: resolved,
    registry,
    connect(id, clientId = id) {
      const fake = fakeConnection(id, clientId);
      registry.add(fake.connection);
      return fake;
    },
  };
}

/** The RealtimeException a call rejects with; fails the test when it resolves or rejects with something else. */
export async function refusal(run: () => Promise<unknown>): Promise<RealtimeException> {
  const error = await run().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RealtimeException);
  return error as RealtimeException;
}
