// @ts-check
// Words and numbers for people: relative times, dates, state icons, counts, and the order
// names sort in, in the person's language (i18n.js). None of it uses Intl: ICU's
// collation and date data cost the window several MiB of memory.
import { t, duration } from './i18n.js';

/**
 * A length of time in the person's words, rounded the way people say it: "42 s", "3 h",
 * "12 days", "6 months". Below 5 seconds: null (it reads as "now").
 * @param {number} ms
 * @returns {string|null}
 */
function span(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 5) return null;
  if (s < 60) return t('span.s', { n: s });
  const m = Math.round(s / 60);
  if (m < 60) return t('span.min', { n: m });
  const h = Math.round(m / 60);
  if (h < 48) return t('span.h', { n: h });
  const d = Math.round(h / 24);
  if (d < 60) return t('span.days', { n: d });
  const mo = Math.round(d / 30);
  if (mo < 24) return t('span.months', { n: mo });
  return t('span.years', { n: Math.round(d / 365) });
}

/** How long ago: "3 h ago", "hace 3 h". @param {number} ms @returns {string} */
export function ago(ms) {
  const span_ = span(ms);
  return span_ ? t('time.ago', { span: span_ }) : t('time.just_now');
}

/** How long until: "in 6 months". @param {number} ms @returns {string} */
export function fromNow(ms) {
  const span_ = span(ms);
  return span_ ? t('time.in', { span: span_ }) : t('time.now');
}

/** @param {string|null|undefined} iso @returns {number|null} */
export function parseTime(iso) {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** @param {string|null|undefined} iso */
export function relative(iso) {
  const t = parseTime(iso);
  return t === null ? (iso || '—') : ago(Date.now() - t);
}

/** "3 machines", "1 máquina": a count with its word (`count.<what>`). @param {number} n @param {string} what */
export function count(n, what) {
  return t(`count.${what}`, { n });
}

/** The icon next to a state's words: never colour alone. */
export const STATE_ICON = /** @type {Record<string, string>} */ ({
  running: '●',
  stopped: '■',
  busy: '◔',
  error: '▲',
  unknown: '?',
});

/** "in 20 seconds", "dentro de 20 segundos". @param {number|null|undefined} secs */
export function inSeconds(secs) {
  if (secs == null) return t('time.shortly');
  if (secs <= 1) return t('time.in_a_second');
  return t('time.in', { span: duration(secs) });
}

/**
 * A moment in local time, the same way everywhere in the app: "27 Nov 2026, 09:05".
 * @param {number} at Unix milliseconds
 */
export function dateTime(at) {
  const d = new Date(at);
  const two = (/** @type {number} */ n) => String(n).padStart(2, '0');
  const month = t('time.months').split(' ')[d.getMonth()];
  return `${d.getDate()} ${month} ${d.getFullYear()}, ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** @param {number} c */
const isDigit = (c) => c >= 48 && c <= 57;

/**
 * Orders two lower-case strings as a person reads them: numbers by their value, so
 * "web-2" comes before "web-10", and everything else character by character.
 * @param {string} x @param {string} y @returns {number}
 */
export function naturalCompare(x, y) {
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const cx = x.charCodeAt(i);
    const cy = y.charCodeAt(j);
    if (isDigit(cx) && isDigit(cy)) {
      let si = i;
      let sj = j;
      while (si < x.length - 1 && x.charCodeAt(si) === 48 && isDigit(x.charCodeAt(si + 1))) si++;
      while (sj < y.length - 1 && y.charCodeAt(sj) === 48 && isDigit(y.charCodeAt(sj + 1))) sj++;
      let ei = si;
      let ej = sj;
      while (ei < x.length && isDigit(x.charCodeAt(ei))) ei++;
      while (ej < y.length && isDigit(y.charCodeAt(ej))) ej++;
      // More digits (leading zeros aside) is a larger number; else compare digit by digit.
      const longer = (ei - si) - (ej - sj);
      if (longer) return longer;
      for (let k = 0; k < ei - si; k++) {
        const d = x.charCodeAt(si + k) - y.charCodeAt(sj + k);
        if (d) return d;
      }
      i = ei;
      j = ej;
    } else {
      if (cx !== cy) return cx - cy;
      i++;
      j++;
    }
  }
  return (x.length - i) - (y.length - j);
}
