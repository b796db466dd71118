// @ts-check
// One tooltip for the whole page, shown under a control marked `data-tip`: on hover, and
// on keyboard focus too (a native `title` shows on hover only). A symbol button always
// needs its word; a name marked `data-tip-when="cut"` only when it is cut off.
import { $ } from './dom.js';

let timer = 0;
/** @type {HTMLElement|null} */
let owner = null;

/** @param {EventTarget|null} node @returns {HTMLElement|null} */
function tipped(node) {
  return node instanceof Element ? /** @type {HTMLElement|null} */ (node.closest('[data-tip]')) : null;
}

/** Whether `el` shows less than its tip says: a symbol without its word, or a cut name. */
function needed(/** @type {HTMLElement} */ el) {
  if (el.dataset.tipWhen === 'cut') return el.scrollWidth > el.clientWidth;
  const word = /** @type {HTMLElement|null} */ (el.querySelector('.word'));
  return !(word && word.offsetWidth > 0);
}

export function hide() {
  clearTimeout(timer);
  owner = null;
  $('tip').hidden = true;
}

/** @param {HTMLElement} el */
function show(el) {
  if (!el.isConnected || !needed(el)) return hide();
  const tip = $('tip');
  owner = el;
  tip.textContent = el.dataset.tip || '';
  tip.hidden = false;
  const r = el.getBoundingClientRect();
  const w = tip.offsetWidth;
  const h = tip.offsetHeight;
  const left = Math.min(Math.max(4, r.left + r.width / 2 - w / 2), window.innerWidth - w - 4);
  const below = r.bottom + 6;
  const top = below + h > window.innerHeight - 4 ? r.top - h - 6 : below;
  tip.style.left = `${Math.round(left)}px`;
  tip.style.top = `${Math.round(top)}px`;
}

export function setup() {
  document.addEventListener('mouseover', (e) => {
    const el = tipped(e.target);
    if (!el || el === owner) return;
    clearTimeout(timer);
    timer = window.setTimeout(() => show(el), 400);
  });
  document.addEventListener('mouseout', (e) => {
    const el = tipped(e.target);
    if (el && !el.contains(/** @type {Node|null} */ (e.relatedTarget))) hide();
  });
  document.addEventListener('focusin', (e) => {
    const el = tipped(e.target);
    if (el && el.matches(':focus-visible')) show(el); else hide();
  });
  document.addEventListener('focusout', hide);
  document.addEventListener('scroll', hide, { capture: true, passive: true });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && owner) hide(); });
}

