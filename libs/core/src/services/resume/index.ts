export type { ResumeRefusal, ResumeResult, ResumedChannel } from './resume.service';
export type { ResumeGrant } from './resume-sessions';
