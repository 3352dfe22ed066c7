import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { CleanupService } from '../cleanup/cleanup.service';
import type { CleanupTask } from '../cleanup/cleanup-task.interface';
import { ConnectionLifecycle } from '../../services/connection/connection.lifecycle';
import { ConnectionRegistry } from '../../services/connection/connection.registry';
import type { ResolvedRealtimeOptions } from '../../options/realtime-options.resolver';
import { CloseCode } from '@nest-realtime/protocol';
import { REALTIME_OPTIONS } from '../../realtime.constants';

/** Closes with 4003 the connections that sent no frame but heartbeats for `limits.idleTimeout` (when set). */
@Injectable()
export class IdleConnectionsSweeper implements OnModuleInit {
  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly cleanup: CleanupService,
    private readonly registry: ConnectionRegistry,
    private readonly lifecycle: ConnectionLifecycle,
  ) {}

  onModuleInit(): void {
    const idleTimeout = this.options.limits.idleTimeout;
    if (idleTimeout === 0) return;
    this.cleanup.addSweeper({
      name: 'idle connections',
      sweep: (now) => {
        const tasks: CleanupTask[] = [];
        for (const connection of this.registry.all()) {
          if (connection.isClosing || now - connection.lastActiveAt < idleTimeout) continue;
          tasks.push({
            key: `idle:${connection.id}`,
            run: () => this.lifecycle.kick(connection, CloseCode.IdleTimeout, `idle for ${idleTimeout} ms`),
          });
        }
        return tasks;
      },
    });
  }
}
