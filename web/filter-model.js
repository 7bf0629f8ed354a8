// filter-model.js — the page's filter as a list of conditions (the chips), pure and DOM-free.
//
// The core owns the filter language (README "Filter language"); this module only builds
// conditions from clicked values, joins conditions with `and`, and splits a joined expression
// back into conditions (for a bookmarked #filter=… URL). It never validates: the core does.

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'null']);
// A bare word runs to a blank or one of ( ) , = ! < > " ' & | (filter.hpp).
const BARE_WORD = /^[^\s(),=!<>"'&|]+$/;

/** A value as the filter language reads it: bare when possible, else double-quoted. */
export function quoteValue(value) {
  const s = String(value);
  if (s !== '' && s !== '-' && BARE_WORD.test(s) && !KEYWORDS.has(s.toLowerCase())) return s;
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** `field = value`; a printed "-" (absent) becomes `field = null`. */
export function equals(field, value) {
  if (value === null || value === undefined || value === '-') return `${field} = null`;
  return `${field} = ${quoteValue(value)}`;
}

/**
 * The condition matching one row of a top list (`entry` is a `top`/`rejects` list of the
 * analyze document, `key` a row's key array): `srcaddr = 10.0.0.5`,
 * `srcaddr = 10.0.0.5 and dstport = 22`, or for a conversation `addr = A and addr = B`.
 */
export function conditionForRow(entry, key) {
  const fields = entry.key === 'conversation' ? ['addr', 'addr'] : entry.fields;
  if (entry.key === 'conversation' && key[0] === key[1]) {
    return `srcaddr = ${quoteValue(key[0])} and dstaddr = ${quoteValue(key[0])}`;
  }
  return fields.map((f, i) => equals(f, key[i])).join(' and ');
}

/** The time-range condition for a brushed range [from, to) in Unix seconds. */
export function timeRangeCondition(fromSec, toSec, iso) {
  return `start >= ${iso(fromSec)} and start < ${iso(toSec)}`;
}

/** Top-level `and` positions and whether a top-level `or` exists (outside parens and quotes). */
function scan(text) {
  const cuts = []; // [start, end) of each top-level `and`
  let depth = 0;
  let hasOr = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i += 1;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      i += 1;
      continue;
    }
    if (c === '(') depth += 1;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      if (text.startsWith('&&', i)) { cuts.push([i, i + 2]); i += 2; continue; }
      if (text.startsWith('||', i)) { hasOr = true; i += 2; continue; }
      if (/[A-Za-z]/.test(c) && (i === 0 || /[\s()]/.test(text[i - 1]))) {
        const word = /^[A-Za-z]+/.exec(text.slice(i))[0];
        const after = text[i + word.length];
        if (after === undefined || /[\s()]/.test(after)) {
          if (word.toLowerCase() === 'and') cuts.push([i, i + 3]);
          if (word.toLowerCase() === 'or') hasOr = true;
        }
        i += word.length;
        continue;
      }
    }
    i += 1;
  }
  return { cuts, hasOr };
}

/**
 * Splits an expression at its top-level `and`s (outside parentheses and quotes) into trimmed
 * conditions. An expression with a top-level `or` is one condition and comes back whole.
 */
export function splitTopLevel(expr) {
  const text = String(expr ?? '').trim();
  if (!text) return [];
  const { cuts, hasOr } = scan(text);
  if (hasOr || cuts.length === 0) return [stripOuterParens(text)];
  const parts = [];
  let from = 0;
  for (const [s, e] of cuts) { parts.push(text.slice(from, s).trim()); from = e; }
  parts.push(text.slice(from).trim());
  return parts.filter(Boolean).map(stripOuterParens);
}

/** "(a and b)" → "a and b" when the outer parentheses enclose everything. */
export function stripOuterParens(text) {
  let t = text.trim();
  while (t.startsWith('(') && t.endsWith(')') && closingParen(t, 0) === t.length - 1) {
    t = t.slice(1, -1).trim();
  }
  return t;
}

function closingParen(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i += 1;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      continue;
    }
    if (c === '(') depth += 1;
    else if (c === ')') { depth -= 1; if (depth === 0) return i; }
  }
  return -1;
}

/** One condition as it goes into a conjunction: parenthesised unless it is a single term. */
function asTerm(condition) {
  const c = condition.trim();
  const { cuts, hasOr } = scan(c);
  return cuts.length === 0 && !hasOr ? c : `(${stripOuterParens(c)})`;
}

/** The conditions joined into one expression ("" when there are none). */
export function joinConditions(conditions) {
  return conditions.map((c) => c.trim()).filter(Boolean).map(asTerm).join(' and ');
}

/**
 * Maps an error position in `joinConditions(conditions)` back into the condition it falls in:
 * `{ index, offset }` (offset within that condition's own text), or null when it falls between.
 */
export function locateInConditions(conditions, position) {
  const list = conditions.map((c) => c.trim()).filter(Boolean);
  let pos = 0;
  for (let i = 0; i < list.length; i += 1) {
    const c = list[i];
    const term = asTerm(c);
    if (position >= pos && position <= pos + term.length) {
      if (term === c) return { index: i, offset: position - pos };
      const inner = stripOuterParens(c);
      const rel = position - pos - 1; // skip the '(' asTerm added
      return { index: i, offset: Math.max(0, Math.min(c.length, rel + c.indexOf(inner))) };
    }
    pos += term.length + ' and '.length;
  }
  return null;
}

/** Adds a condition unless the same one is already there. */
export function addCondition(conditions, condition) {
  const c = condition.trim();
  if (!c || conditions.includes(c)) return conditions.slice();
  return [...conditions, c];
}

export function removeCondition(conditions, index) {
  return conditions.filter((_, i) => i !== index);
}

/** The URL hash for a filter: "#filter=<encoded>" (or "" for no filter). Never data. */
export function hashForFilter(filter) {
  return filter ? `#filter=${encodeURIComponent(filter)}` : '';
}

/** The filter stored in a URL hash ("" when there is none). */
export function filterFromHash(hash) {
  const h = String(hash ?? '').replace(/^#/, '');
  for (const part of h.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq) === 'filter') {
      try { return decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' ')); } catch { return ''; }
    }
  }
  return '';
}
