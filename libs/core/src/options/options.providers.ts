import type { Provider } from '@nestjs/common';
import { REALTIME_OPTIONS } from '../realtime.constants';
import { RAW_REALTIME_OPTIONS } from '../realtime.module-definition';
import type { RealtimeModuleOptions } from './realtime-options.interface';
import { resolveRealtimeOptions } from './realtime-options.resolver';

/** The options as given to forRoot/forRootAsync, checked and completed once for every layer. */
export const optionsProviders: Provider[] = [
  { provide: REALTIME_OPTIONS, useFactory: (raw: RealtimeModuleOptions) => resolveRealtimeOptions(raw), inject: [RAW_REALTIME_OPTIONS] },
];
