import type { Provider } from '@nestjs/common';
import { RealtimeHealth } from './realtime-health';

export const healthProviders: Provider[] = [RealtimeHealth];
