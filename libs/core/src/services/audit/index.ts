export { AuditService } from './audit.service';
export type { AuditEvent, AuditEventType } from './audit-event';
