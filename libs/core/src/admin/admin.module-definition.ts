import { ConfigurableModuleBuilder } from '@nestjs/common';
import { adminControllers } from './admin.controllers';
import { RAW_ADMIN_OPTIONS, REALTIME_ADMIN_OPTIONS } from './admin.constants';
import { DEFAULT_ADMIN_ROUTES, RealtimeAdminOptions, RealtimeAdminRoutes, resolveAdminOptions, resolveAdminRoutes } from './admin.options';

// `path`, `guard` and `page` shape the controllers, so they are extras: known when the module is defined,
// even with forRootAsync. The token may come from a factory; whether there is exactly one of the two is
// checked once it has run.
export const { ConfigurableModuleClass: ConfigurableAdminModule } = new ConfigurableModuleBuilder<RealtimeAdminOptions>({ optionsInjectionToken: RAW_ADMIN_OPTIONS })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createRealtimeAdminOptions')
  .setExtras<RealtimeAdminRoutes>(DEFAULT_ADMIN_ROUTES, (definition, extras) => {
    const routes = resolveAdminRoutes(extras);
    return {
      ...definition,
      controllers: adminControllers(routes),
      providers: [
        ...(definition.providers ?? []),
        { provide: REALTIME_ADMIN_OPTIONS, inject: [RAW_ADMIN_OPTIONS], useFactory: (raw: RealtimeAdminOptions) => resolveAdminOptions(raw, routes) },
      ],
    };
  })
  .build();
