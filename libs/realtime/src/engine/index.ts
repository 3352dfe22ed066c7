export * from './memory.engine';
export * from './realtime-engine.interface';
