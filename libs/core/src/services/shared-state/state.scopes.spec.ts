import { ancestorScopes } from './state.scopes';

describe('ancestorScopes', () => {
  it('lists the scopes a channel nests in, farthest first', () => {
    expect(ancestorScopes('org:acme/team:web/room:1', '/')).toEqual(['org:acme', 'org:acme/team:web']);
  });

  it('has none for a channel at the top', () => {
    expect(ancestorScopes('org:acme', '/')).toEqual([]);
  });

  it('splits on a separator of several characters', () => {
    expect(ancestorScopes('a::b::c', '::')).toEqual(['a', 'a::b']);
  });

  it('skips empty levels: a leading, doubled or trailing separator names no scope', () => {
    expect(ancestorScopes('/a//b/', '/')).toEqual(['/a', '/a//b']);
    expect(ancestorScopes('/', '/')).toEqual([]);
  });
});
