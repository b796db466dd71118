// The page's pure helpers (ui/js/format.js), run by Node's own test runner:
//   node --test tests/ui/
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { readFileSync } from 'node:fs';

import { naturalCompare, dateTime, ago, fromNow, inSeconds, count } from '../../ui/js/format.js';
import { setLanguage, t } from '../../ui/js/i18n.js';

const catalog = (lang) => JSON.parse(readFileSync(new URL(`../../ui/i18n/${lang}.json`, import.meta.url), 'utf8'));
const english = catalog('en');
const spanish = catalog('es');
setLanguage('en', english);

const sorted = (names) => [...names].map((n) => n.toLowerCase()).sort(naturalCompare);

test('names sort by the value of their numbers, as people read them', () => {
  assert.deepEqual(sorted(['web-10', 'web-2', 'web-1', 'db-1']), ['db-1', 'web-1', 'web-2', 'web-10']);
  assert.deepEqual(sorted(['a100', 'a20', 'a3']), ['a3', 'a20', 'a100']);
  assert.deepEqual(sorted(['10.128.0.12', '10.128.0.5', '10.9.0.1']), ['10.9.0.1', '10.128.0.5', '10.128.0.12']);
});

test('leading zeros do not change a number, and a prefix sorts first', () => {
  assert.equal(naturalCompare('web-007', 'web-7'), 0);
  assert.ok(naturalCompare('web-007', 'web-8') < 0);
  assert.ok(naturalCompare('web', 'web-1') < 0);
  assert.ok(naturalCompare('web-1', 'web') > 0);
  assert.equal(naturalCompare('', ''), 0);
  assert.ok(naturalCompare('0', '00a') < 0);
});

test('the order is consistent: antisymmetric over a mixed list', () => {
  const names = ['b2', 'b10', 'a', 'a1', 'a01', 'z', '9', '10', 'x-0', 'x-00'];
  for (const x of names) {
    for (const y of names) {
      assert.equal(Math.sign(naturalCompare(x, y)) + Math.sign(naturalCompare(y, x)), 0, `${x} vs ${y}`);
    }
  }
});

test('dates read the same everywhere, in local time', () => {
  const t = new Date(2026, 10, 27, 9, 5).getTime();
  assert.equal(dateTime(t), '27 Nov 2026, 09:05');
  assert.equal(dateTime(new Date(2027, 0, 1, 23, 59).getTime()), '1 Jan 2027, 23:59');
});

test('relative times and waits are in words', () => {
  assert.equal(ago(1000), 'just now');
  assert.equal(ago(42_000), '42 s ago');
  assert.equal(ago(3 * 3600_000), '3 h ago');
  assert.equal(inSeconds(1), 'in a second');
  assert.equal(inSeconds(20), 'in 20 seconds');
  assert.equal(inSeconds(300), 'in 5 minutes');
  assert.equal(count(1, 'machines'), '1 machine');
  assert.equal(count(3, 'machines'), '3 machines');
});

test('in Spanish: times, counts and plurals, with no Intl', () => {
  setLanguage('es', spanish);
  try {
    assert.equal(ago(2 * 60_000), 'hace 2 min');
    assert.equal(ago(3 * 24 * 3600_000), 'hace 3 días');
    assert.equal(ago(1000), 'ahora mismo');
    assert.equal(fromNow(180 * 24 * 3600_000), 'dentro de 6 meses');
    assert.equal(inSeconds(20), 'dentro de 20 segundos');
    assert.equal(inSeconds(300), 'dentro de 5 minutos');
    assert.equal(count(1, 'machines'), '1 máquina');
    assert.equal(count(3, 'machines'), '3 máquinas');
    assert.equal(dateTime(new Date(2027, 0, 1, 23, 59).getTime()), '1 ene 2027, 23:59');
    assert.equal(t('count.machines', { n: 0 }), '0 máquinas');
  } finally {
    setLanguage('en', english);
  }
});

test('both catalogs have the same keys, plural forms and placeholders', () => {
  const holes = (v) => JSON.stringify(v).match(/\{\w+\}/g)?.sort().filter((x, i, a) => a.indexOf(x) === i) ?? [];
  assert.deepEqual(Object.keys(english).sort(), Object.keys(spanish).sort());
  for (const key of Object.keys(english)) {
    assert.equal(typeof english[key], typeof spanish[key], key);
    if (typeof english[key] === 'object') assert.deepEqual(Object.keys(english[key]).sort(), Object.keys(spanish[key]).sort(), key);
    assert.deepEqual(holes(english[key]), holes(spanish[key]), key);
  }
});

test('the same lengths of time read forwards and backwards', () => {
  const day = 24 * 3600_000;
  assert.equal(fromNow(180 * day), 'in 6 months');
  assert.equal(ago(180 * day), '6 months ago');
  assert.equal(fromNow(12 * day), 'in 12 days');
  assert.equal(fromNow(90 * 60_000), 'in 2 h');
  assert.equal(fromNow(3 * 365 * day), 'in 3 years');
  assert.equal(fromNow(2000), 'now');
  assert.equal(fromNow(-5 * day), 'now', 'a time already past is not said as the future');
});
