import { DynamicModule, Module, type ModuleMetadata, type Provider } from '@nestjs/common';
import { PUSHER_MODULE_OPTIONS, PUSHER_OPTIONS } from './pusher.constants';
import type { PusherModuleOptions } from './options/pusher-options.interface';
import { resolvePusherOptions } from './options/pusher-options.resolver';
import { RealtimeServicesAccessor } from './realtime-services.accessor';
import { PusherChannels } from './channels/pusher-channels';
import { PusherSubscriptions } from './channels/pusher-subscriptions';
import { PusherDispatcher } from './connection/pusher.dispatcher';
import { PusherEndpoint } from './connection/pusher.endpoint';
import { PUSHER_HTTP_CONTROLLERS, PUSHER_HTTP_PROVIDERS } from './http/pusher-http.providers';

/** `forRootAsync`: the options from a factory, with what it injects. */
export interface PusherModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: any[]) => PusherModuleOptions | Promise<PusherModuleOptions>;
  inject?: any[];
}

const providers: Provider[] = [
  { provide: PUSHER_OPTIONS, useFactory: resolvePusherOptions, inject: [PUSHER_MODULE_OPTIONS] },
  RealtimeServicesAccessor,
  PusherChannels,
  PusherSubscriptions,
  PusherDispatcher,
  PusherEndpoint,
  ...PUSHER_HTTP_PROVIDERS,
];

/**
 * A Pusher Channels (protocol 7) endpoint on RealtimeModule's services: import it beside
 * `RealtimeModule.forRoot(...)`; it serves `{path}/{key}` on the same HTTP server as the native endpoint.
 */
@Module({})
export class RealtimePusherModule {
  static forRoot(options: PusherModuleOptions): DynamicModule {
    return {
      module: RealtimePusherModule,
      controllers: PUSHER_HTTP_CONTROLLERS,
      providers: [{ provide: PUSHER_MODULE_OPTIONS, useValue: options }, ...providers],
      exports: [PUSHER_OPTIONS, PusherChannels],
    };
  }

  static forRootAsync(options: PusherModuleAsyncOptions): DynamicModule {
    return {
      module: RealtimePusherModule,
      imports: options.imports ?? [],
      controllers: PUSHER_HTTP_CONTROLLERS,
      providers: [{ provide: PUSHER_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }, ...providers],
      exports: [PUSHER_OPTIONS, PusherChannels],
    };
  }
}
