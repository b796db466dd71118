// @ts-check
// The account menu in the top bar: the accounts kept on this computer, the one on screen
// marked; a click (or Ctrl+1…9, by position) switches, "Remove" forgets one, and "Add
// account…" opens the sign-in screen without signing anyone out.
import { call } from './ipc.js';
import { h, $, disclosure } from './dom.js';
import { toast } from './feedback.js';
import { t } from './i18n.js';

/** @typedef {{id: string, server: string, who: string, method: string, active: boolean}} AccountItem */

/** @type {AccountItem[]} */
let accounts = [];
/** What the page does with a view after a switch or a removal; set by `setup`. */
let opened = /** @type {(view: any) => void} */ (() => {});

/** The server as a person reads it: its host, or "ThreatWinds" for production. @param {AccountItem} a */
function serverName(a) {
  if (!a.server) return t('accounts.production');
  try {
    return new URL(a.server).host || a.server;
  } catch {
    return a.server;
  }
}

/** @param {AccountItem} a */
function words(a) {
  return { who: a.who || t('top.unnamed'), server: serverName(a) };
}

/** "In demo@… on example.com": the account on screen, for confirmations; '' for none. */
export function accountInUse() {
  const a = accounts.find((x) => x.active);
  return a ? t('accounts.confirm_in', words(a)) : '';
}

/** Closes the menu (set by `setup`). */
let close = /** @type {(refocus: boolean) => void} */ (() => {});

/** Switches to the account `id`; the page is cleared of the one left by `opened`. @param {string} id */
export async function switchTo(id) {
  close(false);
  try {
    opened(await call('switch_account', { id }));
  } catch (e) {
    toast(t('accounts.switch_failed', { error: /** @type {any} */ (e).message || String(e) }));
  }
}

/** Draws the menu's list from the app's view. @param {{accounts?: AccountItem[]}} view */
export function render(view) {
  accounts = view.accounts || [];
  $('account-list').replaceChildren(...accounts.map((a) => {
    const w = words(a);
    return h('li', {}, [
      h('button', {
        type: 'button', class: 'account-switch', 'aria-current': a.active ? 'true' : undefined,
        'aria-label': a.active ? t('accounts.in_use', w) : t('accounts.switch_to', w),
        onclick: () => (a.active ? close(true) : switchTo(a.id)),
      }, [h('span', { text: w.who }), h('small', { text: w.server })]),
      h('button', {
        type: 'button', class: 'account-remove', text: t('accounts.remove'),
        'aria-label': t('accounts.remove_label', w),
        onclick: async () => {
          close(false);
          opened(await call('remove_account', { id: a.id }));
        },
      }),
    ]);
  }));
}

/**
 * @param {(view: any) => void} onOpened what to do with the view after a switch or removal
 * @param {() => void} onAdd opens the sign-in screen to add an account
 */
export function setup(onOpened, onAdd) {
  opened = onOpened;
  close = disclosure($('account'), $('account-menu'));
  $('account-add').addEventListener('click', () => { close(false); onAdd(); });
  // Ctrl+1…9: the account at that place in the menu.
  document.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
    if (!e.ctrlKey || e.altKey || e.metaKey || !/^[1-9]$/.test(e.key) || $('desk').hidden) return;
    const a = accounts[Number(e.key) - 1];
    if (!a) return;
    e.preventDefault();
    if (!a.active) switchTo(a.id);
  });
}
