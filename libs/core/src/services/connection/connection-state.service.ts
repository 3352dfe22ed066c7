import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Observable } from 'rxjs';
import { AuditService } from '../audit/audit.service';
import type { RealtimeEngine } from '../../engine/realtime-engine.interface';
import { EventStream } from '../../hooks/event-stream';
import type { ConnectionStateChange } from '../../hooks/realtime-events';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import type { StateChangeRequest, StateTimeout } from '../../options/realtime-options.interface';
import { STATE_CHANGED_MEANWHILE, STATE_POLICY_FAILED_LOG, STATE_POLICY_REFUSED, STATE_TIMEOUT_REFUSED } from '../../realtime.messages';
import { RealtimeException } from '../../errors/realtime.exception';
import { ProtocolEvent } from '@nest-realtime/protocol';
import { RealtimeLogger } from '../../logging/realtime.logger';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';
import { ConnectionRegistry } from './connection.registry';
import { ConnectionStateMachine } from './connection-state.machine';
import { StatePolicyChain } from './connection-state.policies';
import { StateTimeouts } from './connection-state.timeouts';
import type { RealtimeConnection } from './realtime-connection';

/**
 * Each connection's state: changes only along allowed transitions that the state policies allow,
 * timestamped, announced, remembered; a state with a timeout moves on by itself.
 */
@Injectable()
export class ConnectionStateService implements OnModuleInit, OnApplicationShutdown {
  readonly machine: ConnectionStateMachine;
  private readonly stream = new EventStream<ConnectionStateChange>();
  /** Every state change of every connection. */
  readonly connectionState$: Observable<ConnectionStateChange> = this.stream.events$;
  private readonly clientStates: Set<string>;
  private readonly historySize: number;
  private readonly logger: RealtimeLogger;
  private policies: StatePolicyChain;
  private readonly timeouts: StateTimeouts;

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    private readonly registry: ConnectionRegistry,
    private readonly audit: AuditService,
    private readonly moduleRef: ModuleRef,
  ) {
    this.logger = new RealtimeLogger('RealtimeConnection', options.logLevels);
    this.machine = new ConnectionStateMachine(options.state);
    this.clientStates = new Set(options.state.clientStates);
    this.historySize = options.state.historySize;
    this.policies = new StatePolicyChain([], () => undefined);
    this.timeouts = new StateTimeouts(options.state.timeouts, (connectionId, state, timeout) => this.expire(connectionId, state, timeout));
  }

  async onModuleInit(): Promise<void> {
    this.policies = await StatePolicyChain.resolve(this.options.state.policies, this.moduleRef, (policy, error) =>
      this.logger.error(STATE_POLICY_FAILED_LOG(policy), error),
    );
  }

  /** The current state of a connection of this node, or undefined when there is none. */
  get(connectionId: string): string | undefined {
    return this.registry.get(connectionId)?.state;
  }

  /** The last state changes of a connection, oldest first. */
  history(connectionId: string): ConnectionStateChange[] {
    return [...(this.registry.get(connectionId)?.stateHistory ?? [])];
  }

  /**
   * Moves a connection to another state. Rejects, changing nothing, what the machine does not allow
   * (`invalid`) and what a state policy refuses (`forbidden`, with the policy's reason).
   */
  async transition(connectionId: string, to: string, reason?: string): Promise<ConnectionStateChange> {
    const connection = this.registry.get(connectionId);
    if (!connection) throw new RealtimeException('not_found', `No connection "${connectionId}" on this node.`);
    return this.apply(connection, to, reason, 'server');
  }

  /** A transition a client asked for with `connection:state`. */
  async requestByClient(connection: RealtimeConnection, to: string): Promise<ConnectionStateChange> {
    if (!this.clientStates.has(to)) {
      throw new RealtimeException('forbidden', `A client may only ask for the states ${[...this.clientStates].join(', ')}; "${to}" is the server's to set.`);
    }
    return this.apply(connection, to, 'client request', 'client');
  }

  /** Puts a new connection in the initial state. */
  start(connection: RealtimeConnection): void {
    this.record(connection, null, this.machine.initial, 'open');
  }

  /** Puts a closed connection in the terminal state, whatever it was in. */
  finish(connection: RealtimeConnection, reason: string): void {
    if (connection.state !== this.machine.terminal) this.record(connection, connection.state, this.machine.terminal, reason);
  }

  private async apply(connection: RealtimeConnection, to: string, reason: string | undefined, by: StateChangeRequest['by']): Promise<ConnectionStateChange> {
    const from = connection.state;
    if (from === to) {
      return connection.lastStateChange!;
    }
    this.machine.assertTransition(from, to);
    if (!this.policies.empty) {
      const { id: connectionId, clientId, claims } = connection;
      const request: StateChangeRequest =
        reason === undefined ? { connectionId, clientId, claims, from, to, by } : { connectionId, clientId, claims, from, to, reason, by };
      const refusal = await this.policies.decide(request);
      if (refusal !== undefined) {
        this.audit.record({ type: 'connection.state', connectionId, clientId, ip: connection.ip, from, to, outcome: 'refused', reason: refusal });
        throw new RealtimeException('forbidden', STATE_POLICY_REFUSED(from, to, refusal));
      }
      if (connection.state !== from) throw new RealtimeException('invalid', STATE_CHANGED_MEANWHILE(connectionId, from, connection.state));
    }
    return this.record(connection, from, to, reason, by === 'timeout');
  }

  private expire(connectionId: string, state: string, timeout: StateTimeout): void {
    const connection = this.registry.get(connectionId);
    if (connection?.state !== state) return;
    this.apply(connection, timeout.to, 'timeout', 'timeout').catch((error: Error) =>
      this.logger.debug(STATE_TIMEOUT_REFUSED(connectionId, state, timeout.to, error.message)),
    );
  }

  /** `announceReason`: the client is told why, when the server moved it on its own (a timeout). */
  private record(connection: RealtimeConnection, from: string | null, to: string, reason?: string, announceReason = false): ConnectionStateChange {
    // Made whole in one literal: a `reason` added afterwards would move it to a properties array of its own.
    const at = Date.now();
    const { id: connectionId, clientId } = connection;
    const change: ConnectionStateChange =
      reason === undefined ? { connectionId, clientId, from, to, at } : { connectionId, clientId, from, to, at, reason };
    connection.state = to;
    connection.recordStateChange(change, this.historySize);
    connection.sendFrame(ProtocolEvent.State, announceReason ? { state: to, previous: from, at, reason } : { state: to, previous: from, at });
    this.timeouts.enter(connection.id, to);
    // Other nodes see the state through the engine; the initial one is written with the connection itself.
    if (from !== null) {
      this.engine.directory.stateChanged(connection.id, to).catch((error) => this.logger.warn(`Could not share the state of ${connection.id}: ${String(error)}`));
    }
    this.stream.emit(change);
    if (this.audit.observed) {
      this.audit.record({ type: 'connection.state', connectionId: connection.id, clientId: connection.clientId, ip: connection.ip, from, to, reason });
    }
    return change;
  }

  onApplicationShutdown(): void {
    this.timeouts.clear();
    this.stream.complete();
  }
}
