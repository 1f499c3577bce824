/**
 * The admin pages' entry: sign in, then one section per location hash:
 * #/flows, #/flows/<id> (the editor), #/numbers.
 */
(() => {
  'use strict';

  const { whenUnauthorized } = window.bridgelineAdmin.api;
  const { askToSignIn, signOut, whoIsSignedIn } = window.bridgelineAdmin.auth;
  const { byId, setText, showOnly } = window.bridgelineAdmin.dom;
  const { editing, isDirty, openFlow, setUpEditor } =
    window.bridgelineAdmin.editor;
  const { setUpFlows, showFlows } = window.bridgelineAdmin.flows;
  const { setUpHistory } = window.bridgelineAdmin.history;
  const { setUpNumbers, showNumbers } = window.bridgelineAdmin.numbers;
  const { setUpPublishing } = window.bridgelineAdmin.publish;
  const { setUpSimulator } = window.bridgelineAdmin.simulator;

  const sections = ['sign-in', 'flows-view', 'editor-view', 'numbers-view'];

  const editorOpen = () => !byId('editor-view').hidden;

  function route() {
    const hash = window.location.hash || '#/flows';
    // Leaving the editor with unsaved text asks first; staying puts the
    // address back without reloading the text.
    const editorHash = `#/flows/${encodeURIComponent(editing.flowId)}`;
    if (editorOpen() && hash !== editorHash && isDirty()) {
      if (!window.confirm('Leave this flow without saving your changes?')) {
        window.history.replaceState(null, '', editorHash);
        return;
      }
    }
    const flow = /^#\/flows\/(.+)$/.exec(hash);
    const section = hash.startsWith('#/numbers') ? 'numbers' : 'flows';
    for (const link of byId('nav').querySelectorAll('a')) {
      link.classList.toggle('current', link.dataset.section === section);
    }
    if (flow) {
      showOnly('editor-view', sections);
      void openFlow(decodeURIComponent(flow[1]));
    } else if (section === 'numbers') {
      showOnly('numbers-view', sections);
      void showNumbers();
    } else {
      showOnly('flows-view', sections);
      void showFlows();
    }
  }

  function signedIn(who) {
    if (who.role !== 'admin') {
      // The API would refuse every call (403); say why once, here.
      needSignIn();
      setText(
        'sign-in-status',
        `${who.label} is signed in, but only an admin may edit flows.`,
      );
      return;
    }
    setText('who', who.label);
    byId('nav').hidden = false;
    byId('sign-out').hidden = false;
    window.addEventListener('hashchange', route);
    route();
  }

  function warnBeforeUnload(event) {
    if (editorOpen() && isDirty()) {
      event.preventDefault();
    }
  }

  function needSignIn() {
    window.removeEventListener('hashchange', route);
    byId('nav').hidden = true;
    byId('sign-out').hidden = true;
    setText('who', '');
    showOnly('sign-in', sections);
    askToSignIn(signedIn);
  }

  async function start() {
    window.addEventListener('beforeunload', warnBeforeUnload);
    setUpEditor();
    setUpSimulator();
    setUpPublishing();
    setUpHistory();
    setUpFlows();
    setUpNumbers();
    whenUnauthorized(needSignIn);
    byId('sign-out').addEventListener('click', async () => {
      await signOut();
      needSignIn();
    });

    const who = await whoIsSignedIn();
    if (who === null) {
      needSignIn();
    } else {
      signedIn(who);
    }
  }

  void start();
})();
