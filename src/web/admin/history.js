/**
 * A flow's history: its versions with who published them, when and why,
 * which one is live, and the line diff between any two of them or
 * between a version and the draft (GET /api/admin/flows/:id/diff).
 */
(() => {
  'use strict';

  const { describeError, flowPath, request } = window.bridgelineAdmin.api;
  const { byId, el, localTime, setText } = window.bridgelineAdmin.dom;

  let shownFlowId = '';

  function option(value, label, selected) {
    const item = el('option', { value }, label);
    item.selected = selected;
    return item;
  }

  /** Draws the history from a GET /api/admin/flows/:id answer (or none). */
  function showHistory(details) {
    const versions = details?.versions ?? [];
    const live = details?.aliases?.live;
    shownFlowId = details?.id ?? '';
    setText(
      'live-version',
      live === undefined ? 'Not live' : `Live: version ${live}`,
    );

    byId('versions-body').replaceChildren(
      ...[...versions]
        .reverse()
        .map((version) =>
          el(
            'tr',
            { data: { version: String(version.version) } },
            el(
              'td',
              {},
              `v${version.version}`,
              version.version === live
                ? el('span', { className: 'badge' }, 'live')
                : undefined,
            ),
            el('td', {}, version.note || '—'),
            el('td', {}, version.author),
            el('td', {}, localTime(version.createdAt)),
          ),
        ),
    );

    // By default: the latest version against the one before it.
    const latest = versions.at(-1)?.version;
    const from = byId('diff-from');
    const to = byId('diff-to');
    from.replaceChildren(
      ...versions.map((v) =>
        option(String(v.version), `v${v.version}`, v.version === latest - 1),
      ),
    );
    to.replaceChildren(
      ...versions.map((v) =>
        option(String(v.version), `v${v.version}`, v.version === latest),
      ),
      option('draft', 'the draft', false),
    );
    byId('diff-form').hidden = versions.length === 0;
    byId('diff').replaceChildren();
  }

  function hunkView(hunk) {
    const head = `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`;
    const lines = hunk.lines.map((line) => {
      const kind = line[0] === '+' ? 'add' : line[0] === '-' ? 'del' : 'ctx';
      return el('div', { className: `line ${kind}` }, line);
    });
    return el(
      'div',
      { className: 'hunk' },
      el('div', { className: 'hunk-head' }, head),
      ...lines,
    );
  }

  async function showDiff() {
    const from = byId('diff-from').value;
    const to = byId('diff-to').value;
    const query = new URLSearchParams({ from, to });
    const reply = await request(
      'GET',
      `${flowPath(shownFlowId, 'diff')}?${query.toString()}`,
    );
    const diff = byId('diff');
    if (!reply.ok) {
      diff.replaceChildren(
        el('p', { className: 'notice error' }, describeError(reply)),
      );
      return;
    }
    const label = (v) => (v === 'draft' ? 'the draft' : `v${v}`);
    diff.replaceChildren(
      reply.body.hunks.length === 0
        ? el(
            'p',
            { className: 'hunk-head' },
            `${label(from)} and ${label(to)} are the same.`,
          )
        : el(
            'div',
            { className: 'hunk-head' },
            `${label(from)} → ${label(to)}`,
          ),
      ...reply.body.hunks.map(hunkView),
    );
  }

  function setUpHistory() {
    byId('diff-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void showDiff();
    });
  }

  window.bridgelineAdmin.history = { showHistory, setUpHistory };
})();
