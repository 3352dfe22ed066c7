import { RealtimeException } from '../../errors/realtime.exception';

export interface StateMachineDefinition {
  states: string[];
  initial: string;
  terminal: string;
  transitions: Record<string, string[]>;
}

/** Which state may follow which; knows nothing of connections. */
export class ConnectionStateMachine {
  private readonly states: Set<string>;
  private readonly allowed = new Map<string, Set<string>>();

  constructor(private readonly definition: StateMachineDefinition) {
    this.states = new Set(definition.states);
    for (const state of definition.states) {
      const targets = new Set(definition.transitions[state] ?? []);
      if (state !== definition.terminal) targets.add(definition.terminal);
      this.allowed.set(state, targets);
    }
  }

  get initial(): string {
    return this.definition.initial;
  }

  get terminal(): string {
    return this.definition.terminal;
  }

  has(state: string): boolean {
    return this.states.has(state);
  }

  canTransition(from: string, to: string): boolean {
    return this.allowed.get(from)?.has(to) ?? false;
  }

  targetsOf(from: string): string[] {
    return [...(this.allowed.get(from) ?? [])];
  }

  /** Throws a clear `invalid` error for an unknown state or a transition the machine does not allow. */
  assertTransition(from: string, to: string): void {
    if (!this.states.has(to)) {
      throw new RealtimeException('invalid', `Unknown connection state "${to}"; known states: ${[...this.states].join(', ')}.`);
    }
    if (!this.canTransition(from, to)) {
      const targets = this.targetsOf(from);
      throw new RealtimeException(
        'invalid',
        `A connection cannot go from "${from}" to "${to}"; from "${from}" it may go to ${targets.length ? targets.join(', ') : 'nothing'}.`,
      );
    }
  }
}
