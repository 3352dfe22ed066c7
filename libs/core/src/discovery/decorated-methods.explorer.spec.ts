import { Controller, Injectable, Scope, Type } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { DecoratedInstance, exploreDecoratedMethods } from './decorated-methods.explorer';

const TAGS = 'test:tags';
const Tag =
  (...tags: string[]): MethodDecorator =>
  (_target, _key, descriptor) =>
    Reflect.defineMetadata(TAGS, tags, descriptor.value as object);
const tagsOf = (handler: Function): string[] | undefined => Reflect.getMetadata(TAGS, handler);

@Injectable()
class Tagged {
  @Tag('a', 'b')
  first() {
    return 'first';
  }

  untagged() {}

  @Tag('c')
  second() {}
}

@Controller()
class TaggedController {
  @Tag('d')
  handle() {}
}

@Injectable()
class Base {
  @Tag('inherited')
  inherited() {}
}

@Injectable()
class Derived extends Base {}

@Injectable()
class Plain {
  method() {}
}

@Injectable({ scope: Scope.REQUEST })
class PerRequest {
  @Tag('r')
  handle() {}
}

@Injectable({ scope: Scope.TRANSIENT })
class PerConsumer {
  @Tag('t')
  handle() {}
}

async function explore(providers: unknown[], controllers: Type[] = []): Promise<DecoratedInstance<string>[]> {
  const moduleRef = await Test.createTestingModule({ imports: [DiscoveryModule], providers: providers as never[], controllers }).compile();
  const found = exploreDecoratedMethods(moduleRef.get(DiscoveryService), moduleRef.get(MetadataScanner), tagsOf);
  await moduleRef.close();
  return found;
}

const summary = (found: DecoratedInstance<string>[]) =>
  found.map(({ owner, methods }) => `${owner}: ${methods.map(({ key, metadata }) => `${key}=${metadata}`).join(' ')}`);

describe('exploreDecoratedMethods', () => {
  it('finds the decorated methods of providers, then of controllers, one entry per metadata item', async () => {
    const found = await explore([Tagged, Plain], [TaggedController]);

    expect(summary(found)).toEqual(['Tagged: first=a first=b second=c', 'TaggedController: handle=d']);
    expect(found[0].isSingleton).toBe(true);
    expect(found[0].instance).toBeInstanceOf(Tagged);
    expect(found[0].methods[0].handler.call(found[0].instance)).toBe('first');
  });

  it('finds the decorated methods a class inherits', async () => {
    expect(summary(await explore([Derived]))).toEqual(['Derived: inherited=inherited']);
  });

  it('finds an instance once, however many tokens provide it', async () => {
    const shared = new Tagged();
    const found = await explore([
      { provide: 'FIRST', useValue: shared },
      { provide: 'SECOND', useValue: shared },
      { provide: 'ALIAS', useExisting: 'FIRST' },
      { provide: 'NUMBER', useValue: 3 },
    ]);

    expect(summary(found)).toEqual(['Tagged: first=a first=b second=c']);
  });

  it('marks request-scoped and transient providers, which have no single instance to call', async () => {
    const found = await explore([PerRequest, PerConsumer]);

    expect(found.map(({ owner, isSingleton }) => [owner, isSingleton])).toEqual([
      ['PerRequest', false],
      ['PerConsumer', false],
    ]);
  });
});
