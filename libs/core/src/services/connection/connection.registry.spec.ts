import { fakeConnection } from '../../testing/internal/unit-fakes';
import { ConnectionRegistry } from './connection.registry';

describe('ConnectionRegistry', () => {
  let registry: ConnectionRegistry;

  beforeEach(() => (registry = new ConnectionRegistry()));

  it('finds connections by id and by clientId', () => {
    const tab1 = fakeConnection('c1', 'alice').connection;
    const tab2 = fakeConnection('c2', 'alice').connection;
    const bob = fakeConnection('c3', 'bob').connection;
    [tab1, tab2, bob].forEach((connection) => registry.add(connection));

    expect(registry.get('c2')).toBe(tab2);
    expect([...registry.connectionsOf('alice')]).toEqual([tab1, tab2]);
    expect([...registry.connectionsOf('bob')]).toEqual([bob]);
    expect([...registry.all()]).toEqual([tab1, tab2, bob]);
    expect(registry.size).toBe(3);
    expect(registry.clientCount).toBe(2);
  });

  it('tells, on removal, whether it was the last connection of its client', () => {
    const tab1 = fakeConnection('c1', 'alice').connection;
    const tab2 = fakeConnection('c2', 'alice').connection;
    registry.add(tab1);
    registry.add(tab2);

    expect(registry.remove(tab1)).toBe(false);
    expect([...registry.connectionsOf('alice')]).toEqual([tab2]);
    expect(registry.remove(tab2)).toBe(true);
    expect(registry.connectionsOf('alice').size).toBe(0);
    expect(registry.size).toBe(0);
    expect(registry.clientCount).toBe(0);
  });

  it('answers false when removing a connection it does not hold', () => {
    const tab1 = fakeConnection('c1', 'alice').connection;
    registry.add(tab1);
    registry.remove(tab1);

    expect(registry.remove(tab1)).toBe(false);
    expect(registry.get('c1')).toBeUndefined();
  });

  it('answers an empty set for an unknown client', () => {
    expect(registry.connectionsOf('nobody').size).toBe(0);
    expect(registry.countOf('nobody')).toBe(0);
  });

  it("keeps a client's connections in order as they come and go, one or several", () => {
    const [tab1, tab2, tab3] = ['c1', 'c2', 'c3'].map((id) => fakeConnection(id, 'alice').connection);
    registry.add(tab1);
    expect([...registry.connectionsOf('alice')]).toEqual([tab1]);
    expect(registry.countOf('alice')).toBe(1);

    registry.add(tab2);
    registry.add(tab3);
    registry.add(tab3);
    expect([...registry.connectionsOf('alice')]).toEqual([tab1, tab2, tab3]);
    expect(registry.countOf('alice')).toBe(3);

    expect(registry.remove(tab2)).toBe(false);
    expect(registry.remove(tab1)).toBe(false);
    expect([...registry.connectionsOf('alice')]).toEqual([tab3]);
    expect(registry.countOf('alice')).toBe(1);

    registry.add(tab1);
    expect([...registry.connectionsOf('alice')]).toEqual([tab3, tab1]);
    expect(registry.remove(tab3)).toBe(false);
    expect(registry.remove(tab1)).toBe(true);
    expect(registry.countOf('alice')).toBe(0);
    expect(registry.clientCount).toBe(0);
  });
});
