import type { Provider } from '@nestjs/common';
import { RealtimeAdapterCheck } from './adapter/realtime-adapter.check';
import { RealtimeServer } from './server/realtime.server';
import { UpgradeHandler } from './upgrade/upgrade.handler';
import { ProtocolEndpoints } from './protocols/protocol-endpoints';

export const transportProviders: Provider[] = [UpgradeHandler, RealtimeServer, RealtimeAdapterCheck, ProtocolEndpoints];
