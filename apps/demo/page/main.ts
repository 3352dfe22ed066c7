import { ChatSession, ChosenStatus } from './chat.session';
import { ChatDom } from './chat.view';

/** The demo's rules for names (apps/demo/src/common/name.validators.ts). */
const USER_NAME = /^[A-Za-z0-9_-]{1,32}$/;
const ROOM_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

function open(user: string, room: string): void {
  byId('join-form').hidden = true;
  byId('chat').hidden = false;
  byId('room-title').textContent = `#${room}`;
  document.title = `#${room} · Realtime rooms`;
  const share = byId<HTMLAnchorElement>('share-link');
  share.href = `${location.origin}/?room=${encodeURIComponent(room)}`;
  share.textContent = share.href;

  const view = new ChatDom(user);
  const session = new ChatSession(user, room, view);
  const input = byId<HTMLInputElement>('message-input');
  byId<HTMLFormElement>('message-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    session.send(text).catch((error: Error) => view.failed(text, error.message));
  });
  const status = byId<HTMLSelectElement>('status');
  status.addEventListener('change', () => {
    session.setStatus(status.value as ChosenStatus).catch((error: Error) => view.notice(`Status not changed: ${error.message}`));
  });
  const topic = byId<HTMLInputElement>('topic-input');
  byId<HTMLFormElement>('topic-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = topic.value.trim();
    topic.value = '';
    session.setTopic(text).catch((error: Error) => view.notice(`Topic not changed: ${error.message}`));
  });
  input.focus();
  void session.start();
}

function main(): void {
  const query = new URLSearchParams(location.search);
  const user = query.get('user') ?? '';
  const room = query.get('room') ?? '';
  const form = byId<HTMLFormElement>('join-form');
  const fields = form.elements as unknown as { user: HTMLInputElement; room: HTMLInputElement };
  if (room) fields.room.value = room;
  if (USER_NAME.test(user) && ROOM_NAME.test(room)) return open(user, room);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = { user: fields.user.value.trim(), room: fields.room.value.trim() };
    if (!USER_NAME.test(chosen.user) || !ROOM_NAME.test(chosen.room)) return form.reportValidity();
    // The address now joins at once: a link to come back to, or to share.
    history.replaceState(null, '', `/?user=${encodeURIComponent(chosen.user)}&room=${encodeURIComponent(chosen.room)}`);
    open(chosen.user, chosen.room);
  });
  fields.user.focus();
}

main();
