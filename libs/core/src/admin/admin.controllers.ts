import { Controller, Type, UseGuards } from '@nestjs/common';
import { AdminApiController } from './admin-api.controller';
import { AdminPageController } from './admin-page.controller';
import { AdminTokenGuard } from './admin-token.guard';
import type { ResolvedAdminRoutes } from './admin.options';

/**
 * The controllers of one `forRoot`: subclasses of the API and the page with this path and this guard, made
 * afresh for each module (decorating the shared classes would give every application the last one's path).
 */
export function adminControllers({ path, guard, page }: ResolvedAdminRoutes): Type[] {
  class RealtimeAdminApiController extends AdminApiController {}
  Controller(`${path}/api`)(RealtimeAdminApiController);
  UseGuards(guard ?? AdminTokenGuard)(RealtimeAdminApiController);
  if (!page) return [RealtimeAdminApiController];
  class RealtimeAdminPageController extends AdminPageController {}
  Controller(path)(RealtimeAdminPageController);
  return [RealtimeAdminApiController, RealtimeAdminPageController];
}
