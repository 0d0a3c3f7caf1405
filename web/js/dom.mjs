// Building the page: elements from plain data, the page's main area, and the summary list. Shared
// by the registration journey (app.mjs) and the member's pages (member.mjs).
import { t } from './i18n.mjs';

export const main = document.getElementById('main');

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function render(...nodes) {
  main.replaceChildren(...nodes.flat().filter((n) => n !== null && n !== undefined && n !== false));
  document.title = `${main.querySelector('h1')?.textContent ?? ''} · Daftar JKN`;
  window.scrollTo(0, 0);
}

export function buttons(...items) {
  return h('div', { class: 'actions' }, ...items);
}

// Label and value rows; `to` adds a "change" link to that route.
export function summaryList(rows) {
  return h('dl', { class: 'summary' }, ...rows.map(([label, value, to]) => h('div', {},
    h('dt', { text: label }), h('dd', { text: value || '—' }),
    to ? h('dd', { class: 'action' }, h('a', { href: `#/${to}`, text: t('change'), 'aria-label': `${t('change')}: ${label}` })) : null)));
}
