// What the demo's pages share: element lookup and the form that picks a user and a room.

/** The demo's rules for names (apps/demo/src/common/name.validators.ts). */
const USER_NAME = /^[A-Za-z0-9_-]{1,32}$/;
const ROOM_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

/**
 * Opens the room of `?user=&room=` at once when both are valid names; otherwise shows the join form
 * (with the room filled in from the address) and opens what it is given. The address then names the
 * user and room, so that it joins at once next time or when shared. `path` is the page's own path.
 */
export function joinFromAddressOrForm(path: string, open: (user: string, room: string) => void): void {
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
    history.replaceState(null, '', `${path}?user=${encodeURIComponent(chosen.user)}&room=${encodeURIComponent(chosen.room)}`);
    open(chosen.user, chosen.room);
  });
  fields.user.focus();
}
