import type { Provider } from '@nestjs/common';
import type { ResolvedRealtimeOptions } from '../options/realtime-options.resolver';
import { REALTIME_ENGINE, REALTIME_OPTIONS } from '../realtime.constants';

export const engineProviders: Provider[] = [
  { provide: REALTIME_ENGINE, useFactory: (options: ResolvedRealtimeOptions) => options.engine, inject: [REALTIME_OPTIONS] },
];
