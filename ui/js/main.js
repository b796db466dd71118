// @ts-check
// Starts the page: waits for the silent sign-in, then shows sign-in or the machines, and
// follows the Rust side's news (one standing request, answered when something changes).
// The page never polls ThreatWinds; the Rust watcher reads.
import { call, followNews } from './ipc.js';
import { $, h, disclosure, afterPaint } from './dom.js';
import { fromNow, parseTime } from './format.js';
import { toast, failureText } from './feedback.js';
import { t, tx, setLanguage, translatePage, language } from './i18n.js';
import * as signin from './signin.js';
import * as machines from './machines.js';
import * as accounts from './accounts.js';
import * as schedules from './schedules.js';
import { showShortcuts } from './keys.js';
import { closeAll } from './dialogs.js';
import { openHistory, historyChanged, queueRender } from './screen.js';
import { firstScreenAsk } from './table.js';

/** @type {any} */
let view = null;

/**
 * When the signed-in API key stops working (Unix ms), or null. A session's end is not
 * shown: the app extends it. Said from now ("in 6 months"), not as a local date: formatting
 * local time loads ICU's time-zone data into the web process (1.5 MiB, measured) for a
 * line read at a glance.
 * @type {number|null}
 */
let keyExpiresAt = null;

function renderKeyExpiry() {
  const el = $('key-expiry');
  el.hidden = keyExpiresAt === null;
  el.textContent = keyExpiresAt === null ? '' : t('top.key_expires', { when: fromNow(keyExpiresAt - Date.now()) });
  // The whole account line on hover, for a window too narrow to show it.
  const account = $('account');
  account.dataset.tip = [accountLine, el.textContent].filter(Boolean).join(', ');
}

/** The account on screen, whole ("Production (ana@… on ThreatWinds)"), for its tooltip. */
let accountLine = '';

/** Whether the sign-in screen is open to add an account (the one on screen stays). */
let adding = false;

/** @param {any} v */
function show(v) {
  view = v;
  $('boot').hidden = true;
  accounts.render(v);
  const signedIn = v.account.signedIn && !adding;
  $('signin-back').hidden = !adding;
  $('signin').hidden = signedIn;
  $('desk').hidden = !signedIn;
  if (!signedIn) {
    // Nothing of the machines screen may stay over the sign-in screen: a confirmation or
    // the Create dialog open when the sign-in was lost closes (as cancelled).
    closeAll();
    signin.show(v);
    // Coming back after the session ended keeps the machines screen as it was.
    // (Not while an account is being added: the one on screen stays as it was.)
    if (!v.signInReason && !adding) machines.reset();
    const first = v.codeSentTo ? $('code') : $('email');
    if (document.activeElement === document.body || !document.activeElement) first.focus();
    return;
  }
  $('demo-badge').hidden = !v.demo;
  // Names come from the server; until it has said (a saved sign-in being checked), or
  // when it has none to give, the words are the page's own.
  const user = v.account.user || (v.account.checking ? t('top.checking') : t('top.unnamed'));
  const who = v.account.method === 'api_key' && v.account.keyName && v.account.user ? t('top.account_key', { user, key: v.account.keyName }) : (v.account.user || v.account.keyName || user);
  // The name the person gave the account, in its colour, always in view.
  const saved = accounts.activeAccount();
  $('account-name-shown').textContent = v.demo ? t('top.demo_account') : saved && saved.name ? saved.name : who;
  accountLine = v.demo ? t('top.demo_account') : saved && saved.name ? accounts.fullName(saved) : who;
  keyExpiresAt = !v.demo && v.account.method === 'api_key' ? parseTime(v.account.expiresAt) : null;
  renderKeyExpiry();
  machines.setSort(v.sort);
  machines.setBanners([v.keyringProblem, v.settingsWarning, v.historyWarning].filter(Boolean));
  // At the next frame, before it is painted, as every change of the list is: a list that
  // comes with this view (the launch's first) is laid out once, with it, not once without.
  queueRender();
}

/** The saved account on screen in `v`, if any. @param {any} v */
const activeAccount = (v) => (v && v.accounts || []).find((/** @type {any} */ a) => a.active)?.id;

async function signedIn(/** @type {any} */ v) {
  adding = false;
  // Another account (one added): nothing of the last one stays. The same one signed in
  // again returns to where the person was.
  if (activeAccount(v) !== activeAccount(view)) machines.reset();
  show(v);
  // Said once, after the sign-in it is about ("kept here already").
  if (v.notice) toast(tx(v.notice));
  schedules.refresh();
  machines.update(await call('machines'));
  $('search').focus();
}

/**
 * Light or dark, as the desktop asks. On Linux the app has marked the page before it ran and
 * sends `theme` when the desktop changes (WebKitGTK, drawn without GL, does not follow it
 * itself: src-tauri/rendering.rs); elsewhere the web view's own media query is the answer.
 * @param {boolean} dark
 */
function setTheme(dark) {
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

function followSystemTheme() {
  if (document.documentElement.dataset.theme) return;
  const query = matchMedia('(prefers-color-scheme: dark)');
  setTheme(query.matches);
  query.addEventListener('change', () => setTheme(query.matches));
}

/** The top bar's Help: a small list of two, Keyboard shortcuts and About. */
function setupHelp() {
  const list = $('help-menu');
  const close = disclosure($('help-open'), list);
  list.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const items = /** @type {HTMLElement[]} */ ([...list.querySelectorAll('button')]);
      const at = items.indexOf(/** @type {HTMLElement} */ (document.activeElement));
      items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length].focus();
    }
  });
  $('shortcuts-open').addEventListener('click', () => { close(false); showShortcuts(); });
  // "Start at login": its state read when the menu opens, changed by a press.
  const login = $('login-toggle');
  $('help-open').addEventListener('click', () => {
    call('start_at_login').then((s) => login.setAttribute('aria-pressed', String(s.on))).catch(() => {});
    // Paused from the tray meanwhile, perhaps.
    schedules.refresh();
  });
  schedules.setupSwitches();
  login.addEventListener('click', async () => {
    const on = login.getAttribute('aria-pressed') !== 'true';
    try {
      const s = await call('set_start_at_login', { on });
      login.setAttribute('aria-pressed', String(s.on));
      toast(t(s.on ? 'login.on' : 'login.off'));
    } catch (failure) {
      toast(failureText(/** @type {any} */ (failure)));
    }
  });
  // About, from Help or the sign-in screen; its code is loaded on first use.
  for (const id of ['about-open', 'signin-about']) {
    $(id).addEventListener('click', () => {
      close(false);
      import('./about.js').then((about) => about.open()).catch((e) => {
        toast(t('about.open_failed', { error: e && e.message ? e.message : String(e) }));
      });
    });
  }
}

/**
 * "What's new in Compute Desk 0.2.0", from the changelog built into the app, in the
 * person's language.
 * @param {{version: string, items: string[]}} news
 */
function showWhatsNew(news) {
  const dialog = /** @type {HTMLDialogElement} */ ($('whats-new'));
  $('whats-new-title').textContent = t('whats_new.title', { version: news.version });
  $('whats-new-items').replaceChildren(...news.items.map((text) => h('li', { text })));
  dialog.showModal();
  $('whats-new-close').focus();
}

/**
 * The window was closed for the first time: stay in the tray (schedules go on) or quit,
 * kept for every later close. Esc keeps the window open, deciding nothing.
 */
function askClose() {
  const dialog = /** @type {HTMLDialogElement} */ ($('close-choice'));
  if (dialog.open) return;
  const choose = (/** @type {boolean} */ tray) => {
    dialog.close();
    call('close_choice', { tray }).catch((e) => toast(t('close.failed', { error: e && e.message ? e.message : String(e) })));
  };
  $('close-tray').onclick = () => choose(true);
  $('close-quit').onclick = () => choose(false);
  dialog.showModal();
  $('close-tray').focus();
}

/** The two language menus (sign-in and top bar): a change takes effect at once. */
function setupLanguage() {
  const menus = /** @type {HTMLSelectElement[]} */ ([$('language'), $('signin-language')]);
  for (const menu of menus) {
    menu.value = language();
    menu.addEventListener('change', async () => {
      const switched = await call('set_language', { lang: menu.value });
      setLanguage(switched.lang, switched.catalog);
      for (const m of menus) m.value = switched.lang;
      translatePage();
      show(switched.view);
      menu.focus();
    });
  }
}

async function start() {
  followSystemTheme();
  translatePage();
  setupLanguage();
  signin.setup(signedIn);
  machines.setup();
  $('sign-out').addEventListener('click', async () => {
    const button = /** @type {HTMLButtonElement} */ ($('sign-out'));
    button.disabled = true;
    button.textContent = t('top.signing_out');
    try {
      const v = await call('sign_out');
      machines.reset();
      schedules.reset();
      show(v);
      if (v.account.signedIn) schedules.refresh();
    } finally {
      button.disabled = false;
      button.textContent = t('top.sign_out');
    }
  });
  setupHelp();
  accounts.setup(async (v) => {
    // Nothing the page holds for the account left survives: dialogs, selection, marks.
    closeAll();
    machines.reset();
    schedules.reset();
    show(v);
    if (v.account.signedIn) {
      schedules.refresh();
      machines.update(await call('machines'));
    }
  }, () => {
    adding = true;
    show(view);
    $('email').focus();
  }, (v) => show(v));
  $('signin-cancel-add').addEventListener('click', async () => {
    // The list went on following the news meanwhile: nothing to ask for.
    adding = false;
    await signin.leave(view);
    show(view);
    $('account').focus();
  });
  $('history-open').addEventListener('click', () => openHistory());
  setInterval(renderKeyExpiry, 60_000);
  // The next scheduled changes move on as time passes (and the app may have done one).
  setInterval(() => { if (view && view.account.signedIn) schedules.refresh(); }, 60_000);
  document.addEventListener('visibilitychange', () => {
    call('set_visible', { visible: document.visibilityState === 'visible' }).catch(() => {});
  });
  // Start answers with the news's number as it stood when it was asked (news from before
  // it is superseded by its answer) and, when the list is there already, the first news
  // with it. The news brings the list (a call for it too would bring a long one twice), a
  // long one's first screen ahead of the rest.
  const first = firstScreenAsk();
  const { view: v, news } = await call('start', { first });
  show(v);
  // After the first list is drawn: not on the launch's way.
  if (v.account.signedIn) afterPaint().then(() => afterPaint()).then(schedules.refresh);
  // The first start after an update: what is new in it, once.
  if (v.whatsNew) showWhatsNew(v.whatsNew);
  followNews(news, first, {
    machines: (list, held) => {
      const taken = machines.fromNews(list, held);
      historyChanged();
      return taken;
    },
    account: (v) => {
      show(v);
      // A scheduled change done (or the account confirmed): its next changes move on.
      if (v.account.signedIn) schedules.refresh();
    },
    theme: (dark) => setTheme(dark),
    askClose: () => askClose(),
  });
}

start().catch((e) => {
  $('boot').textContent = t('boot.failed', { error: e && e.message ? e.message : String(e) });
});
