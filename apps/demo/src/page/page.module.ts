import { Module } from '@nestjs/common';
import { DemoConfigModule } from '../config/config.module';
import { PageController } from './page.controller';

@Module({ imports: [DemoConfigModule], controllers: [PageController] })
export class PageModule {}
