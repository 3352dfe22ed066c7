import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { AuditEvent } from './audit-event';

/**
 * The audit trail: state transitions, authorization decisions, kicks and refusals, as one stream.
 * Nothing is built or kept while nobody listens.
 */
@Injectable()
export class AuditService implements OnApplicationShutdown {
  private readonly subject = new Subject<AuditEvent>();
  /** Every audit event, as it happens. */
  readonly audit$: Observable<AuditEvent> = this.subject.asObservable();

  /** Whether anyone listens: callers skip building events otherwise. */
  get observed(): boolean {
    return this.subject.observed;
  }

  record(event: Omit<AuditEvent, 'at'>): void {
    if (this.subject.observed) this.subject.next({ ...event, at: Date.now() } as AuditEvent);
  }

  onApplicationShutdown(): void {
    this.subject.complete();
  }
}
