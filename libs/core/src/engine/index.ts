// `@nest-realtime/core/engine`: what an engine package (such as `@nest-realtime/redis`) builds on: the
// RealtimeEngine seam and its stores (stores/), and the in-memory engine, which a cluster engine keeps for
// its own node's connections.
export * from './realtime-engine.interface';
export { MemoryEngine } from './memory/memory.engine';
export type { MemoryEngineOptions } from './memory/memory.engine';
export { historyFrame, MESSAGE_PREFIX, newEpoch, plainMessageFrame } from './history-frame';
export { STATE_DIFF_PREFIX, stateDiffFrame, stateSnapshotFrame } from './state-frame';
export { storedMeta } from '../services/presence/stored-meta';
export { RealtimeLogger } from '../logging/realtime.logger';
export { OptionChecks, optionFailure } from '../options/option.checks';
export type { OptionFailure } from '../options/option.checks';
