import { Module } from '@nestjs/common';
import { AdminTokenGuard } from './admin-token.guard';
import { ConfigurableAdminModule } from './admin.module-definition';
import { RealtimeAdminService } from './admin.service';

/**
 * An opt-in admin API (and page) over RealtimeModule's services, guarded by a bearer token or by a guard
 * of the application's. `forRoot({ token })`, or `forRootAsync({ imports, inject, useFactory })` for a
 * token from configuration; `path`, `guard` and `page` are given to either.
 */
@Module({ providers: [RealtimeAdminService, AdminTokenGuard] })
export class RealtimeAdminModule extends ConfigurableAdminModule {}
