import type { Provider } from '@nestjs/common';
import { RealtimeHooksExplorer } from './hooks.explorer';
import { RealtimeHooksMetadataAccessor } from './hooks-metadata.accessor';
import { RealtimeHooksRunner } from './hooks.runner';

export const hooksProviders: Provider[] = [RealtimeHooksMetadataAccessor, RealtimeHooksExplorer, RealtimeHooksRunner];
