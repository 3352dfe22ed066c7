import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { ResolvedPusherApp } from '../options/pusher-options.resolver';
import type { ResolvedApiApp } from './pusher-http.options';
import type { ApiRequest } from './raw-body';

/** A request of the HTTP API once its signature is checked: its app, its decoded query, its JSON body. */
export interface VerifiedRequest {
  app: ResolvedPusherApp;
  api: ResolvedApiApp;
  query: Readonly<Record<string, string>>;
  body: unknown;
}

const VERIFIED = Symbol('pusher.verified-request');

export type RequestWithVerified = ApiRequest & { [VERIFIED]?: VerifiedRequest };

export function setVerified(request: RequestWithVerified, verified: VerifiedRequest): void {
  request[VERIFIED] = verified;
}

/** The `VerifiedRequest` the signature guard left on the request. */
export const Verified = createParamDecorator((_: unknown, context: ExecutionContext): VerifiedRequest => {
  const verified = context.switchToHttp().getRequest<RequestWithVerified>()[VERIFIED];
  if (!verified) throw new Error('PusherSignatureGuard did not run before this handler.');
  return verified;
});
