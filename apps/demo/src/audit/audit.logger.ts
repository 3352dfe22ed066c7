import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AuditEvent, AuditService } from '@nest-realtime/core';
import { Subscription } from 'rxjs';

/** Writes the realtime audit trail (states, authorizations, kicks, refusals) to the log, one JSON line each. */
@Injectable()
export class AuditLogger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private subscription?: Subscription;

  constructor(private readonly audit: AuditService) {}

  onApplicationBootstrap(): void {
    this.subscription = this.audit.audit$.subscribe((event: AuditEvent) => this.logger.log(JSON.stringify(event)));
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }
}
