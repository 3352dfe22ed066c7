import { PUSHER_API_DEFAULTS, resolveApiApps } from './pusher-http.options';

const app = { id: 'a', key: 'k', secret: 's' };

describe('the HTTP API and webhook options of an app', () => {
  it("defaults to Pusher's limits, enabled, and no webhooks", () => {
    expect(resolveApiApps({ apps: [app] }).get('a')).toEqual({ ...PUSHER_API_DEFAULTS, webhooks: [] });
    expect(PUSHER_API_DEFAULTS).toEqual({ enabled: true, maxEventBytes: 10_240, maxChannelsPerEvent: 100, maxBatchEvents: 10 });
  });

  it('gives each webhook every event unless it names some', () => {
    const [all, some] = resolveApiApps({
      apps: [{ ...app, webhooks: [{ url: 'https://example.com/a' }, { url: 'http://127.0.0.1:3000/b', events: ['member_added'] }] }],
    }).get('a')!.webhooks;
    expect([...all.events]).toEqual(['channel_occupied', 'channel_vacated', 'member_added', 'member_removed', 'client_event']);
    expect([...some.events]).toEqual(['member_added']);
  });

  it('refuses a bad limit, URL or event, naming the option', () => {
    expect(() => resolveApiApps({ apps: [{ ...app, maxEventBytes: 0 }] })).toThrow('option "apps[0].maxEventBytes" must be an integer ≥ 1; got 0.');
    expect(() => resolveApiApps({ apps: [{ ...app, enabled: 'no' as never }] })).toThrow('"apps[0].enabled" must be true or false');
    expect(() => resolveApiApps({ apps: [{ ...app, webhooks: [{ url: 'ftp://example.com' }] }] })).toThrow('"apps[0].webhooks[0].url" must be an http: or https: URL');
    expect(() => resolveApiApps({ apps: [{ ...app, webhooks: [{ url: 'https://example.com', events: ['cache_miss' as never] }] }] })).toThrow(
      '"apps[0].webhooks[0].events" must be a non-empty array of',
    );
  });
});
