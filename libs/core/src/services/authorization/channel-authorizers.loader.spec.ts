import { Controller, Injectable, Scope, Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { SCOPED_CHANNEL_AUTHORIZER } from '../../realtime.messages';
import type { ChannelAuthorizationRequest } from '../channel/channel.options';
import { ChannelAuthorization } from './channel-authorization.service';
import { ChannelAuthorizer } from './channel-authorizer.decorator';
import { ChannelAuthorizersLoader } from './channel-authorizers.loader';

const request = (channel: string, clientId = 'alice'): ChannelAuthorizationRequest => ({
  connectionId: 'c1',
  clientId,
  claims: {},
  channel,
  meta: {},
});

@Injectable()
class Rooms {
  readonly owner = 'alice';

  @ChannelAuthorizer('private:*')
  @ChannelAuthorizer('secret:*')
  mayJoin(req: ChannelAuthorizationRequest) {
    return req.clientId === this.owner;
  }
}

@Controller()
class Admin {
  @ChannelAuthorizer('admin:*')
  isAdmin() {
    return false;
  }
}

@Injectable({ scope: Scope.REQUEST })
class PerRequest {
  @ChannelAuthorizer('team:*')
  mayJoin() {
    return true;
  }
}

async function load(providers: Type[], controllers: Type[] = []) {
  const register = jest.fn();
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    controllers,
    providers: [ChannelAuthorizersLoader, { provide: ChannelAuthorization, useValue: { register } }, ...providers],
  }).compile();
  try {
    await moduleRef.init();
  } finally {
    await moduleRef.close();
  }
  return register.mock.calls as [string, string, (request: ChannelAuthorizationRequest) => unknown][];
}

describe('ChannelAuthorizersLoader', () => {
  it('registers every pattern of every @ChannelAuthorizer method of providers and controllers', async () => {
    const registered = await load([Rooms], [Admin]);

    expect(registered.map(([pattern, name]) => [pattern, name])).toEqual([
      ['secret:*', 'Rooms.mayJoin'],
      ['private:*', 'Rooms.mayJoin'],
      ['admin:*', 'Admin.isAdmin'],
    ]);
  });

  it('calls an authorizer on its own instance', async () => {
    const [[, , authorize]] = await load([Rooms]);

    expect(authorize(request('private:1', 'alice'))).toBe(true);
    expect(authorize(request('private:1', 'bob'))).toBe(false);
  });

  it('fails the bootstrap for an authorizer on a request-scoped provider', async () => {
    await expect(load([PerRequest])).rejects.toThrow(SCOPED_CHANNEL_AUTHORIZER('PerRequest', 'mayJoin'));
  });
});
