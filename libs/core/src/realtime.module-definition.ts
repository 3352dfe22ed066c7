import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RealtimeModuleOptions } from './options/realtime-options.interface';

export const {
  ConfigurableModuleClass: ConfigurableRealtimeModule,
  MODULE_OPTIONS_TOKEN: RAW_REALTIME_OPTIONS,
  OPTIONS_TYPE: REALTIME_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: REALTIME_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RealtimeModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createRealtimeOptions')
  .setExtras({ global: false }, (definition, extras) => ({ ...definition, global: extras.global }))
  .build();
