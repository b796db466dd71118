// @ts-check
// The account menu in the top bar: the accounts kept on this computer, each with the name
// and colour the person gave it, the one on screen marked, and the demo; a click (or
// Ctrl+1…9, by position) switches, "Edit" names and colours one (account_edit.js),
// "Remove" forgets one, "Sign in again" opens one whose sign-in the server refused, and
// "Add account…" opens the sign-in screen without signing anyone out. The sign-in screen
// offers the same accounts, so a refused one never leaves the person stuck there.
import { call } from './ipc.js';
import { h, $, disclosure } from './dom.js';
import { toast } from './feedback.js';
import { t } from './i18n.js';

/**
 * @typedef {{id: string, name: string, colour: string, server: string, who: string,
 *   method: string, email?: string, active: boolean, refused: boolean, signedOut: boolean,
 *   thisRunOnly: boolean}} AccountItem
 */

/** @type {AccountItem[]} */
let accounts = [];
/** What the page does with a view after a switch or a removal; set by `setup`. */
let opened = /** @type {(view: any) => void} */ (() => {});

/** The server as a person reads it: its host, or "ThreatWinds" for production. @param {AccountItem} a */
export function serverName(a) {
  if (!a.server) return t('accounts.production');
  try {
    return new URL(a.server).host || a.server;
  } catch {
    return a.server;
  }
}

/** Whom the server names, and where. @param {AccountItem} a */
export function whoAndWhere(a) {
  return { who: a.who || t('top.unnamed'), server: serverName(a) };
}

/** The account's name: the one the person gave it, else whom the server names. @param {AccountItem} a */
export function shortName(a) {
  return a.method === 'demo' ? t('accounts.demo') : a.name || a.who || t('top.unnamed');
}

/** "Production (ana@… on ThreatWinds)", or "ana@… on ThreatWinds" unnamed. @param {AccountItem} a */
export function fullName(a) {
  if (a.method === 'demo') return t('accounts.demo');
  return a.name ? t('accounts.named', { name: a.name, ...whoAndWhere(a) }) : t('accounts.full', whoAndWhere(a));
}

/** The account on screen, if a saved one is (not the demo). */
export function activeAccount() {
  return accounts.find((x) => x.active && x.method !== 'demo');
}

/**
 * Which account is on screen, as a key that changes with every switch (a saved account's
 * id, the demo, or none): what a run or an answer belongs to.
 */
export function onScreenKey() {
  return accounts.find((x) => x.active)?.id || '';
}

/** "In the account Production (…)": the account on screen, for confirmations; '' for none. */
export function accountInUse() {
  const a = activeAccount();
  return a ? t('accounts.confirm_in', { account: fullName(a) }) : '';
}

/** Closes the menu (set by `setup`). */
let close = /** @type {(refocus: boolean) => void} */ (() => {});

/** The number of the switch asked for last: an answer to an earlier one is not shown. */
let switches = 0;

/**
 * Switches to the account `id`; the page is cleared of the one left by `opened`. The app
 * makes account changes one at a time and only the last switch asked for, so the answer
 * of a switch overtaken by a newer one is left unshown. @param {string} id
 */
export async function switchTo(id) {
  close(false);
  const mine = ++switches;
  $('account').setAttribute('aria-busy', 'true');
  try {
    const view = await call('switch_account', { id });
    if (mine === switches) opened(view);
  } catch (e) {
    if (mine === switches) toast(t('accounts.switch_failed', { error: /** @type {any} */ (e).message || String(e) }));
  } finally {
    if (mine === switches) $('account').removeAttribute('aria-busy');
  }
}

/** The swatch of an account's colour (the demo has none of its own). @param {AccountItem} a */
const swatch = (a) => h('span', { class: 'swatch', 'data-colour': a.colour || 'none', 'aria-hidden': 'true' });

/**
 * One account's line: its switch button (name, where, and a word when its sign-in was
 * refused or is kept for this run only), then what can be done to it.
 * @param {AccountItem} a @param {number} at its place (Ctrl+1…9) @param {boolean} menu in the top bar's menu
 */
function line(a, at, menu) {
  const flag = a.refused ? t('accounts.refused') : a.signedOut ? t('accounts.signed_out') : a.thisRunOnly ? t('accounts.this_run_only') : '';
  const again = a.refused || a.signedOut;
  const where = a.method === 'demo' ? t('accounts.demo_detail')
    : a.name ? t('accounts.full', whoAndWhere(a)) : serverName(a);
  const keys = at < 9 ? { 'aria-keyshortcuts': `Control+${at + 1}` } : {};
  const buttons = [
    h('button', {
      type: 'button', class: 'account-switch', 'aria-current': a.active ? 'true' : undefined,
      'aria-label': [a.active ? t('accounts.in_use', { account: fullName(a) }) : t('accounts.switch_to', { account: fullName(a) }), flag].filter(Boolean).join('. '),
      ...(menu ? keys : {}),
      onclick: () => (a.active ? close(true) : switchTo(a.id)),
    }, [
      h('span', { class: 'account-title' }, [swatch(a), h('span', { text: shortName(a) })]),
      h('small', { text: where }),
      flag ? h('small', { class: again ? 'account-flag bad' : 'account-flag', text: flag }) : null,
    ].filter(Boolean)),
  ];
  if (again && menu) {
    buttons.push(h('button', {
      type: 'button', class: 'account-again', text: t('accounts.sign_in_again'),
      'aria-label': t('accounts.sign_in_again_label', { account: fullName(a) }),
      onclick: () => switchTo(a.id),
    }));
  }
  if (a.method !== 'demo' && menu) {
    buttons.push(h('button', {
      type: 'button', class: 'account-edit', text: t('accounts.edit'),
      'aria-label': t('accounts.edit_label', { account: fullName(a) }),
      onclick: () => {
        close(false);
        import('./account_edit.js').then((edit) => edit.open(a, changed)).catch((e) => toast(String(e)));
      },
    }));
    buttons.push(h('button', {
      type: 'button', class: 'account-remove', text: t('accounts.remove'),
      'aria-label': t('accounts.remove_label', { account: fullName(a) }),
      onclick: async () => {
        close(false);
        // Removing loses the key or the session on this computer: asked first.
        const { confirm } = await import('./dialogs.js');
        const sure = await confirm({
          title: t('accounts.remove_title', { account: fullName(a) }),
          text: t('accounts.remove_text'),
          // About that account, whichever is on screen.
          where: '',
          ok: t('accounts.remove'),
          danger: true,
        });
        if (!sure) return;
        try {
          opened(await call('remove_account', { id: a.id }));
        } catch (e) {
          toast(t('accounts.remove_failed', { error: /** @type {any} */ (e).message || String(e) }));
        }
      },
    }));
  }
  return h('li', { 'data-colour': a.colour || 'none' }, buttons);
}

/** What the page does with a view after an edit; set by `setup`. */
let changed = /** @type {(view: any) => void} */ (() => {});

/** Draws the menu's list, and the sign-in screen's, from the app's view. @param {{accounts?: AccountItem[], demo?: boolean, account?: {signedIn: boolean}}} view */
export function render(view) {
  // The demo is the last line: kept nowhere, always there.
  const demo = { id: 'demo', name: '', colour: '', server: '', who: '', method: 'demo', active: !!view.demo && !!view.account?.signedIn, refused: false, signedOut: false, thisRunOnly: false };
  accounts = [...(view.accounts || []), demo];
  $('account-list').replaceChildren(...accounts.map((a, at) => line(a, at, true)));
  // On the sign-in screen: the saved accounts other than the one asking to sign in.
  const others = accounts.filter((a) => !a.active && a.method !== 'demo');
  $('signin-saved').hidden = others.length === 0;
  $('signin-saved-list').replaceChildren(...others.map((a, at) => line(a, at, false)));
  // The account on screen's colour, along the top bar.
  $('desk').dataset.accountColour = activeAccount()?.colour || 'none';
}

/**
 * @param {(view: any) => void} onOpened what to do with the view after a switch or removal
 * @param {() => void} onAdd opens the sign-in screen to add an account
 * @param {(view: any) => void} onChanged what to do with the view after an account was renamed
 */
export function setup(onOpened, onAdd, onChanged) {
  opened = onOpened;
  changed = onChanged;
  close = disclosure($('account'), $('account-menu'));
  $('account-add').addEventListener('click', () => { close(false); onAdd(); });
  // Names shared with colleagues: its code loaded the first time it is opened.
  $('share-open').addEventListener('click', () => {
    close(false);
    import('./sharing.js').then((m) => m.open()).catch((e) => toast(t('share.open_failed', { error: e && e.message ? e.message : String(e) })));
  });
  // Ctrl+1…9: the account at that place in the menu.
  document.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
    if (!e.ctrlKey || e.altKey || e.metaKey || !/^[1-9]$/.test(e.key) || $('desk').hidden) return;
    const a = accounts[Number(e.key) - 1];
    if (!a) return;
    e.preventDefault();
    if (!a.active) switchTo(a.id);
  });
}
