/** The README's "yours": a stand-in for the application's own token check. */
export function verifyMyToken(token: string): { id: string; roles: string[] } | null {
  return token === 'demo' ? { id: 'alice', roles: ['member'] } : null;
}
