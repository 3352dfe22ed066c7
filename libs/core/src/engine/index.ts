// `@nest-realtime/core/engine`: what an engine package (such as `@nest-realtime/redis`) builds on.
export * from './realtime-engine.interface';
export { MemoryEngine } from './memory/memory.engine';
export { historyFrame, newEpoch, plainMessageFrame } from './history-frame';
export { storedMeta } from '../services/presence/stored-meta';
export { RealtimeLogger } from '../logging/realtime.logger';
