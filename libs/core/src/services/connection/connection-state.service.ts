import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Observable } from 'rxjs';
import { AuditService } from '../audit/audit.service';
import type { RealtimeEngine } from '../../engine/realtime-engine.interface';
import { EventStream } from '../../hooks/event-stream';
import type { ConnectionStateChange } from '../../hooks/realtime-events';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { RealtimeException } from '../../errors/realtime.exception';
import { ProtocolEvent } from '@nest-realtime/protocol';
import { RealtimeLogger } from '../../logging/realtime.logger';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../../realtime.constants';
import { ConnectionRegistry } from './connection.registry';
import { ConnectionStateMachine } from './connection-state.machine';
import type { RealtimeConnection } from './realtime-connection';

/** Each connection's state: changes only along allowed transitions, timestamped, announced, remembered. */
@Injectable()
export class ConnectionStateService implements OnApplicationShutdown {
  readonly machine: ConnectionStateMachine;
  private readonly stream = new EventStream<ConnectionStateChange>();
  /** Every state change of every connection. */
  readonly connectionState$: Observable<ConnectionStateChange> = this.stream.events$;
  private readonly clientStates: Set<string>;
  private readonly historySize: number;
  private readonly logger: RealtimeLogger;

  constructor(
    @Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions,
    @Inject(REALTIME_ENGINE) private readonly engine: RealtimeEngine,
    private readonly registry: ConnectionRegistry,
    private readonly audit: AuditService,
  ) {
    this.logger = new RealtimeLogger('RealtimeConnection', options.logLevels);
    this.machine = new ConnectionStateMachine(options.state);
    this.clientStates = new Set(options.state.clientStates);
    this.historySize = options.state.historySize;
  }

  /** The current state of a connection of this node, or undefined when there is none. */
  get(connectionId: string): string | undefined {
    return this.registry.get(connectionId)?.state;
  }

  /** The last state changes of a connection, oldest first. */
  history(connectionId: string): ConnectionStateChange[] {
    return [...(this.registry.get(connectionId)?.stateHistory ?? [])];
  }

  /** Moves a connection to another state; refuses, changing nothing, what the machine does not allow. */
  transition(connectionId: string, to: string, reason?: string): ConnectionStateChange {
    const connection = this.registry.get(connectionId);
    if (!connection) throw new RealtimeException('not_found', `No connection "${connectionId}" on this node.`);
    return this.apply(connection, to, reason);
  }

  /** A transition a client asked for with `connection:state`. */
  requestByClient(connection: RealtimeConnection, to: string): ConnectionStateChange {
    if (!this.clientStates.has(to)) {
      throw new RealtimeException('forbidden', `A client may only ask for the states ${[...this.clientStates].join(', ')}; "${to}" is the server's to set.`);
    }
    return this.apply(connection, to, 'client request');
  }

  /** Puts a new connection in the initial state. */
  start(connection: RealtimeConnection): void {
    this.record(connection, null, this.machine.initial, 'open');
  }

  /** Puts a closed connection in the terminal state, whatever it was in. */
  finish(connection: RealtimeConnection, reason: string): void {
    if (connection.state !== this.machine.terminal) this.record(connection, connection.state, this.machine.terminal, reason);
  }

  private apply(connection: RealtimeConnection, to: string, reason?: string): ConnectionStateChange {
    const from = connection.state;
    if (from === to) {
      return connection.lastStateChange!;
    }
    this.machine.assertTransition(from, to);
    return this.record(connection, from, to, reason);
  }

  private record(connection: RealtimeConnection, from: string | null, to: string, reason?: string): ConnectionStateChange {
    // Made whole in one literal: a `reason` added afterwards would move it to a properties array of its own.
    const at = Date.now();
    const { id: connectionId, clientId } = connection;
    const change: ConnectionStateChange =
      reason === undefined ? { connectionId, clientId, from, to, at } : { connectionId, clientId, from, to, at, reason };
    connection.state = to;
    connection.recordStateChange(change, this.historySize);
    connection.sendFrame(ProtocolEvent.State, { state: to, previous: from, at: change.at });
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
    this.stream.complete();
  }
}
