// dom.js — the only way the page builds elements. Text always goes in as text nodes
// (log content is untrusted: no innerHTML anywhere in the app).

/**
 * h('div', {className: 'x', dataset: {testid: 'y'}, onclick: fn, title: 't'}, 'text', child…)
 * Props starting with "on" become listeners; `attrs` sets attributes; `dataset` data-*.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'attrs') for (const [a, av] of Object.entries(v)) el.setAttribute(a, String(av));
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'className' || k === 'textContent' || k === 'title' || k === 'type' ||
      k === 'value' || k === 'disabled' || k === 'hidden' || k === 'checked' || k === 'id' ||
      k === 'htmlFor' || k === 'tabIndex' || k === 'selected' || k === 'href' || k === 'download') el[k] = v;
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function setChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el;
}

export function show(el, visible = true) {
  el.hidden = !visible;
}
