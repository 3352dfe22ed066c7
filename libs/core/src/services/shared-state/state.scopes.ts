/**
 * The scopes a channel name nests in, farthest first: `org:acme/team:web/room:1` with `/` is in
 * `org:acme` and `org:acme/team:web`. Empty levels (`a//b`, a leading or trailing separator) name no scope.
 */
export function ancestorScopes(channel: string, separator: string): string[] {
  const scopes: string[] = [];
  for (let at = channel.indexOf(separator); at !== -1; at = channel.indexOf(separator, at + separator.length)) {
    const scope = channel.slice(0, at);
    if (at > 0 && !scope.endsWith(separator)) scopes.push(scope);
  }
  return scopes;
}
