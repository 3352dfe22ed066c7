import type { CanActivate, Type } from '@nestjs/common';
import { OptionChecks, optionFailure } from '../options/option.checks';
import { ADMIN_GUARD_EXPECTED, ADMIN_PATH_EXPECTED, ADMIN_TOKEN_AND_GUARD, ADMIN_TOKEN_EXPECTED, ADMIN_TOKEN_OR_GUARD } from '../realtime.messages';

/** What `forRoot` takes, or `forRootAsync`'s factory returns. */
export interface RealtimeAdminOptions {
  /**
   * The bearer token the API asks for (`Authorization: Bearer <token>`), compared in constant time; or a
   * function returning it, called on every request (a rotated token applies at once; an empty one refuses
   * every request). Exactly one of `token` and `guard`.
   */
  token?: string | (() => string);
}

/** Options that shape the routes, known when the module is defined (in `forRoot` and `forRootAsync` alike). */
export interface RealtimeAdminRoutes {
  /** Where the page is served, the API being under `<path>/api`. Default `'admin'`. */
  path?: string;
  /**
   * A guard of the application's own (a `CanActivate` class, created by Nest with its dependencies: from
   * global modules, or the `imports` of `forRootAsync`) instead of a token. Exactly one of `token` and `guard`.
   */
  guard?: Type<CanActivate>;
  /** Serve the admin page at `<path>`. Default `true`; `false` serves the API alone. */
  page?: boolean;
}

export interface ResolvedAdminRoutes {
  path: string;
  guard?: Type<CanActivate>;
  page: boolean;
}

/** The resolved options: the token as a function (absent when the application's guard is used). */
export interface ResolvedAdminOptions {
  token?: () => string;
}

export const DEFAULT_ADMIN_ROUTES: RealtimeAdminRoutes = { path: 'admin', guard: undefined, page: true };

const PATH = /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;
const checks = new OptionChecks(optionFailure('RealtimeAdminModule'));

export function resolveAdminRoutes(routes: RealtimeAdminRoutes): ResolvedAdminRoutes {
  const path = typeof routes.path === 'string' ? routes.path.replace(/^\/+|\/+$/g, '') : routes.path;
  if (routes.guard !== undefined && typeof routes.guard !== 'function') throw checks.fail('guard', ADMIN_GUARD_EXPECTED, routes.guard);
  return {
    path: checks.text('path', path, 'admin', PATH, ADMIN_PATH_EXPECTED),
    guard: routes.guard,
    page: checks.boolean('page', routes.page, true),
  };
}

/** Checked at bootstrap, once `forRootAsync`'s factory has run: a token or a guard, not both. */
export function resolveAdminOptions(options: RealtimeAdminOptions, routes: ResolvedAdminRoutes): ResolvedAdminOptions {
  const { token } = options ?? {};
  if (token !== undefined && routes.guard) throw new Error(ADMIN_TOKEN_AND_GUARD);
  if (token === undefined) {
    if (!routes.guard) throw new Error(ADMIN_TOKEN_OR_GUARD);
    return {};
  }
  if (typeof token === 'function') return { token };
  if (typeof token !== 'string' || token.length === 0) throw checks.fail('token', ADMIN_TOKEN_EXPECTED, token);
  return { token: () => token };
}
