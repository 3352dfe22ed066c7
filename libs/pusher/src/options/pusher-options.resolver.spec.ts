import { PUSHER_DEFAULTS, resolvePusherOptions } from './pusher-options.resolver';

const APP = { id: '1', key: 'key-1', secret: 'secret-1' };

describe('resolvePusherOptions', () => {
  it('fills in every default', () => {
    const options = resolvePusherOptions({ apps: [APP] });

    expect(options).toMatchObject({ path: '/app', activityTimeout: 120, httpApi: true });
    expect(options.apps[0]).toEqual({
      ...APP,
      channelPrefix: '',
      maxConnections: PUSHER_DEFAULTS.maxConnections,
      clientEvents: true,
      clientEventsPerSecond: 10,
      maxPresenceMembers: 100,
      enabled: true,
    });
    expect(options.byKey.get('key-1')).toBe(options.apps[0]);
    expect(options.byId.get('1')).toBe(options.apps[0]);
  });

  it('isolates the channels of several apps with a prefix per app, unless one is given', () => {
    const options = resolvePusherOptions({ apps: [APP, { id: '2', key: 'key-2', secret: 's' }, { id: '3', key: 'key-3', secret: 's', channelPrefix: '' }] });

    expect(options.apps.map((app) => app.channelPrefix)).toEqual(['1:', '2:', '']);
  });

  it('takes the path without its trailing slash', () => {
    expect(resolvePusherOptions({ apps: [APP], path: '/pusher/app/' }).path).toBe('/pusher/app');
  });

  it.each<[string, unknown, string]>([
    ['no apps', { apps: [] }, 'apps'],
    ['an app without a secret', { apps: [{ id: '1', key: 'k' }] }, 'apps[0].secret'],
    ['a key with a slash', { apps: [{ ...APP, key: 'a/b' }] }, 'apps[0].key'],
    ['two apps with one key', { apps: [APP, { ...APP, id: '2' }] }, 'apps[1].key'],
    ['two apps with one id', { apps: [APP, { ...APP, key: 'key-2' }] }, 'apps[1].id'],
    ['a prefix a Pusher channel name could hold', { apps: [{ ...APP, channelPrefix: 'app1-' }] }, 'apps[0].channelPrefix'],
    ['two apps with one prefix', { apps: [{ ...APP, channelPrefix: 'x:' }, { id: '2', key: 'k2', secret: 's', channelPrefix: 'x:' }] }, 'apps[1].channelPrefix'],
    ['a negative connection limit', { apps: [{ ...APP, maxConnections: -1 }] }, 'apps[0].maxConnections'],
    ['no client events a second', { apps: [{ ...APP, clientEventsPerSecond: 0 }] }, 'apps[0].clientEventsPerSecond'],
    ['an activity timeout of 0', { apps: [APP], activityTimeout: 0 }, 'activityTimeout'],
    ['a path without its slash', { apps: [APP], path: 'app' }, 'path'],
  ])('refuses %s, naming the option', (_case, options, name) => {
    expect(() => resolvePusherOptions(options as never)).toThrow(`option "${name}"`);
  });
});
