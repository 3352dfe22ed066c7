import type { ChannelMessage, ClientState, PresenceMember } from '@nest-realtime/client';
import type { ChatPayload, ChatView, MemberMeta, Status } from './chat.session';

function element<T extends HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`The page has no ${selector}`);
  return found;
}

function make(tag: string, className: string, text: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

/** One status per person across their tabs: a tab they set `busy` wins, then any tab not `away`. */
function statusOf(member: PresenceMember<MemberMeta>): Status {
  const statuses = member.metas.map((meta) => meta.status ?? 'online');
  if (statuses.includes('busy')) return 'busy';
  return statuses.includes('online') ? 'online' : 'away';
}

function timeOf(at: number): HTMLElement {
  const time = make('time', '', new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
  time.setAttribute('datetime', new Date(at).toISOString());
  return time;
}

/** The page's DOM: state pill, member list, message log. Text goes in as text, never as HTML. */
export class ChatDom implements ChatView {
  private readonly stateNode = element('[data-testid="connection-state"]');
  private readonly membersNode = element('[data-testid="members"]');
  private readonly countNode = element('#member-count');
  private readonly messagesNode = element('[data-testid="messages"]');
  private readonly topicNode = element('[data-testid="topic"]');
  private readonly topicByNode = element('[data-testid="topic-by"]');

  constructor(private readonly user: string) {}

  state(state: ClientState): void {
    this.stateNode.textContent = state;
    this.stateNode.dataset.state = state;
  }

  members(members: PresenceMember<MemberMeta>[], stale: boolean): void {
    const items = [...members]
      .sort((a, b) => a.clientId.localeCompare(b.clientId))
      .map((member) => {
        const status = statusOf(member);
        const item = document.createElement('li');
        item.dataset.member = member.clientId;
        item.dataset.status = status;
        item.append(make('span', 'dot', ''), make('span', 'name', member.clientId));
        if (member.clientId === this.user) item.append(make('span', 'you', '(you)'));
        if (member.metas.length > 1) item.append(make('span', 'tabs', `×${member.metas.length}`));
        item.append(make('span', 'status-text', status));
        return item;
      });
    this.membersNode.replaceChildren(...items);
    this.membersNode.classList.toggle('stale', stale);
    this.countNode.textContent = String(members.length);
  }

  message({ from, payload, at }: ChannelMessage<ChatPayload>): void {
    const item = document.createElement('li');
    if (from === this.user) item.className = 'mine';
    const text = typeof payload?.text === 'string' ? payload.text : JSON.stringify(payload);
    item.append(make('span', 'from', from ?? 'server'), make('span', 'text', text), timeOf(at));
    this.append(item);
  }

  topic(topic: string | undefined, by: string | null): void {
    this.topicNode.textContent = topic ?? 'No topic yet';
    this.topicNode.classList.toggle('empty', topic === undefined);
    this.topicByNode.textContent = topic === undefined ? '' : `set by ${by ?? 'the server'}`;
  }

  notice(text: string): void {
    this.append(make('li', 'notice', text));
  }

  failed(text: string, reason: string): void {
    this.append(make('li', 'failed', `Not sent: “${text}” (${reason})`));
  }

  private append(item: HTMLElement): void {
    const atBottom = this.messagesNode.scrollTop + this.messagesNode.clientHeight >= this.messagesNode.scrollHeight - 8;
    this.messagesNode.append(item);
    if (atBottom) this.messagesNode.scrollTop = this.messagesNode.scrollHeight;
  }
}
