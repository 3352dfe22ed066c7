export * from './memory.engine';
export * from './realtime-engine.interface';
export * from './redis';
