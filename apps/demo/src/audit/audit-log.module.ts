import { Module } from '@nestjs/common';
import { AuditLogger } from './audit.logger';

@Module({ providers: [AuditLogger] })
export class AuditLogModule {}
