// @ts-check
// The sign-in screen: email and code, API key, demo, and the server address.
import { call } from './ipc.js';
import { $ } from './dom.js';
import { showFailure } from './feedback.js';
import { t, tx } from './i18n.js';
import { fullName } from './accounts.js';

/** @typedef {import('./ipc.js').Failure} Failure */

/** @type {(view: any) => void} */
let onSignedIn = () => {};

/** @param {boolean} busy @param {HTMLButtonElement} button @param {string} busyText */
function setBusy(busy, button, busyText) {
  if (busy) {
    button.dataset.label = button.textContent || '';
    button.textContent = busyText;
  } else if (button.dataset.label) {
    button.textContent = button.dataset.label;
  }
  button.disabled = busy;
  button.setAttribute('aria-busy', String(busy));
}

/**
 * Runs a sign-in step with the button showing progress; failures show under the form and
 * leave every field as typed.
 * @param {HTMLButtonElement} button @param {string} busyText @param {() => Promise<any>} work
 */
async function attempt(button, busyText, work) {
  showFailure($('signin-error'), null);
  setBusy(true, button, busyText);
  try {
    return await work();
  } catch (e) {
    showFailure($('signin-error'), /** @type {Failure} */ (e));
    return null;
  } finally {
    setBusy(false, button, busyText);
  }
}

/** @param {'email'|'key'} which */
function selectTab(which) {
  for (const [name, tab, panel] of [['email', 'tab-email', 'panel-email'], ['key', 'tab-key', 'panel-key']]) {
    const on = name === which;
    $(tab).setAttribute('aria-selected', String(on));
    $(tab).tabIndex = on ? 0 : -1;
    $(panel).hidden = !on;
  }
  showFailure($('signin-error'), null);
}

const server = () => /** @type {HTMLInputElement} */ ($('server')).value.trim();

/** @param {(view: any) => void} signedIn */
export function setup(signedIn) {
  onSignedIn = signedIn;
  $('tab-email').addEventListener('click', () => selectTab('email'));
  $('tab-key').addEventListener('click', () => selectTab('key'));
  for (const id of ['tab-email', 'tab-key']) {
    $(id).addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        const next = id === 'tab-email' ? 'key' : 'email';
        selectTab(next);
        $(`tab-${next}`).focus();
      }
    });
  }

  $('email-form').addEventListener('submit', async (/** @type {Event} */ e) => {
    e.preventDefault();
    const email = $('email').value;
    const view = await attempt($('email-send'), t('signin.sending'), () => call('email_start', { server: server(), email }));
    if (view) showCodeStep(view.codeSentTo);
  });
  $('code-form').addEventListener('submit', async (/** @type {Event} */ e) => {
    e.preventDefault();
    const code = $('code').value;
    const view = await attempt($('code-verify'), t('signin.checking'), () => call('email_verify', { code }));
    if (view) {
      $('code').value = '';
      onSignedIn(view);
    }
  });
  $('code-back').addEventListener('click', async () => {
    await call('email_cancel');
    showEmailStep();
    $('email').focus();
  });
  $('key-form').addEventListener('submit', async (/** @type {Event} */ e) => {
    e.preventDefault();
    const key = $('api-key').value;
    const secret = $('api-secret').value;
    const view = await attempt($('key-submit'), t('signin.checking_key'), () => call('sign_in_with_key', { server: server(), key, secret }));
    if (view) {
      // Signed in: the secret now lives in the keyring, not in this page.
      $('api-key').value = '';
      $('api-secret').value = '';
      onSignedIn(view);
    }
  });
  $('demo-start').addEventListener('click', async () => {
    const view = await attempt($('demo-start'), t('signin.starting_demo'), () => call('start_demo'));
    if (view) onSignedIn(view);
  });
}

function showEmailStep() {
  $('code-form').hidden = true;
  $('email-form').hidden = false;
}

/** @param {string} email */
function showCodeStep(email) {
  $('email-form').hidden = true;
  $('code-form').hidden = false;
  $('code-sent').textContent = t('signin.code_sent', { email });
  $('code').focus();
}

/** The saved account whose server and email the fields were last filled from. */
let filledFor = '';

/**
 * Names the saved account asking to sign in again, and fills the fields from that account
 * (its server, its email, its way of signing in) once per account: never another's, and
 * never over what the person typed since.
 * @param {import('./accounts.js').AccountItem | null | undefined} asking
 */
function showAsking(asking) {
  const line = $('signin-for');
  line.hidden = !asking;
  line.textContent = asking ? t('signin.again_for', { account: fullName(asking) }) : '';
  if (!asking) {
    filledFor = '';
    return;
  }
  if (asking.id === filledFor) return;
  filledFor = asking.id;
  /** @type {HTMLInputElement} */ ($('server')).value = asking.server;
  if (asking.method === 'api_key') {
    selectTab('key');
  } else {
    selectTab('email');
    /** @type {HTMLInputElement} */ ($('email')).value = asking.email || '';
  }
}

/**
 * Leaves the sign-in screen opened to add an account: a code asked for meanwhile is given
 * up and the fields go back to what the account on screen uses, so that the next Add
 * account… starts from the email step on its usual server.
 * @param {any} view
 */
export async function leave(view) {
  if (!$('code-form').hidden) await call('email_cancel').catch(() => {});
  showEmailStep();
  showFailure($('signin-error'), null);
  /** @type {HTMLInputElement} */ ($('server')).value = view.server || '';
}

/** Shows the sign-in screen for `view` (the app's state). */
export function show(view) {
  showAsking(view.asking);
  const reason = $('signin-reason');
  reason.hidden = !view.signInReason;
  reason.textContent = tx(view.signInReason);
  const keyring = $('signin-keyring');
  keyring.hidden = !view.keyringProblem;
  keyring.textContent = tx(view.keyringProblem);
  const serverInput = /** @type {HTMLInputElement} */ ($('server'));
  if (!serverInput.value && view.server) serverInput.value = view.server;
  serverInput.placeholder = view.productionServer;
  const email = /** @type {HTMLInputElement} */ ($('email'));
  if (!email.value && view.lastEmail) email.value = view.lastEmail;
  // The code step is open only while Rust waits for a code (not after a sign-in ended).
  if (view.codeSentTo) showCodeStep(view.codeSentTo);
  else if (!$('code-form').hidden) showEmailStep();
  if (view.server) /** @type {HTMLDetailsElement} */ ($('signin').querySelector('details')).open = true;
}
