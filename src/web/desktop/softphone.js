/**
 * The desktop's softphone: a JsSIP user agent registering over SIP on
 * WebSocket (RFC 7118) to the SIP server in bridgeline's config, as the
 * signed-in agent. Answer, hang up, mute, hold and DTMF (sent as SIP
 * INFO). Without a SIP WebSocket in the config, or without the JsSIP
 * bundle, the page says "softphone offline" and everything else works.
 */
(() => {
  'use strict';

  const ns = (window.blDesktop = window.blDesktop || {});
  const buttons = ['answer', 'hangup', 'mute', 'hold'];
  let session;
  let ua;

  function say(text) {
    ns.byId('phone-status').textContent = text;
  }

  function enable(names) {
    for (const name of buttons) {
      ns.byId(name).disabled = !names.includes(name);
    }
  }

  // The buttons and the status follow what JsSIP says the call is, not
  // the clicks.
  function show() {
    const muted = session.isMuted().audio;
    const held = session.isOnHold();
    ns.byId('mute').textContent = muted ? 'Unmute' : 'Mute';
    ns.byId('hold').textContent = held.local ? 'Resume' : 'Hold';
    if (held.local || held.remote) {
      say('on hold');
    } else {
      say(muted ? 'on call, muted' : 'on call');
    }
  }

  function track(incoming) {
    session = incoming;
    say('ringing');
    enable(['answer', 'hangup']);
    session.on('confirmed', () => {
      enable(['hangup', 'mute', 'hold']);
      show();
    });
    session.on('muted', show);
    session.on('unmuted', show);
    // The far end's own hold; the agent's is shown when it is answered.
    for (const change of ['hold', 'unhold']) {
      session.on(change, (event) => {
        if (event.originator === 'remote') {
          show();
        }
      });
    }
    session.on('peerconnection', (event) => {
      event.peerconnection.addEventListener('track', (e) => {
        ns.byId('remote-audio').srcObject = e.streams[0];
      });
    });
    const end = (text) => {
      if (session !== incoming) {
        return;
      }
      session = undefined;
      say(text);
      enable([]);
      ns.byId('mute').textContent = 'Mute';
      ns.byId('hold').textContent = 'Hold';
    };
    session.on('ended', () => end('call ended'));
    session.on('failed', (event) => end(`call failed: ${event.cause}`));
  }

  function keypad() {
    const pad = ns.byId('keypad');
    for (const key of '123456789*0#') {
      const button = ns.el('button', key);
      button.type = 'button';
      button.addEventListener('click', () => {
        if (session && session.isEstablished()) {
          // SIP INFO with application/dtmf-relay, not RFC 4733 events:
          // the digit travels on the signalling the SIP server already
          // holds, whether or not a media path to it is up yet.
          session.sendDTMF(key, { transportType: 'INFO' });
        }
      });
      pad.append(button);
    }
  }

  ns.byId('answer').addEventListener('click', () => {
    if (!session) {
      return;
    }
    // Answered once: a second click before the ACK would throw.
    enable(['hangup']);
    session.answer({ mediaConstraints: { audio: true, video: false } });
  });
  ns.byId('hangup').addEventListener('click', () => {
    session?.terminate();
  });
  ns.byId('mute').addEventListener('click', () => {
    if (!session) {
      return;
    }
    // Local only: the microphone track is disabled, no SIP is sent.
    if (session.isMuted().audio) {
      session.unmute({ audio: true });
    } else {
      session.mute({ audio: true });
    }
  });
  ns.byId('hold').addEventListener('click', () => {
    if (!session) {
      return;
    }
    // A re-INVITE offering a=sendonly, then a=sendrecv (RFC 3264 §8.4).
    // The page says "on hold" once the far end's answer is applied; JsSIP
    // refuses another re-INVITE until then, so the button waits too.
    const current = session;
    const settled = () => {
      if (session === current) {
        ns.byId('hold').disabled = false;
        show();
      }
    };
    const resuming = current.isOnHold().local;
    const asked = resuming
      ? current.unhold({}, settled)
      : current.hold({}, settled);
    if (asked) {
      ns.byId('hold').disabled = true;
      say(resuming ? 'resuming' : 'holding');
    }
  });
  keypad();

  /** Starts the phone for `agent` once the desktop knows who signed in. */
  ns.startPhone = async (agent) => {
    let config;
    try {
      const response = await fetch('/api/desktop/config', {
        credentials: 'same-origin',
      });
      config = await response.json();
    } catch {
      config = {};
    }
    if (!config.sipWsUri || !config.sipDomain || !window.JsSIP) {
      say('softphone offline');
      return;
    }
    // The agent types the SIP password: the server hands out none.
    const login = ns.byId('phone-login');
    login.hidden = false;
    say('softphone ready: enter your SIP password');
    login.addEventListener('submit', (event) => {
      event.preventDefault();
      login.hidden = true;
      register(config, agent, ns.byId('sip-password').value);
      ns.byId('sip-password').value = '';
    });
  };

  function register(config, agent, password) {
    const JsSIP = window.JsSIP;
    // A second try replaces the first agent, which would retry forever.
    if (ua) {
      ua.stop();
    }
    ua = new JsSIP.UA({
      sockets: [new JsSIP.WebSocketInterface(config.sipWsUri)],
      uri: `sip:${config.sipUser || agent.id}@${config.sipDomain}`,
      password,
      display_name: agent.displayName,
      register: true,
    });
    // JsSIP registers again before the binding expires: mid-call, the
    // status keeps saying what the call is.
    ua.on('registered', () => {
      if (!session) {
        say('registered');
      }
    });
    ua.on('unregistered', () => say('softphone offline'));
    ua.on('registrationFailed', () => {
      say('softphone offline: registration failed');
      ns.byId('phone-login').hidden = false;
    });
    ua.on('newRTCSession', (event) => {
      if (event.originator !== 'remote') {
        return;
      }
      // One call at a time: the buttons act on the call being shown.
      if (session) {
        event.session.terminate({ status_code: 486 });
        return;
      }
      track(event.session);
    });
    say('connecting');
    ua.start();
  }
})();
