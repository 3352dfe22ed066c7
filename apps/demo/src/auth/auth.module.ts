import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { DemoConfigModule } from '../config/config.module';
import { DEMO_CONFIG, DemoConfig } from '../config/demo.config';
import { AuthController } from './auth.controller';
import { TokenService } from './token.service';

@Module({
  imports: [
    JwtModule.registerAsync({
      imports: [DemoConfigModule],
      inject: [DEMO_CONFIG],
      useFactory: (config: DemoConfig) => ({
        secret: config.jwtSecret,
        signOptions: { algorithm: 'HS256', expiresIn: '12h' },
        // Pinned so a token cannot pick its own algorithm.
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [TokenService],
  exports: [JwtModule],
})
export class AuthModule {}
