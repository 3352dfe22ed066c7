import { Module } from '@nestjs/common';
import { RealtimeModule } from '@nest-realtime/core';
import { RoomsGateway } from './rooms.gateway';

@Module({
  imports: [
    RealtimeModule.forRoot({
      // A demo identity from the query string; a real app verifies a token here.
      authenticate: (request) => {
        const user = new URL(request.url ?? '/', 'http://localhost').searchParams.get('user');
        return user ? { clientId: user, claims: { role: user.startsWith('guest') ? 'guest' : 'member' } } : null;
      },
      channels: [{ pattern: 'room:*', presence: true }],
    }),
  ],
  providers: [RoomsGateway],
})
export class AppModule {}
