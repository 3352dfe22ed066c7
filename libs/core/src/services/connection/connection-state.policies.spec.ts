import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { StateChangeRequest, StatePolicyProvider } from '../../options/realtime-options.interface';
import { STATE_POLICY_FAILED, STATE_POLICY_NO_REASON, STATE_POLICY_NOT_A_POLICY } from '../../realtime.messages';
import { StatePolicyChain, StatePolicyEntry } from './connection-state.policies';

const CHANGE: StateChangeRequest = { connectionId: 'c1', clientId: 'alice', claims: { plan: 'free' }, from: 'connected', to: 'idle', by: 'client' };

@Injectable()
class Plans {
  readonly paid = new Set(['bob']);
}

@Injectable()
class PaidIdle implements StatePolicyProvider {
  constructor(private readonly plans: Plans) {}

  decide(change: StateChangeRequest): true | string {
    return change.to !== 'idle' || this.plans.paid.has(change.clientId) || `idle is for paid plans (${change.clientId})`;
  }
}

class NoDecide {}

describe('StatePolicyChain', () => {
  let moduleRef: ModuleRef;
  let failures: Array<[string, unknown]>;

  beforeEach(async () => {
    moduleRef = (await Test.createTestingModule({ providers: [Plans, PaidIdle] }).compile()).get(ModuleRef);
    failures = [];
  });

  function chain(entries: StatePolicyEntry[]): Promise<StatePolicyChain> {
    return StatePolicyChain.resolve(entries, moduleRef, (policy, error) => failures.push([policy, error]));
  }

  it('allows when there is no policy, synchronously', async () => {
    const policies = await chain([]);

    expect(policies.empty).toBe(true);
    expect(policies.decide(CHANGE)).toBeUndefined();
  });

  it('asks each policy in order with the whole change, and stays synchronous while they are', async () => {
    const asked: string[] = [];
    const policies = await chain([
      (change) => (asked.push(`first ${change.by} ${change.from}→${change.to} ${String(change.claims.plan)}`), true),
      () => (asked.push('second'), true),
    ]);

    expect(policies.decide(CHANGE)).toBeUndefined();
    expect(asked).toEqual(['first client connected→idle free', 'second']);
  });

  it('stops at the first refusal and answers its reason', async () => {
    const later = jest.fn(() => true);
    const policies = await chain([() => 'not during a call', later]);

    expect(policies.decide(CHANGE)).toBe('not during a call');
    expect(later).not.toHaveBeenCalled();
  });

  it('names the policy when it refuses with false or an empty reason', async () => {
    function quietHours(): boolean {
      return false;
    }
    const policies = await chain([quietHours]);
    const anonymous = await chain([(() => '') as () => string]);

    expect(policies.decide(CHANGE)).toBe(STATE_POLICY_NO_REASON('quietHours'));
    expect(anonymous.decide(CHANGE)).toBe(STATE_POLICY_NO_REASON('state.policies[0]'));
  });

  it('refuses anything but true, so a policy that forgets to return refuses', async () => {
    const policies = await chain([(() => undefined) as unknown as () => boolean]);

    expect(policies.decide(CHANGE)).toBe(STATE_POLICY_NO_REASON('state.policies[0]'));
  });

  it('waits for asynchronous policies, in order', async () => {
    const asked: string[] = [];
    const policies = await chain([
      async () => (asked.push('first'), true),
      () => (asked.push('second'), true),
      async () => (asked.push('third'), 'over the limit'),
    ]);

    await expect(policies.decide(CHANGE)).resolves.toBe('over the limit');
    expect(asked).toEqual(['first', 'second', 'third']);
  });

  it('refuses, and reports, when a policy throws or rejects', async () => {
    const boom = new Error('store down');
    function throwing(): boolean {
      throw boom;
    }
    const rejecting = async function rejecting(): Promise<boolean> {
      throw boom;
    };

    expect((await chain([throwing])).decide(CHANGE)).toBe(STATE_POLICY_FAILED('throwing'));
    await expect((await chain([rejecting])).decide(CHANGE)).resolves.toBe(STATE_POLICY_FAILED('rejecting'));
    expect(failures).toEqual([
      ['throwing', boom],
      ['rejecting', boom],
    ]);
  });

  it('resolves a class policy through the injector, with its dependencies', async () => {
    const policies = await chain([PaidIdle]);

    expect(policies.decide(CHANGE)).toBe('idle is for paid plans (alice)');
    expect(policies.decide({ ...CHANGE, clientId: 'bob' })).toBeUndefined();
  });

  it('instantiates a class policy that is no provider of the application', async () => {
    @Injectable()
    class Weekdays implements StatePolicyProvider {
      decide(): string {
        return 'closed today';
      }
    }

    expect((await chain([Weekdays])).decide(CHANGE)).toBe('closed today');
  });

  it('takes an object with decide', async () => {
    const policies = await chain([{ decide: (change) => change.by !== 'client' || 'clients may not' }]);

    expect(policies.decide(CHANGE)).toBe('clients may not');
  });

  it('fails at startup on a class without decide, naming its place in the list', async () => {
    await expect(chain([() => true, NoDecide as never])).rejects.toThrow(STATE_POLICY_NOT_A_POLICY(1, 'NoDecide'));
  });
});
