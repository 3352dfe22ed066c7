import { Module } from '@nestjs/common';
import { DEMO_CONFIG, loadDemoConfig } from './demo.config';

@Module({
  providers: [{ provide: DEMO_CONFIG, useFactory: () => loadDemoConfig() }],
  exports: [DEMO_CONFIG],
})
export class DemoConfigModule {}
