import { compileOrigins, isOriginPattern, isSameOrigin, normalizeOrigin } from './origin.matcher';

describe('origin matching', () => {
  it('normalizes an origin: lower case, default port dropped, nothing else', () => {
    expect(normalizeOrigin('HTTPS://App.Example.COM:443')).toBe('https://app.example.com');
    expect(normalizeOrigin('http://localhost:3000')).toBe('http://localhost:3000');
    expect(normalizeOrigin('chrome-extension://abcdef')).toBe('chrome-extension://abcdef');
    expect(normalizeOrigin('not an origin')).toBeUndefined();
    expect(normalizeOrigin('null')).toBeUndefined();
  });

  it.each(['*', 'null', 'https://a.example.com', 'https://*.example.com', 'http://localhost:*', 'chrome-extension://abc'])('accepts the pattern %s', (pattern) => {
    expect(isOriginPattern(pattern)).toBe(true);
  });

  it.each(['example.com', 'https://example.com/', 'https://example.com/path', '', 42, 'https://'])('refuses the pattern %p', (pattern) => {
    expect(isOriginPattern(pattern)).toBe(false);
  });

  it('lets * stand for subdomain labels, never for another domain', () => {
    const allowed = compileOrigins(['https://*.example.com']);

    expect(allowed('https://a.example.com')).toBe(true);
    expect(allowed('https://a-b.c.example.com')).toBe(true);
    expect(allowed('https://example.com')).toBe(false);
    expect(allowed('https://evilexample.com')).toBe(false);
    expect(allowed('https://evil.com:443.example.com')).toBe(false);
    expect(allowed('http://a.example.com')).toBe(false);
  });

  it('lets * stand for a port', () => {
    const allowed = compileOrigins(['http://localhost:*']);

    expect(allowed('http://localhost:5173')).toBe(true);
    expect(allowed('http://localhost')).toBe(false);
    expect(allowed('http://localhost.evil.com:80')).toBe(false);
  });

  it('allows everything with "*" and nothing with an empty list', () => {
    expect(compileOrigins(['*'])('https://anything.example')).toBe(true);
    expect(compileOrigins([])('https://anything.example')).toBe(false);
  });

  it('tells a same-origin page by the Host header, ports included', () => {
    expect(isSameOrigin('http://localhost:3000', 'localhost:3000')).toBe(true);
    expect(isSameOrigin('https://example.com', 'example.com:443')).toBe(true);
    expect(isSameOrigin('http://localhost:3001', 'localhost:3000')).toBe(false);
    expect(isSameOrigin('http://localhost:3000', undefined)).toBe(false);
  });
});
