// The Pusher page (/pusher): pusher-js's browser build, unchanged, against the demo's Pusher endpoint.
import Pusher, { type Members, type PresenceChannel } from 'pusher-js';
import { byId, joinFromAddressOrForm } from './join-form';

/** What members say to each other (`client-message`) and what the server sends (`message`). */
interface Said {
  text?: unknown;
  from?: unknown;
}

interface MemberInfo {
  name: string;
}

async function postJson<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

function showState(state: string): void {
  const node = byId('connection-state');
  node.textContent = state;
  node.dataset.state = state;
}

function showMembers(members: Members, me: string): void {
  const items: HTMLElement[] = [];
  members.each((member: { id: string; info: MemberInfo }) => {
    const item = document.createElement('li');
    item.dataset.member = member.id;
    const dot = document.createElement('span');
    dot.className = 'dot';
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = member.info?.name ?? member.id;
    item.append(dot, name);
    if (member.id === me) item.append(Object.assign(document.createElement('span'), { className: 'you', textContent: '(you)' }));
    items.push(item);
  });
  items.sort((a, b) => (a.dataset.member ?? '').localeCompare(b.dataset.member ?? ''));
  byId('members').replaceChildren(...items);
  byId('member-count').textContent = String(members.count);
}

/** One line of the log; text goes in as text, never as HTML. */
function log(event: string, channel: string, from: string, text: string, mine = false): void {
  const item = document.createElement('li');
  item.dataset.event = event;
  item.dataset.channel = channel;
  if (mine) item.className = 'mine';
  item.append(Object.assign(document.createElement('span'), { className: 'from', textContent: from }));
  item.append(Object.assign(document.createElement('span'), { className: 'text', textContent: text }));
  const list = byId('messages');
  list.append(item);
  list.scrollTop = list.scrollHeight;
}

function notice(text: string): void {
  log('notice', '', '', text);
  byId('messages').lastElementChild?.classList.add('notice');
}

async function open(user: string, room: string): Promise<void> {
  byId('join-form').hidden = true;
  byId('chat').hidden = false;
  byId('room-title').textContent = `presence-${room}`;
  document.title = `presence-${room} · Pusher rooms`;

  const [{ key }, { token }] = await Promise.all([getJson<{ key: string }>('/pusher/app'), postJson<{ token: string }>('/auth/token', { user })]);
  const secure = location.protocol === 'https:';
  const port = Number(location.port || (secure ? 443 : 80));
  const pusher = new Pusher(key, {
    // pusher-js wants a cluster; wsHost and wsPort take its place.
    cluster: 'demo',
    wsHost: location.hostname,
    wsPort: port,
    wssPort: port,
    forceTLS: secure,
    enabledTransports: ['ws', 'wss'],
    channelAuthorization: { endpoint: '/pusher/auth', transport: 'ajax', headers: { Authorization: `Bearer ${token}` } },
  });
  pusher.connection.bind('state_change', ({ current }: { current: string }) => showState(current));
  showState(pusher.connection.state);

  // The room's three channels: presence-<room> (who is here, and what they say as client events), the
  // public <room> (announcements anyone may read), and the user's own private-user-<user> (an inbox).
  const channel = pusher.subscribe(`presence-${room}`) as PresenceChannel;
  const members = () => showMembers(channel.members, user);
  channel.bind('pusher:subscription_succeeded', members);
  channel.bind('pusher:member_added', members);
  channel.bind('pusher:member_removed', members);
  // The server names the sender of a client event on a presence channel (user_id): the payload could lie.
  channel.bind('client-message', (data: Said, metadata?: { user_id?: string }) => log('client-message', channel.name, metadata?.user_id ?? '?', String(data?.text ?? '')));
  for (const subscribed of [channel, pusher.subscribe(room), pusher.subscribe(`private-user-${user}`)]) {
    subscribed.bind('pusher:subscription_error', (error: { status?: number; error?: string }) =>
      notice(`Not subscribed to ${subscribed.name}: ${error.error ?? error.status ?? 'refused'}`),
    );
    subscribed.bind('message', (data: Said) => log('message', subscribed.name, typeof data?.from === 'string' ? data.from : 'server', String(data?.text ?? '')));
  }

  const input = byId<HTMLInputElement>('message-input');
  byId<HTMLFormElement>('message-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    // Client events go to the other members only: the page shows its own line itself.
    if (channel.trigger('client-message', { text })) log('client-message', channel.name, user, text, true);
    else notice(`Not sent (not subscribed yet): ${text}`);
  });
  input.focus();
}

joinFromAddressOrForm('/pusher', (user, room) => void open(user, room).catch((error: Error) => notice(error.message)));
