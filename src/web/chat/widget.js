/**
 * bridgeline's chat widget: plain ES2020, served as it is, no build step.
 * A site includes it with one tag,
 *   <script src="https://bridgeline.example.com/chat/widget.js"></script>
 * and gets a chat panel in the corner; on bridgeline's own /chat page it
 * fills the #bridgeline-chat element instead. The protocol it speaks is in
 * src/channels/chat/protocol.ts.
 */
(() => {
  'use strict';

  const script = document.currentScript;
  const origin = new URL(script ? script.src : window.location.href).origin;
  const socketUrl = origin.replace(/^http/, 'ws') + '/chat/ws';
  const tokenKey = 'bridgeline.chat.token';
  const link = new URL(window.location.href).searchParams.get('link');

  // Messages sent but not acknowledged: sent again after a reconnect, and
  // stored once however often they arrive (their id says which they are).
  const unacked = new Map();
  const shown = new Set();
  let lastSeq = 0;
  let socket;
  let retryMs = 500;
  let linkUsed = false;

  const ui = buildPanel();

  function newId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function connect() {
    socket = new WebSocket(socketUrl);
    socket.addEventListener('open', () => {
      retryMs = 500;
      const hello = { type: 'hello', lastSeq };
      const token = localStorage.getItem(tokenKey);
      if (token) {
        hello.token = token;
      }
      if (link && !linkUsed) {
        hello.link = link;
        linkUsed = true;
      }
      socket.send(JSON.stringify(hello));
    });
    socket.addEventListener('message', (event) => {
      receive(JSON.parse(event.data));
    });
    socket.addEventListener('close', () => {
      ui.status.textContent = 'Reconnecting…';
      window.setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    });
  }

  function receive(frame) {
    switch (frame.type) {
      case 'welcome':
        localStorage.setItem(tokenKey, frame.token);
        ui.status.textContent = 'Connected';
        for (const pending of unacked.values()) {
          socket.send(JSON.stringify(pending));
        }
        break;
      case 'message':
        lastSeq = Math.max(lastSeq, frame.seq);
        show(frame);
        break;
      case 'ack':
        unacked.delete(frame.id);
        break;
      case 'callback':
        unacked.delete(frame.id);
        note(
          frame.status === 'scheduled' || frame.status === 'already-scheduled'
            ? 'We will call you back' +
                (frame.estimatedWaitSeconds
                  ? ` in about ${Math.ceil(frame.estimatedWaitSeconds / 60)} min.`
                  : '.')
            : 'We cannot call you back right now.',
        );
        break;
      case 'error':
        if (frame.id) {
          unacked.delete(frame.id);
        }
        note(frame.message);
        break;
      default:
        break;
    }
  }

  function show(message) {
    const key = `${message.direction}:${message.id}`;
    if (shown.has(key)) {
      return;
    }
    shown.add(key);
    const pendingRow = ui.log.querySelector(`[data-pending="${message.id}"]`);
    if (pendingRow && message.direction === 'inbound') {
      pendingRow.removeAttribute('data-pending');
      pendingRow.style.opacity = '1';
      return;
    }
    ui.log.append(row(message.direction, message.text, message.author));
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function row(direction, text, author) {
    const line = document.createElement('div');
    line.className = `bl-msg bl-${direction}`;
    line.dataset.direction = direction;
    line.textContent = text;
    if (author && direction === 'outbound') {
      line.title = author;
    }
    return line;
  }

  function note(text) {
    const line = document.createElement('div');
    line.className = 'bl-note';
    line.textContent = text;
    ui.log.append(line);
  }

  function sendFrame(frame) {
    unacked.set(frame.id, frame);
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
    }
  }

  function sendMessage(text) {
    const frame = { type: 'message', id: newId(), text };
    const line = row('inbound', text);
    line.dataset.pending = frame.id;
    line.style.opacity = '0.6';
    ui.log.append(line);
    sendFrame(frame);
  }

  function buildPanel() {
    const host = document.getElementById('bridgeline-chat');
    const panel = document.createElement('section');
    panel.className = 'bl-chat';
    panel.setAttribute('aria-label', 'Chat');
    panel.style.cssText = host
      ? 'display:flex;flex-direction:column;height:70vh;background:#fff;' +
        'border-radius:8px;padding:8px'
      : 'position:fixed;right:16px;bottom:16px;width:320px;height:440px;' +
        'display:flex;flex-direction:column;background:#fff;z-index:2147483000;' +
        'border-radius:8px;padding:8px;box-shadow:0 4px 16px rgba(0,0,0,.2);' +
        'font-family:system-ui,sans-serif';
    panel.innerHTML = `
      <style>
        .bl-msg{margin:4px 0;padding:6px 10px;border-radius:12px;max-width:80%}
        .bl-inbound{align-self:flex-end;background:#d8ecff}
        .bl-outbound{align-self:flex-start;background:#eee}
        .bl-note{align-self:center;color:#666;font-size:.85em;margin:4px}
        .bl-log{flex:1;overflow-y:auto;display:flex;flex-direction:column}
        .bl-chat form{display:flex;gap:4px;margin-top:4px}
        .bl-chat input{flex:1;min-width:0}
      </style>
      <details class="bl-about">
        <summary>Tell us who you are (optional)</summary>
        <form class="bl-profile">
          <input name="name" placeholder="Name" autocomplete="name">
          <input name="email" type="email" placeholder="Email"
            autocomplete="email">
          <input name="phone" type="tel" placeholder="Phone"
            autocomplete="tel">
          <button type="submit">Save</button>
        </form>
      </details>
      <div class="bl-status" role="status">Connecting…</div>
      <div class="bl-log" aria-live="polite"></div>
      <form class="bl-send">
        <input name="text" placeholder="Type a message" aria-label="Message"
          autocomplete="off">
        <button type="submit">Send</button>
      </form>
      <button type="button" class="bl-callback">Call me back</button>`;
    (host || document.body).append(panel);

    const log = panel.querySelector('.bl-log');
    const status = panel.querySelector('.bl-status');
    panel.querySelector('.bl-send').addEventListener('submit', (event) => {
      event.preventDefault();
      const input = event.target.elements.text;
      const text = input.value.trim();
      if (text) {
        sendMessage(text);
        input.value = '';
      }
    });
    panel.querySelector('.bl-profile').addEventListener('submit', (event) => {
      event.preventDefault();
      const frame = { type: 'profile', id: newId() };
      for (const name of ['name', 'email', 'phone']) {
        const value = event.target.elements[name].value.trim();
        if (value) {
          frame[name] = value;
        }
      }
      sendFrame(frame);
      note('Thanks, an agent will see this.');
    });
    panel.querySelector('.bl-callback').addEventListener('click', () => {
      sendFrame({ type: 'callback', id: newId() });
    });
    return { log, status };
  }

  connect();
})();
