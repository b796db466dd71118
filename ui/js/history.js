// @ts-check
// The History panel: what the app did for the signed-in account, newest first, with who,
// when and how it ended (the server's words and the support code, each copyable);
// filtered by machine and by outcome. Loaded the first time it is opened; while open, it
// asks the Rust side again whenever the machines change (an answer only if it changed).
import { call, copyText } from './ipc.js';
import { h, $ } from './dom.js';
import { ago, dateTime, plural, naturalCompare } from './format.js';
import { toast } from './feedback.js';

/**
 * @typedef {{id: number, at: number, what: string, machineId: string|null, machine: string|null, who: string,
 *   outcome: string, settledAt: number|null, message: string|null, serverMessage: string|null, errorId: string|null}} Entry
 * @typedef {{version: number, entries: Entry[], server: string, warning: string|null}} HistoryView
 */

/** @type {HistoryView|null} */
let view = null;

/** The machine the panel was opened for, listed even before anything was done to it. */
/** @type {{id: string, name: string}|null} */
let wanted = null;

/** What each thing done is called. */
const WHAT = /** @type {Record<string, string>} */ ({
  start: 'Start', stop: 'Shut down', restart: 'Restart', reset: 'Force reset', delete: 'Delete',
  create: 'Create', sign_in: 'Signed in', sign_out: 'Signed out',
});

/** How it ended, with a sign that is not colour alone. */
const OUTCOME = /** @type {Record<string, [string, string]>} */ ({
  done: ['✓', 'Done'], failed: ['✗', 'Failed'], skipped: ['–', 'Skipped'],
  waiting: ['◔', 'Waiting for ThreatWinds'], unknown: ['?', 'Not known'],
});

/** @param {Entry} e */
function title(e) {
  const what = WHAT[e.what] || e.what;
  if (e.what === 'create') return e.machine ? `Create ${e.machine}` : 'Create a machine';
  return e.machine ? `${what} ${e.machine}` : what;
}

/**
 * Everything the helpdesk needs about one entry, in one paste.
 * @param {Entry} e @param {string} server
 */
export function entryText(e, server) {
  const [, outcome] = OUTCOME[e.outcome] || ['', e.outcome];
  return [
    `Compute Desk: ${title(e)}`,
    `When: ${dateTime(e.at)} (${new Date(e.at).toISOString()})`,
    `Outcome: ${outcome}${e.message ? `: ${e.message}` : ''}`,
    e.machineId ? `Machine: ${e.machine || ''} (${e.machineId})` : null,
    `Signed in as: ${e.who}`,
    `Server: ${server}`,
    e.errorId ? `Support code: ${e.errorId}` : null,
    e.serverMessage ? `ThreatWinds said: “${e.serverMessage}”` : null,
  ].filter(Boolean).join('\n');
}

/** @param {Entry} e @param {string} server */
function entryElement(e, server) {
  const [sign, outcome] = OUTCOME[e.outcome] || ['?', e.outcome];
  const support = [];
  if (e.errorId) support.push(h('span', { text: 'Support code:' }), h('code', { text: e.errorId }));
  if (e.serverMessage) support.push(h('span', { text: `ThreatWinds said: “${e.serverMessage}”` }));
  return h('li', { class: `entry ${e.outcome}`, 'data-id': String(e.id) }, [
    h('div', { class: 'what' }, [h('span', { class: `outcome ${e.outcome}` }, [h('span', { 'aria-hidden': 'true', text: sign }), outcome]), title(e)]),
    h('p', { class: 'when muted', text: `${dateTime(e.at)} · ${ago(Date.now() - e.at)} · ${e.who}` }),
    e.message ? h('p', { class: 'message', text: e.message }) : null,
    support.length ? h('div', { class: 'support' }, support) : null,
    h('button', {
      type: 'button', class: 'copy-entry', text: 'Copy',
      'aria-label': `Copy ${title(e)}, ${dateTime(e.at)}`,
      onclick: async () => {
        try {
          await copyText(entryText(e, server));
          toast('Copied. Paste it into your message to the helpdesk.');
        } catch {
          toast('Could not copy.');
        }
      },
    }),
  ]);
}

function render() {
  if (!view) return;
  const machineSelect = /** @type {HTMLSelectElement} */ ($('history-machine'));
  const outcome = /** @type {HTMLSelectElement} */ ($('history-outcome')).value;
  // The machines that appear in the history, by name, each once.
  const names = new Map();
  for (const e of view.entries) if (e.machineId && !names.has(e.machineId)) names.set(e.machineId, e.machine || e.machineId);
  if (wanted && !names.has(wanted.id)) names.set(wanted.id, wanted.name);
  const chosen = machineSelect.value;
  machineSelect.replaceChildren(
    h('option', { value: '', text: 'All machines' }),
    ...[...names].sort((a, b) => naturalCompare(a[1].toLowerCase(), b[1].toLowerCase())).map(([id, name]) => h('option', { value: id, text: name })),
  );
  machineSelect.value = names.has(chosen) ? chosen : '';
  const machine = machineSelect.value;
  const shown = view.entries.filter((e) => (!machine || e.machineId === machine) && (!outcome || e.outcome === outcome));
  const server = view.server;
  $('history-list').replaceChildren(...shown.map((e) => entryElement(e, server)));
  $('history-count').textContent = shown.length === view.entries.length
    ? plural(shown.length, 'entry', 'entries')
    : `${shown.length} of ${plural(view.entries.length, 'entry', 'entries')}`;
  const empty = $('history-empty');
  empty.hidden = shown.length > 0;
  empty.textContent = machine && !outcome && wanted && machine === wanted.id
    ? `Nothing done to ${wanted.name} from this computer yet.`
    : view.entries.length ? 'Nothing matches these filters.' : 'Nothing done yet. What you do to your machines will be listed here.';
  $('history-list').hidden = shown.length === 0;
  const warning = $('history-warning');
  warning.hidden = !view.warning;
  warning.textContent = view.warning || '';
  $('history-who').textContent = view.entries.length ? `Kept on this computer for ${view.entries[0].who} on ${server}, the last 2,000.` : '';
}

async function refresh() {
  const next = await call('history', { known: view ? view.version : null });
  if (next) {
    view = next;
    render();
  }
}

let setUp = false;

/**
 * Opens the panel, on one machine's entries when `machineId` is given.
 * @param {{machineId?: string, machine?: string}} [o]
 */
export async function open(o = {}) {
  wanted = o.machineId ? { id: o.machineId, name: o.machine || o.machineId } : null;
  if (!setUp) {
    setUp = true;
    $('history-machine').addEventListener('change', render);
    $('history-outcome').addEventListener('change', render);
  }
  view = null;
  await refresh();
  if (!view) view = { version: -1, entries: [], server: '', warning: null };
  /** @type {HTMLSelectElement} */ ($('history-outcome')).value = '';
  const machineSelect = /** @type {HTMLSelectElement} */ ($('history-machine'));
  render();
  machineSelect.value = o.machineId || '';
  render();
  const dialog = /** @type {HTMLDialogElement} */ ($('history'));
  if (!dialog.open) dialog.showModal();
  (o.machineId ? $('history-close') : machineSelect).focus();
}

/** The machines changed: an open panel asks whether its entries did too. */
export function changed() {
  if (/** @type {HTMLDialogElement} */ ($('history')).open) refresh().catch(() => {});
}
