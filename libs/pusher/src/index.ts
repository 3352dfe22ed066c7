// `@nest-realtime/pusher`: the module, its options, and what server code uses to reach Pusher clients.
export { RealtimePusherModule } from './pusher.module';
export type { PusherModuleAsyncOptions } from './pusher.module';
export { PUSHER_OPTIONS } from './pusher.constants';
export * from './options';
export { PusherChannels } from './channels/pusher-channels';
export type { PusherEventPayload } from './channels/pusher-event-payload';
export { serverToUserChannel } from './channels/server-to-user';
export { authToken, channelAuthText, sign, userAuthText, verifyAuth } from './auth/pusher-signature';
export { PusherErrorCode } from './protocol/pusher.error-codes';
export { PusherEvent } from './protocol/pusher.events';
