// @ts-check
// How failures and small confirmations are shown: one sentence, what to do next, and the
// support code one click away.
import { copyText } from './ipc.js';
import { h, $ } from './dom.js';
import { t, tx } from './i18n.js';

/** @typedef {import('./ipc.js').Failure} Failure */

let toastTimer = 0;

/** @param {string} text */
export function toast(text) {
  const el = $('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => { el.hidden = true; }, 2500);
}

/**
 * Puts `text` on the clipboard and says so (`done`), or says it could not (`failed`).
 * @param {string} text @param {string} done @param {string} [failed]
 */
export async function copy(text, done, failed = t('copy.failed')) {
  try {
    await copyText(text);
    toast(done);
  } catch {
    toast(failed);
  }
}

/**
 * A failure's sentence in the person's language: "<what failed>: <why>.", or the one
 * sentence it is; the page's own (`sentence`) when it made one.
 * @param {Failure} f
 */
export function failureText(f) {
  if (f.sentence) return f.sentence;
  if (f.text) {
    const said = tx(f.text);
    return f.op ? t('failure.sentence', { op: t(`op.${f.op}`), reason: said }) : said;
  }
  return f.message;
}

/**
 * A "Copy support code" button for a failure that has one.
 * @param {Failure} failure
 * @param {string} [label]
 */
export function supportButton(failure, label = t('support.copy_code')) {
  if (!failure.errorId) return null;
  const code = failure.errorId;
  return h('button', {
    type: 'button', class: 'copy-support', 'data-code': code, text: label,
    onclick: () => copy(code, t('support.code_copied'), t('support.copy_failed', { code })),
  });
}

/**
 * The body of a failure: the sentence, then the support code line.
 * @param {Failure} failure
 */
export function failureContent(failure) {
  const parts = [h('p', { class: 'message', text: failureText(failure) })];
  const support = [];
  if (failure.errorId) {
    support.push(h('span', { text: t('support.code') }), h('code', { class: 'code', text: failure.errorId }));
    support.push(/** @type {HTMLElement} */ (supportButton(failure)));
  }
  if (failure.serverMessage) {
    // The server's own words, in its language: `translate="no"` says so.
    support.push(h('span', { class: 'server', translate: 'no', text: t('support.server_said', { words: failure.serverMessage }) }));
  }
  if (support.length) parts.push(h('div', { class: 'support' }, support));
  return parts;
}

/**
 * Shows `failure` in the banner element `el` (or hides it when null).
 * @param {HTMLElement} el
 * @param {Failure|null} failure
 */
export function showFailure(el, failure) {
  el.replaceChildren();
  el.hidden = !failure;
  if (failure) el.append(h('div', {}, failureContent(failure)));
}
