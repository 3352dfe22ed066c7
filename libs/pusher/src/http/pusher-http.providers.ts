import type { Provider, Type } from '@nestjs/common';
import { PUSHER_MODULE_OPTIONS } from '../pusher.constants';
import type { PusherModuleOptions } from '../options/pusher-options.interface';
import { PusherWebhooksDispatcher } from '../webhooks/pusher-webhooks.dispatcher';
import { PusherWebhooksWatcher } from '../webhooks/pusher-webhooks.watcher';
import { PusherApiController } from './pusher-api.controller';
import { PusherApiService } from './pusher-api.service';
import { PUSHER_API_APPS } from './pusher-http.constants';
import { resolveApiApps } from './pusher-http.options';
import { PusherSignatureGuard } from './pusher-signature.guard';

/** The HTTP API's controllers: `RealtimePusherModule` always has them (with `httpApi: false` they answer 404). */
export const PUSHER_HTTP_CONTROLLERS: Type[] = [PusherApiController];

/** The HTTP API's and the webhooks' providers, for `RealtimePusherModule` (they need its options and `PusherChannels`). */
export const PUSHER_HTTP_PROVIDERS: Provider[] = [
  { provide: PUSHER_API_APPS, inject: [PUSHER_MODULE_OPTIONS], useFactory: (options: PusherModuleOptions) => resolveApiApps(options) },
  PusherApiService,
  PusherSignatureGuard,
  PusherWebhooksDispatcher,
  PusherWebhooksWatcher,
];
