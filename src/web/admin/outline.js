/**
 * The outline beside the editor: the flow's nodes in the order they are
 * written, each with the problems whose JSON pointer (RFC 6901) lies
 * under it, e.g. /nodes/main-menu/choices/0/next. Problems elsewhere
 * (/start, a YAML syntax error at "") are listed for the whole flow.
 */
(() => {
  'use strict';

  const { byId, el } = window.bridgelineAdmin.dom;

  /**
   * The node ids (and types) of a flow's text, read without a YAML parser:
   * the keys one level under a top-level `nodes:`. Good enough to place
   * problems while the text is broken; when it is valid the server's parsed
   * flow gives the types.
   */
  function scanNodes(source) {
    const trimmed = source.trimStart();
    if (trimmed.startsWith('{')) {
      try {
        const parsed = JSON.parse(trimmed);
        return Object.entries(parsed.nodes ?? {}).map(([id, node]) => ({
          id,
          type: typeof node?.type === 'string' ? node.type : '',
        }));
      } catch {
        return [];
      }
    }
    const nodes = [];
    let inNodes = false;
    let indent = null;
    for (const line of source.split('\n')) {
      if (/^\S/.test(line) && !line.startsWith('#')) {
        inNodes = /^nodes:\s*(#.*)?$/.test(line);
        indent = null;
        continue;
      }
      const key = /^( +)(['"]?)([^\s'"#:][^'":]*)\2:\s*(#.*)?$/.exec(line);
      if (inNodes && key) {
        indent ??= key[1].length;
        if (key[1].length === indent) {
          nodes.push({ id: key[3], type: '' });
          continue;
        }
      }
      const type = /^( +)type:\s*['"]?([\w-]+)/.exec(line);
      const current = nodes.at(-1);
      if (inNodes && type && current && type[1].length > indent) {
        current.type ||= type[2];
      }
    }
    return nodes;
  }

  /** The node a pointer lies under, or null for the flow as a whole. */
  function nodeOfPointer(pointer) {
    const parts = pointer.split('/').slice(1);
    if (parts[0] !== 'nodes' || parts[1] === undefined) {
      return null;
    }
    return parts[1].replaceAll('~1', '/').replaceAll('~0', '~');
  }

  /** Where a node's key is written, to put the cursor on it. */
  function nodeOffset(source, nodeId) {
    const escaped = nodeId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const match = new RegExp(`^ +['"]?${escaped}['"]?:`, 'm').exec(source);
    return match ? match.index + match[0].indexOf(nodeId) : -1;
  }

  function problemItem(problem) {
    return el(
      'li',
      { className: 'problem' },
      el('span', { className: 'problem-message' }, problem.message),
      el('code', { className: 'problem-pointer' }, problem.field || '(text)'),
    );
  }

  /**
   * Draws the outline: `nodes` as scanned or parsed, `problems` as the API
   * gives them ({field, message}); `onPick(nodeId)` when one is clicked.
   */
  function renderOutline(nodes, problems, onPick) {
    const byNode = new Map();
    const flowWide = [];
    for (const problem of problems) {
      const nodeId = nodeOfPointer(problem.field ?? '');
      if (nodeId === null) {
        flowWide.push(problem);
      } else {
        byNode.set(nodeId, [...(byNode.get(nodeId) ?? []), problem]);
      }
    }
    // A problem under a node the scan missed still gets a place.
    const listed = [...nodes];
    for (const nodeId of byNode.keys()) {
      if (!listed.some((node) => node.id === nodeId)) {
        listed.push({ id: nodeId, type: '' });
      }
    }

    byId('flow-problems').replaceChildren(...flowWide.map(problemItem));
    byId('outline').replaceChildren(
      ...listed.map((node) => {
        const own = byNode.get(node.id) ?? [];
        const item = el(
          'li',
          {
            className: own.length > 0 ? 'node has-problems' : 'node',
            data: { node: node.id },
          },
          el('span', { className: 'node-id' }, node.id),
          el('span', { className: 'node-type' }, node.type),
          own.length > 0
            ? el('ul', { className: 'problems' }, ...own.map(problemItem))
            : undefined,
        );
        item.addEventListener('click', () => onPick(node.id));
        return item;
      }),
    );

    const count = byId('problem-count');
    count.textContent =
      problems.length === 0
        ? 'No problems'
        : `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    count.className = problems.length === 0 ? 'count good' : 'count bad';
  }

  window.bridgelineAdmin.outline = {
    scanNodes,
    nodeOfPointer,
    nodeOffset,
    renderOutline,
  };
})();
