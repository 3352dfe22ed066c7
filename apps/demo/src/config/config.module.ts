import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { DEMO_CONFIG, DemoConfig, demoConfig } from './demo.config';

/**
 * The demo's environment through `@nestjs/config`: checked against `DemoEnvironment` each time an
 * application is created (a bad variable fails the startup, naming it), and given as `DEMO_CONFIG`.
 * Only the process's environment is read, no `.env` file.
 */
@Module({
  imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [demoConfig] })],
  providers: [{ provide: DEMO_CONFIG, useFactory: (config: DemoConfig) => config, inject: [demoConfig.KEY] }],
  exports: [DEMO_CONFIG],
})
export class DemoConfigModule {}
