import type { Type } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import type { StateChangeRequest, StatePolicy, StatePolicyDecision, StatePolicyProvider } from '../../options/realtime-options.interface';
import { STATE_POLICY_FAILED, STATE_POLICY_NO_REASON, STATE_POLICY_NOT_A_POLICY } from '../../realtime.messages';

export type StatePolicyEntry = StatePolicy | StatePolicyProvider | Type<StatePolicyProvider>;

/** The reason of the first refusal, or undefined when every policy allows; a promise only when a policy is asynchronous. */
export type StateVerdict = string | undefined;

interface NamedPolicy {
  name: string;
  decide: StatePolicy;
}

function isClass(entry: Function): entry is Type<StatePolicyProvider> {
  return typeof entry.prototype?.decide === 'function' || /^class[\s{]/.test(Function.prototype.toString.call(entry));
}

function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | undefined)?.then === 'function';
}

/** `state.policies` in order: the first refusal wins; a policy that throws refuses. */
export class StatePolicyChain {
  constructor(
    private readonly policies: NamedPolicy[],
    private readonly failed: (policy: string, error: unknown) => void,
  ) {}

  /** Turns the option's entries into policies, instantiating classes with their dependencies. */
  static async resolve(entries: StatePolicyEntry[], moduleRef: ModuleRef, failed: (policy: string, error: unknown) => void): Promise<StatePolicyChain> {
    const policies = await Promise.all(entries.map((entry, index) => StatePolicyChain.named(entry, index, moduleRef)));
    return new StatePolicyChain(policies, failed);
  }

  private static async named(entry: StatePolicyEntry, index: number, moduleRef: ModuleRef): Promise<NamedPolicy> {
    if (typeof entry === 'function' && !isClass(entry)) {
      return { name: entry.name || `state.policies[${index}]`, decide: entry as StatePolicy };
    }
    let provider: StatePolicyProvider = entry as StatePolicyProvider;
    if (typeof entry === 'function') {
      try {
        provider = moduleRef.get(entry, { strict: false });
      } catch {
        provider = await moduleRef.create(entry);
      }
    }
    const name = (typeof entry === 'function' ? entry.name : provider.constructor?.name !== 'Object' && provider.constructor?.name) || `state.policies[${index}]`;
    if (typeof provider.decide !== 'function') throw new Error(STATE_POLICY_NOT_A_POLICY(index, name));
    return { name, decide: (change) => provider.decide(change) };
  }

  get empty(): boolean {
    return this.policies.length === 0;
  }

  decide(change: StateChangeRequest): StateVerdict | Promise<StateVerdict> {
    return this.from(0, change);
  }

  private from(start: number, change: StateChangeRequest): StateVerdict | Promise<StateVerdict> {
    for (let index = start; index < this.policies.length; index++) {
      const policy = this.policies[index];
      let decision: StatePolicyDecision | Promise<StatePolicyDecision>;
      try {
        decision = policy.decide(change);
      } catch (error) {
        return this.failure(policy, error);
      }
      if (isThenable<StatePolicyDecision>(decision)) {
        return Promise.resolve(decision).then(
          (settled) => this.refusal(policy, settled) ?? this.from(index + 1, change),
          (error) => this.failure(policy, error),
        );
      }
      const refusal = this.refusal(policy, decision);
      if (refusal !== undefined) return refusal;
    }
    return undefined;
  }

  /** Only `true` allows; a non-empty string is the reason of a refusal. */
  private refusal(policy: NamedPolicy, decision: unknown): StateVerdict {
    if (decision === true) return undefined;
    return typeof decision === 'string' && decision.length > 0 ? decision : STATE_POLICY_NO_REASON(policy.name);
  }

  private failure(policy: NamedPolicy, error: unknown): string {
    this.failed(policy.name, error);
    return STATE_POLICY_FAILED(policy.name);
  }
}
