// `@nest-realtime/core/admin`: the opt-in admin API and page. Its guard, controllers and service stay inside.
export { RealtimeAdminModule } from './admin.module';
export type { RealtimeAdminOptions, RealtimeAdminRoutes } from './admin.options';
export type {
  AdminChannel,
  AdminChannels,
  AdminConnection,
  AdminConnections,
  AdminMember,
  AdminMembers,
  AdminNodes,
  AdminPage,
} from './admin.service';
export type { Paging } from './admin.input';
