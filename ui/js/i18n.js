// @ts-check
// The page's words, from the catalog of the person's language (ui/i18n/<lang>.json, the
// same files the Rust side reads for notifications). The app hands the catalog over before
// any script runs, and again when the language changes. No Intl: plurals are the catalog's
// own "one"/"other" forms, chosen by {n}.

/** @typedef {{key: string, params?: Record<string, string>}} Text */

// @ts-ignore: set by the app (src-tauri/window/language.rs); absent in Node's unit tests
const given = (typeof window !== 'undefined' && window.__COMPUTE_DESK_I18N__) || { lang: 'en', catalog: {} };

let lang = /** @type {string} */ (given.lang);
/** @type {Record<string, string|{one: string, other: string}>} */
let catalog = given.catalog;

/** The language the page speaks: "en" or "es". */
export function language() {
  return lang;
}

/**
 * Takes another language's catalog, and marks `<html lang>`.
 * @param {string} code @param {Record<string, any>} words
 */
export function setLanguage(code, words) {
  lang = code;
  catalog = words;
  if (typeof document !== 'undefined') document.documentElement.lang = code;
}

/**
 * The sentence for `key`, with `{name}` filled from `params`; for a plural entry, the form
 * for `params.n`. A key the catalog lacks is shown as itself (a test keeps that away).
 * @param {string} key @param {Record<string, string|number>} [params]
 * @returns {string}
 */
export function t(key, params = {}) {
  const entry = catalog[key];
  let text;
  if (typeof entry === 'string') text = entry;
  else if (entry && typeof entry === 'object') text = Number(params.n) === 1 ? entry.one : entry.other;
  else text = key;
  return fill(text, params);
}

/**
 * `{name}` in `text` replaced by `params.name`, by plain searching: no regular expression,
 * which would bring JavaScriptCore's regex engine and its compiled code into the web
 * process for every word on screen (measured: 0.3 MiB of the idle web process).
 * @param {string} text @param {Record<string, string|number>} params
 */
function fill(text, params) {
  let open = text.indexOf('{');
  if (open < 0) return text;
  let out = '';
  let from = 0;
  while (open >= 0) {
    const close = text.indexOf('}', open);
    if (close < 0) break;
    const name = text.slice(open + 1, close);
    out += text.slice(from, open) + (name in params ? String(params[name]) : text.slice(open, close + 1));
    from = close + 1;
    open = text.indexOf('{', from);
  }
  return out + text.slice(from);
}

/**
 * Words the Rust side sent as a catalog reference. A parameter ending in `Secs` is a
 * wait, said in words ("in 20 seconds").
 * @param {Text|null|undefined} text
 */
export function tx(text) {
  if (!text) return '';
  /** @type {Record<string, string>} */
  const params = {};
  for (const [name, value] of Object.entries(text.params || {})) {
    if (name.endsWith('Secs')) params[name.slice(0, -4)] = duration(Number(value));
    else params[name] = value;
  }
  return t(text.key, params);
}

/** A wait in words: "20 seconds", "2 minutes". @param {number} secs */
export function duration(secs) {
  if (secs < 120) return t('time.seconds', { n: Math.max(1, Math.round(secs)) });
  return t('time.minutes', { n: Math.ceil(secs / 60) });
}

/**
 * Puts the catalog's words into the page's own elements: `data-i18n` (text),
 * `data-i18n-label` (aria-label), `data-i18n-placeholder`, `data-i18n-tip`.
 * @param {ParentNode} [root]
 */
export function translatePage(root = document) {
  // Only what differs is written: the page is written in English, and an English start
  // then changes nothing (no new text nodes for the collector).
  for (const el of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-i18n]'))) {
    const text = t(/** @type {string} */ (el.dataset.i18n));
    if (el.textContent !== text) el.textContent = text;
  }
  /** @param {string} selector @param {string} attribute @param {(el: HTMLElement) => string} key */
  const attributes = (selector, attribute, key) => {
    for (const el of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll(selector))) {
      const text = t(key(el));
      if (el.getAttribute(attribute) !== text) el.setAttribute(attribute, text);
    }
  };
  attributes('[data-i18n-label]', 'aria-label', (el) => /** @type {string} */ (el.dataset.i18nLabel));
  attributes('[data-i18n-placeholder]', 'placeholder', (el) => /** @type {string} */ (el.dataset.i18nPlaceholder));
  attributes('[data-i18n-tip]', 'data-tip', (el) => /** @type {string} */ (el.dataset.i18nTip));
  if (document.title !== t('app.name')) document.title = t('app.name');
}
