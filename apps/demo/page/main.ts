import { ChatSession, ChosenStatus } from './chat.session';
import { ChatDom } from './chat.view';
import { byId, joinFromAddressOrForm } from './join-form';


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

joinFromAddressOrForm('/', open);
