import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { RealtimeHealth } from './health/realtime-health';
import { MetricsMiddleware } from './pipeline/middleware/metrics.middleware';
import { AuditService } from './services/audit/audit.service';
import { ChannelService } from './services/channel/channel.service';
import { ConnectionStateService } from './services/connection/connection-state.service';
import { DirectService } from './services/direct/direct.service';
import { GroupService } from './services/group/group.service';
import { CleanupService } from './upkeep/cleanup/cleanup.service';
import { ConnectionService } from './services/connection/connection.service';
import type { RealtimeModuleOptions } from './options/realtime-options.interface';
import type { ResolvedRealtimeOptions } from './options/realtime-options.resolver';
import { PresenceService } from './services/presence/presence.service';
import { SharedStateService } from './services/shared-state/shared-state.service';
import { REALTIME_OPTIONS } from './realtime.constants';
import { RealtimeModule } from './realtime.module';
import { AN_INTEGER, INVALID_MODULE_OPTION } from './realtime.messages';

const SETTINGS = Symbol('SETTINGS');

@Module({ providers: [{ provide: SETTINGS, useValue: { path: '/live', interval: 1000 } }], exports: [SETTINGS] })
class SettingsModule {}

@Injectable()
class RealtimeConfig {
  constructor(@Inject(SETTINGS) private readonly settings: { path: string; interval: number }) {}

  createRealtimeOptions(): RealtimeModuleOptions {
    return { path: this.settings.path, heartbeat: { interval: this.settings.interval, timeout: 3000 } };
  }
}

@Module({ imports: [SettingsModule], providers: [RealtimeConfig], exports: [RealtimeConfig] })
class ConfigModule {}

@Injectable()
class UsesChannels {
  constructor(readonly channels: ChannelService) {}
}

@Module({ providers: [UsesChannels] })
class FeatureModule {}

async function optionsOf(imports: unknown[]): Promise<ResolvedRealtimeOptions> {
  const moduleRef = await Test.createTestingModule({ imports: imports as never[] }).compile();
  const options = moduleRef.get<ResolvedRealtimeOptions>(REALTIME_OPTIONS, { strict: false });
  await moduleRef.close();
  return options;
}

describe('RealtimeModule', () => {
  it('provides the services with the defaults from forRoot()', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [RealtimeModule.forRoot({})] }).compile();

    expect(moduleRef.get(ChannelService)).toBeInstanceOf(ChannelService);
    expect(moduleRef.get(PresenceService)).toBeInstanceOf(PresenceService);
    expect(moduleRef.get(ConnectionService)).toBeInstanceOf(ConnectionService);
    expect(moduleRef.get<ResolvedRealtimeOptions>(REALTIME_OPTIONS, { strict: false }).path).toBe('/realtime');
    await moduleRef.close();
  });

  it('builds its options with forRootAsync and useFactory, injecting from imported modules', async () => {
    const options = await optionsOf([
      RealtimeModule.forRootAsync({
        imports: [SettingsModule],
        inject: [SETTINGS],
        useFactory: (settings: { path: string }) => ({ path: settings.path }),
      }),
    ]);

    expect(options.path).toBe('/live');
  });

  it('builds its options with forRootAsync and useClass', async () => {
    const options = await optionsOf([RealtimeModule.forRootAsync({ imports: [SettingsModule], useClass: RealtimeConfig })]);

    expect(options.path).toBe('/live');
    expect(options.heartbeat).toEqual({ interval: 1000, timeout: 3000, adaptive: false });
  });

  it('builds its options with forRootAsync and useExisting', async () => {
    const options = await optionsOf([RealtimeModule.forRootAsync({ imports: [ConfigModule], useExisting: RealtimeConfig })]);

    expect(options.heartbeat).toEqual({ interval: 1000, timeout: 3000, adaptive: false });
  });

  it('fails the bootstrap with a message naming a bad option, from forRoot and from forRootAsync', async () => {
    await expect(Test.createTestingModule({ imports: [RealtimeModule.forRoot({ heartbeat: { interval: -1 } })] }).compile()).rejects.toThrow(
      INVALID_MODULE_OPTION('heartbeat.interval', AN_INTEGER(1), -1),
    );
    await expect(
      Test.createTestingModule({ imports: [RealtimeModule.forRootAsync({ useFactory: () => ({ path: 'realtime' }) })] }).compile(),
    ).rejects.toThrow(INVALID_MODULE_OPTION('path', 'a string starting with "/"', 'realtime'));
  });

  it('makes the services injectable in every module with global: true', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [RealtimeModule.forRoot({ global: true }), FeatureModule] }).compile();

    expect(moduleRef.get(UsesChannels).channels).toBe(moduleRef.get(ChannelService));
    await moduleRef.close();
  });

  it('exports the services an application injects, MetricsMiddleware and RealtimeHealth, nothing else', () => {
    expect(Reflect.getMetadata('exports', RealtimeModule)).toEqual([
      ConnectionService,
      ConnectionStateService,
      ChannelService,
      PresenceService,
      GroupService,
      DirectService,
      SharedStateService,
      CleanupService,
      AuditService,
      MetricsMiddleware,
      RealtimeHealth,
    ]);
  });

  it('keeps the services to the importing module without global', async () => {
    await expect(Test.createTestingModule({ imports: [RealtimeModule.forRoot({}), FeatureModule] }).compile()).rejects.toThrow(
      /can't resolve dependencies of the UsesChannels/,
    );
  });
});
