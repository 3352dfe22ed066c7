import { RealtimeException } from '../../errors/realtime.exception';
import { fakeConnection } from '../../testing/internal/unit-fakes';
import { DEFAULT_CHANNEL_STATE, type ResolvedChannelState, type StateWriteAuthorizer } from '../channel/channel.options';
import { authorizeStateWrite } from './state-write.authorization';

const { connection } = fakeConnection('c1', 'alice', { role: 'editor' });
const rule = (write: ResolvedChannelState['write']): ResolvedChannelState => ({ ...DEFAULT_CHANNEL_STATE, write });

describe('authorizeStateWrite', () => {
  it("lets any member write under 'members'", async () => {
    await expect(authorizeStateWrite(connection, 'doc:1', 'title', 'x', rule('members'))).resolves.toBeUndefined();
  });

  it("refuses every member under 'server' with forbidden", async () => {
    await expect(authorizeStateWrite(connection, 'doc:1', 'title', 'x', rule('server'))).rejects.toMatchObject({
      code: 'forbidden',
      message: 'Only the server writes the shared state of "doc:1".',
    });
  });

  it('asks a function with the writer, the channel, the key and the value; true allows', async () => {
    const write = jest.fn<ReturnType<StateWriteAuthorizer>, Parameters<StateWriteAuthorizer>>(async () => true);
    await authorizeStateWrite(connection, 'doc:1', 'title', 'x', rule(write));
    expect(write).toHaveBeenCalledWith({ connectionId: 'c1', clientId: 'alice', claims: { role: 'editor' }, channel: 'doc:1', key: 'title', value: 'x' });
  });

  it.each([
    ['false', () => false],
    ['a truthy non-true answer', () => 'yes' as unknown as boolean],
    ['a throw', () => { throw new Error('database down'); }],
  ])('refuses with forbidden on %s', async (_name, write) => {
    await expect(authorizeStateWrite(connection, 'doc:1', 'title', 'x', rule(write))).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('answers a thrown RealtimeException as it is', async () => {
    const write = () => { throw new RealtimeException('locked', 'The document is locked.'); };
    await expect(authorizeStateWrite(connection, 'doc:1', 'title', 'x', rule(write))).rejects.toMatchObject({ code: 'locked', message: 'The document is locked.' });
  });
});
