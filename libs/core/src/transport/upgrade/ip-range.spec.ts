import { inRange, normalizeIp, parseRange, rangeMatcher, rangesOf } from './ip-range';

describe('IP addresses', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:cb00:7107', '203.0.113.7'],
    ['0:0:0:0:0:ffff:203.0.113.7', '203.0.113.7'],
    ['::1', '::1'],
    ['::', '::'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::1.2.3.4', '::102:304'],
  ])('reads %p as %p', (text, spelled) => {
    expect(normalizeIp(text)).toBe(spelled);
  });

  it.each([
    '',
    'localhost',
    'unknown',
    '_hidden',
    '256.0.0.1',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4',
    '1.2.3.4 ',
    '1.2.3.-4',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1::2::3',
    '1:2:3:4:5:6:7:8::',
    '::12345',
    'g::1',
    ':1',
    '1:',
    '::ffff:1.2.3.256',
    '1.2.3.4::',
    '[::1]',
  ])('refuses %p', (text) => {
    expect(normalizeIp(text)).toBeUndefined();
  });
});

describe('CIDR ranges', () => {
  it.each<[string, string, boolean]>([
    ['10.0.0.0/8', '10.255.1.2', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['10.0.0.0/8', '::ffff:10.1.2.3', true],
    ['172.16.0.0/12', '172.31.255.255', true],
    ['172.16.0.0/12', '172.32.0.0', false],
    ['192.168.1.0/25', '192.168.1.127', true],
    ['192.168.1.0/25', '192.168.1.128', false],
    ['203.0.113.7', '203.0.113.7', true],
    ['203.0.113.7', '203.0.113.8', false],
    ['203.0.113.7/32', '203.0.113.7', true],
    ['0.0.0.0/0', '198.51.100.1', true],
    ['0.0.0.0/0', '2001:db8::1', false],
    ['10.1.2.3/8', '10.9.9.9', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['fc00::/7', 'fd12:3456::1', true],
    ['fc00::/7', 'fe00::1', false],
    ['::1', '::1', true],
    ['::1', '127.0.0.1', false],
    ['::ffff:10.0.0.0/104', '10.2.3.4', true],
    ['::/0', '10.0.0.1', true],
    ['fe80::/10', 'febf::1', true],
    ['fe80::/10', 'fec0::1', false],
  ])('%s holds %s: %p', (range, address, holds) => {
    expect(inRange(parseRange(address)!.bytes, parseRange(range)!)).toBe(holds);
  });

  it.each(['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/8/8', '10.0.0.0/-1', '10.0.0.0/ 8', '10.0.0/8', 'loopback/8', '/8'])(
    'refuses the range %p',
    (text) => {
      expect(parseRange(text)).toBeUndefined();
    },
  );

  it('knows loopback, private and linklocal by name', () => {
    const matches = (entry: string) => rangeMatcher(rangesOf(entry)!);

    expect(['127.0.0.1', '127.9.9.9', '::1'].every(matches('loopback'))).toBe(true);
    expect(['10.1.1.1', '172.20.0.1', '192.168.0.1', 'fd00::1', '::ffff:192.168.0.1'].every(matches('private'))).toBe(true);
    expect(['169.254.1.1', 'fe80::1'].every(matches('linklocal'))).toBe(true);
    expect(['8.8.8.8', '2001:db8::1', '100.64.0.1', '172.32.0.1'].some(matches('private'))).toBe(false);
    expect(rangesOf('toString')).toBeUndefined();
    expect(rangesOf('public')).toBeUndefined();
  });

  it('matches nothing that is no address', () => {
    const matches = rangeMatcher(rangesOf('0.0.0.0/0')!);

    expect(['', 'unknown', '10.0.0.1, 10.0.0.2', '[10.0.0.1]'].some(matches)).toBe(false);
  });
});
