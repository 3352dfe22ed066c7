import type { Provider } from '@nestjs/common';
import { CleanupService } from './cleanup/cleanup.service';
import { RealtimeSweepers } from './cleanup/realtime.sweepers';
import { ClusterSweepers } from './cluster/cluster.sweepers';
import { PresenceResync } from './cluster/presence-resync';
import { HeartbeatCadence } from './heartbeat/heartbeat.cadence';
import { HeartbeatScheduler } from './heartbeat/heartbeat.scheduler';
import { IdleConnectionsSweeper } from './idle/idle-connections.sweeper';
import { StateExpirySweeper } from './shared-state/state-expiry.sweeper';

export const upkeepProviders: Provider[] = [
  CleanupService,
  RealtimeSweepers,
  IdleConnectionsSweeper,
  ClusterSweepers,
  PresenceResync,
  HeartbeatCadence,
  HeartbeatScheduler,
  StateExpirySweeper,
];
