// `@nest-realtime/core/testing`: for an application's own tests. Starts the application on port 0 inside a
// Nest TestingModule and opens plain `ws` clients that wait on frames; needs `@nestjs/testing`.
export { createRealtimeTestingApp, RealtimeTestingApp } from './realtime-testing.app';
export type { RealtimeTestingAppOptions } from './realtime-testing.app';
export { RealtimeTestClient } from './realtime-test.client';
export type { CloseInfo, RealtimeTestClientOptions, TestEventData } from './realtime-test.client';
export { RealtimeReplyError, UpgradeRefusedError } from './realtime-testing.errors';
