import { createHash } from 'crypto';

// The admin page: one document with its style and script inline, so that it ships in the package's
// dist (a plain tsc build) and needs no file of its own. Its Content-Security-Policy lets in exactly this
// script and this style (by hash) and requests to its own origin. The script builds every element with
// textContent: nothing shown goes through innerHTML. It reads the API next to it (`<page>/api`), sends the
// token that the user typed (kept in sessionStorage, for the tab's life), and polls every 2 s.

const STYLE = `
:root { color-scheme: light dark; --line: #8884; --muted: #8889; --accent: #2f6fde; --danger: #c62828; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; }
header { display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; padding: .75rem 1rem; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.1rem; margin: 0; }
h2 { font-size: 1rem; margin: 0 0 .5rem; }
h3 { font-size: .9rem; margin: .75rem 0 .25rem; }
small, .muted { color: var(--muted); font-weight: normal; }
#status { margin-left: auto; color: var(--muted); }
#status.error { color: var(--danger); }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(28rem, 1fr)); gap: 1rem; padding: 1rem; }
section { border: 1px solid var(--line); border-radius: 6px; padding: .75rem; overflow-x: auto; }
section.wide { grid-column: 1 / -1; }
td.actions { white-space: nowrap; }
td.actions button + button { margin-left: .25rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .25rem .4rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; }
code, pre { font: 12px/1.3 ui-monospace, monospace; }
pre { margin: 0; white-space: pre-wrap; word-break: break-all; }
button { font: inherit; cursor: pointer; }
button.danger { color: var(--danger); }
button.link { background: none; border: none; padding: 0; color: var(--accent); text-decoration: underline; }
form { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; margin-bottom: .5rem; }
form#login { flex-direction: column; align-items: flex-start; max-width: 24rem; margin: 3rem auto; }
textarea { width: 100%; min-height: 3.5rem; font: 12px ui-monospace, monospace; }
.pager { display: flex; gap: .5rem; align-items: center; margin-top: .5rem; }
.selected { background: #2f6fde22; }
[hidden] { display: none !important; }
`;

const SCRIPT = `
(function () {
  'use strict';
  var TOKEN_KEY = 'realtime-admin-token';
  var POLL_MS = 2000;
  var PAGE = 50;
  var api = location.pathname.replace(/\\/+$/, '') + '/api';
  var view = { token: sessionStorage.getItem(TOKEN_KEY), offset: 0, clientId: '', channel: '', selected: null, timer: 0, signedIn: false };

  function byId(id) { return document.getElementById(id); }

  /** An element with text (never markup) and attributes; children appended in order. */
  function el(tag, options, children) {
    var node = document.createElement(tag);
    options = options || {};
    if (options.text !== undefined) node.textContent = String(options.text);
    if (options.className) node.className = options.className;
    if (options.title) node.title = String(options.title);
    if (options.data) Object.keys(options.data).forEach(function (key) { node.dataset[key] = String(options.data[key]); });
    if (options.onClick) { node.type = 'button'; node.addEventListener('click', options.onClick); }
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function cell(text, className) { return el('td', { text: text, className: className }); }
  function replaceRows(body, rows, columns, empty) {
    body.replaceChildren.apply(body, rows.length ? rows : [el('tr', {}, [el('td', { text: empty, className: 'muted' })])]);
    if (!rows.length) body.firstChild.firstChild.colSpan = columns;
  }
  function time(ms) {
    if (!ms) return '';
    var date = new Date(ms);
    return date.toDateString() === new Date().toDateString() ? date.toLocaleTimeString() : date.toLocaleString();
  }

  function status(text, isError) {
    var line = byId('status');
    line.textContent = text;
    line.classList.toggle('error', Boolean(isError));
  }

  function Refused(message) { this.message = message; }

  async function call(method, path, body) {
    var headers = { accept: 'application/json' };
    if (view.token) headers.authorization = 'Bearer ' + view.token;
    var init = { method: method, headers: headers, credentials: 'same-origin', cache: 'no-store' };
    if (method === 'POST') {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body || {});
    }
    var response = await fetch(api + path, init);
    var text = await response.text();
    var data = null;
    try { data = text ? JSON.parse(text) : null; } catch (error) { data = null; }
    var message = data && typeof data.message === 'string' ? data.message : 'HTTP ' + response.status;
    if (response.status === 401 || response.status === 403) throw new Refused(message);
    if (!response.ok) throw new Error(message);
    return data;
  }

  function query(params) {
    var search = new URLSearchParams();
    Object.keys(params).forEach(function (key) { if (params[key] !== '' && params[key] !== undefined) search.set(key, String(params[key])); });
    var text = search.toString();
    return text ? '?' + text : '';
  }

  function channelPath(channel) { return '/channels/' + encodeURIComponent(channel); }

  function showLogin(message) {
    view.signedIn = false;
    clearTimeout(view.timer);
    byId('main').hidden = true;
    byId('sign-out').hidden = true;
    byId('login').hidden = false;
    byId('login-message').textContent = message || '';
    byId('token').focus();
  }

  function showMain() {
    view.signedIn = true;
    byId('login').hidden = true;
    byId('main').hidden = false;
    byId('sign-out').hidden = !view.token;
  }

  async function refresh() {
    clearTimeout(view.timer);
    try {
      var results = await Promise.all([
        call('GET', '/nodes'),
        call('GET', '/connections' + query({ clientId: view.clientId, channel: view.channel, offset: view.offset, limit: PAGE })),
        call('GET', '/channels' + query({ limit: 500 })),
      ]);
      showMain();
      renderNodes(results[0]);
      renderConnections(results[1]);
      renderChannels(results[2]);
      await refreshChannel(results[2]);
      status('Updated ' + new Date().toLocaleTimeString());
    } catch (error) {
      if (error instanceof Refused) {
        if (view.token) forget();
        showLogin(view.signedIn || byId('token').value ? error.message : '');
        return;
      }
      status('Error: ' + error.message, true);
    }
    view.timer = setTimeout(refresh, POLL_MS);
  }

  function renderNodes(data) {
    byId('summary').textContent = 'node ' + data.nodeId + ' \\u00b7 ' + data.connections + ' connections here \\u00b7 ' + data.connectionsAnywhere + ' in all' + (data.draining ? ' \\u00b7 draining' : '');
    var rows = data.nodes.map(function (node) {
      return el('tr', { data: { nodeId: node.nodeId } }, [
        el('td', {}, [el('code', { text: node.nodeId }), el('span', { text: node.self ? ' (this node)' : '', className: 'muted' })]),
        cell(time(node.startedAt)),
        cell(node.alive ? 'alive' : 'expired'),
        cell(node.connections),
      ]);
    });
    replaceRows(byId('nodes'), rows, 4, 'No node known.');
  }

  function renderConnections(data) {
    var rows = data.connections.map(function (connection) {
      var actions = el('td', { className: 'actions' }, [
        el('button', { text: 'Disconnect', className: 'danger', data: { action: 'disconnect' }, onClick: function () { disconnect(connection.id); } }),
        el('button', { text: 'Disconnect client', className: 'danger', data: { action: 'disconnect-client' }, onClick: function () { disconnectClient(connection.clientId); } }),
      ]);
      return el('tr', { data: { connectionId: connection.id, clientId: connection.clientId } }, [
        el('td', {}, [el('code', { text: connection.id })]),
        cell(connection.clientId),
        cell(connection.state),
        cell(connection.ip),
        cell(time(connection.connectedAt)),
        cell(connection.channels.join(', ')),
        actions,
      ]);
    });
    replaceRows(byId('connections'), rows, 7, 'No connection.');
    var last = Math.min(data.offset + data.connections.length, data.total);
    byId('page').textContent = data.total ? (data.offset + 1) + '\\u2013' + last + ' of ' + data.total : '0 of 0';
    byId('prev').disabled = data.offset === 0;
    byId('next').disabled = data.offset + data.limit >= data.total;
  }

  function renderChannels(data) {
    if (view.selected && !data.channels.some(function (entry) { return entry.channel === view.selected; })) view.selected = null;
    var rows = data.channels.map(function (entry) {
      var name = el('button', { text: entry.channel, className: 'link', data: { action: 'select' }, onClick: function () { select(entry.channel); } });
      var flags = [entry.presence ? 'presence' : '', entry.history ? 'history' : ''].filter(Boolean).join(', ');
      return el('tr', { className: entry.channel === view.selected ? 'selected' : '', data: { channel: entry.channel } }, [
        el('td', {}, [name]),
        cell(entry.members),
        cell(flags, 'muted'),
      ]);
    });
    replaceRows(byId('channels'), rows, 3, 'No channel has members.');
    byId('channels-count').textContent = data.total > data.channels.length ? '(' + data.channels.length + ' of ' + data.total + ')' : '';
  }

  async function refreshChannel(channels) {
    var panel = byId('channel-panel');
    var channel = view.selected;
    if (!channel) { panel.hidden = true; return; }
    var entry = channels.channels.find(function (item) { return item.channel === channel; });
    var results = await Promise.all([
      call('GET', channelPath(channel) + '/members' + query({ limit: 500 })),
      entry && entry.presence ? call('GET', channelPath(channel) + '/presence') : Promise.resolve(null),
    ]);
    if (view.selected !== channel) return;
    panel.hidden = false;
    byId('channel-name').textContent = channel;
    var members = results[0];
    var rows = members.members.map(function (member) {
      return el('tr', { data: { clientId: member.clientId, connectionId: member.connectionId } }, [
        cell(member.clientId),
        el('td', {}, [el('code', { text: member.connectionId })]),
        cell(time(member.joinedAt)),
        el('td', {}, [el('pre', { text: JSON.stringify(member.meta) })]),
        el('td', { className: 'actions' }, [el('button', { text: 'Kick', className: 'danger', data: { action: 'kick' }, onClick: function () { kick(channel, member.clientId); } })]),
      ]);
    });
    replaceRows(byId('members'), rows, 5, 'No member.');
    byId('members-count').textContent = '(' + members.total + ')';
    var presence = results[1];
    byId('presence-section').hidden = !presence;
    if (presence) {
      var items = Object.keys(presence.presence).sort().map(function (clientId) {
        var metas = presence.presence[clientId].metas;
        return el('li', { data: { clientId: clientId } }, [el('strong', { text: clientId }), el('pre', { text: metas.map(function (meta) { return JSON.stringify(meta); }).join('\\n') })]);
      });
      byId('presence').replaceChildren.apply(byId('presence'), items.length ? items : [el('li', { text: 'Nobody.', className: 'muted' })]);
    }
  }

  function select(channel) {
    view.selected = view.selected === channel ? null : channel;
    refresh();
  }

  async function act(what, path, body) {
    try {
      var result = await call('POST', path, body);
      status(what + ': ' + JSON.stringify(result));
    } catch (error) {
      if (error instanceof Refused) return refresh();
      status(what + ' failed: ' + error.message, true);
    }
    refresh();
  }

  function disconnect(connectionId) {
    if (confirm('Disconnect connection ' + connectionId + '?')) act('Disconnect', '/connections/' + encodeURIComponent(connectionId) + '/disconnect');
  }

  function disconnectClient(clientId) {
    if (confirm('Disconnect every connection of ' + clientId + ' on this node?')) act('Disconnect client', '/clients/' + encodeURIComponent(clientId) + '/disconnect');
  }

  function kick(channel, clientId) {
    if (confirm('Kick ' + clientId + ' from ' + channel + '?')) act('Kick', channelPath(channel) + '/kick', { clientId: clientId });
  }

  function forget() {
    view.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
  }

  byId('login').addEventListener('submit', function (event) {
    event.preventDefault();
    view.token = byId('token').value.trim();
    sessionStorage.setItem(TOKEN_KEY, view.token);
    refresh();
  });

  byId('sign-out').addEventListener('click', function () {
    forget();
    byId('token').value = '';
    showLogin('Signed out.');
  });

  byId('filter').addEventListener('submit', function (event) {
    event.preventDefault();
    view.clientId = byId('filter-client').value.trim();
    view.channel = byId('filter-channel').value.trim();
    view.offset = 0;
    refresh();
  });

  byId('prev').addEventListener('click', function () { view.offset = Math.max(0, view.offset - PAGE); refresh(); });
  byId('next').addEventListener('click', function () { view.offset += PAGE; refresh(); });

  byId('publish').addEventListener('submit', function (event) {
    event.preventDefault();
    var text = byId('payload').value;
    if (!text.trim()) return status('Type a payload to publish.', true);
    var payload;
    try { payload = JSON.parse(text); } catch (error) { payload = text; }
    if (view.selected) act('Publish', channelPath(view.selected) + '/publish', { payload: payload });
  });

  byId('drain').addEventListener('submit', function (event) {
    event.preventDefault();
    var text = byId('drain-window').value.trim();
    if (!confirm('Drain this node? It closes its connections and refuses new ones until it restarts.')) return;
    act('Drain', '/drain', text ? { window: Number(text) } : {});
  });

  refresh();
})();
`;

const HTML_HEAD = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Realtime admin</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>Realtime admin</h1>
  <span id="summary" data-testid="summary"></span>
  <span id="status" data-testid="status" role="status"></span>
  <button id="sign-out" type="button" data-testid="sign-out" hidden>Sign out</button>
</header>
<form id="login" data-testid="login" hidden>
  <label for="token">Admin token</label>
  <input id="token" data-testid="token" type="password" autocomplete="off" required>
  <button type="submit" data-testid="sign-in">Open</button>
  <p id="login-message" data-testid="login-message" role="alert"></p>
</form>
<main id="main" hidden>
  <section>
    <h2>Nodes</h2>
    <table>
      <thead><tr><th>node</th><th>started</th><th>heartbeat</th><th>connections</th></tr></thead>
      <tbody id="nodes" data-testid="nodes"></tbody>
    </table>
  </section>
  <section>
    <h2>Channels <small id="channels-count"></small></h2>
    <table>
      <thead><tr><th>channel</th><th>members</th><th></th></tr></thead>
      <tbody id="channels" data-testid="channels"></tbody>
    </table>
  </section>
  <section class="wide">
    <h2>Connections <small>on this node</small></h2>
    <form id="filter" data-testid="filter">
      <input id="filter-client" data-testid="filter-client" placeholder="clientId" aria-label="clientId">
      <input id="filter-channel" data-testid="filter-channel" placeholder="channel" aria-label="channel">
      <button type="submit">Filter</button>
    </form>
    <table>
      <thead><tr><th>connection</th><th>client</th><th>state</th><th>ip</th><th>since</th><th>channels</th><th></th></tr></thead>
      <tbody id="connections" data-testid="connections"></tbody>
    </table>
    <div class="pager"><button id="prev" type="button">Previous</button><span id="page" data-testid="page"></span><button id="next" type="button">Next</button></div>
  </section>
  <section id="channel-panel" data-testid="channel-panel" hidden>
    <h2>Channel <code id="channel-name" data-testid="channel-name"></code></h2>
    <form id="publish">
      <textarea id="payload" data-testid="payload" placeholder="payload: JSON, or text sent as a string" aria-label="payload"></textarea>
      <button type="submit" data-testid="publish">Publish</button>
    </form>
    <h3>Members <small id="members-count"></small></h3>
    <table>
      <thead><tr><th>client</th><th>connection</th><th>joined</th><th>meta</th><th></th></tr></thead>
      <tbody id="members" data-testid="members"></tbody>
    </table>
    <div id="presence-section">
      <h3>Presence</h3>
      <ul id="presence" data-testid="presence"></ul>
    </div>
  </section>
  <section>
    <h2>Drain <small>this node</small></h2>
    <form id="drain">
      <input id="drain-window" type="number" min="0" step="1" placeholder="window in ms (optional)" aria-label="window in ms">
      <button type="submit" class="danger" data-testid="drain">Drain this node</button>
    </form>
    <p class="muted">Closes this node's connections with 1012 over the window (clients come back on another node and resume), and refuses new ones until the process restarts.</p>
  </section>
</main>
`;

/** The page, as served. */
export const ADMIN_PAGE_HTML = `${HTML_HEAD}<script>${SCRIPT}</script>\n</body>\n</html>\n`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** Its own script and style, requests to its own origin, and nothing else (no frames around it either). */
export const ADMIN_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
