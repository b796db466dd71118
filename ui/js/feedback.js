// @ts-check
// How failures and small confirmations are shown: one sentence, what to do next, and the
// support code one click away.
import { copyText } from './ipc.js';
import { h, $ } from './dom.js';

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
 * A "Copy support code" button for a failure that has one.
 * @param {Failure} failure
 * @param {string} [label]
 */
export function supportButton(failure, label = 'Copy support code') {
  if (!failure.errorId) return null;
  const code = failure.errorId;
  return h('button', {
    type: 'button', class: 'copy-support', 'data-code': code, text: label,
    onclick: async () => {
      try {
        await copyText(code);
        toast('Support code copied. Paste it into your message to the helpdesk.');
      } catch (e) {
        toast('Could not copy. The support code is ' + code);
      }
    },
  });
}

/**
 * The body of a failure: the sentence, then the support code line.
 * @param {Failure} failure
 */
export function failureContent(failure) {
  const parts = [h('p', { class: 'message', text: failure.message })];
  const support = [];
  if (failure.errorId) {
    support.push(h('span', { text: 'Support code:' }), h('code', { class: 'code', text: failure.errorId }));
    support.push(/** @type {HTMLElement} */ (supportButton(failure)));
  }
  if (failure.serverMessage) {
    support.push(h('span', { class: 'server', text: `ThreatWinds said: “${failure.serverMessage}”` }));
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
