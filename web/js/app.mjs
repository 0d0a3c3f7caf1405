// The registration journey. The page composes the application from what the user types and shows
// what the rules core (in a worker) says about it: no rule lives here. Steps: start, family,
// contact, class, documents, check, then sent / queued, status, and card verification.
import { t, setLanguage, language, message, rupiah } from './i18n.mjs';
import * as core from './core-client.mjs';
import * as store from './store.mjs';
import { UploadInterrupted } from './tus.mjs';
import { sendWaiting, SYNC_TAG } from './outbox.mjs';
import { h, main, render, buttons, summaryList } from './dom.mjs';
import { regionOptions } from './regions.mjs';

const DRAFT_DAYS = 7;  // drafts older than this are forgotten (config "draft_expiry_days" overrides)

const STEPS = ['family', 'contact', 'class', 'documents', 'check'];
const STEP_PATHS = {
  family: ['/kk_number', '/members'],
  contact: ['/contact', '/address'],
  class: ['/class', '/segment', '/facility'],
  documents: ['/documents'],
};

const blankMember = (relationship) => ({
  nik: '', newborn: false, name: '', day: '', month: '', year: '', sex: '', relationship, marital_status: '',
});

function blankState() {
  return {
    form: {
      segment: 'PBPU', class: '3', kk_number: '', phone: '', email: '', facility: '', facility_name: '',
      line: '', rt: '', rw: '', postal_code: '', province: '', regency: '', district: '', village_code: '',
      members: [blankMember('head')],
      consent: null,  // {given_at, text_version} once the family agreed to the population-registry check
    },
    correcting: null,  // the reference whose correction this draft is
    declared: false,  // the family ticked "this information is true" on the check page
    returnTo: null,  // 'check' when a step was opened from the check page's "Ubah"
    documents: {},  // "kk" | "ktp:0" | "birth_certificate:3" -> {kind, member, entry, warnings, size, original}
    estimate: { members: '4', class: '3' },
    touched: new Set(),
    showAll: false,
    openMember: 0,  // the family page shows this member's answers; the others are summarised
    findings: { errors: [], warnings: [] },
    serverErrors: [],
    background: false,  // the browser sends the waiting package by Background Sync, the app open or not
  };
}

let state = blankState();
let config = null;

// --- building the page ---------------------------------------------------------------------

const idFor = (path) => `f${path.replace(/[^a-z0-9_]+/gi, '-')}`;

// A field: label, hint, the core's message for its path, the control.
function field(path, label, control, { hint, warningsToo = true } = {}) {
  const errorId = `${idFor(path)}-error`;
  const wrapper = h('div', { class: 'field', 'data-path': path },
    h('label', { for: control.id || idFor(path), text: label }),
    hint ? h('p', { class: 'hint', id: `${idFor(path)}-hint`, text: hint }) : null,
    h('p', { class: 'error-message', id: errorId, hidden: true }),
    warningsToo ? h('p', { class: 'warning-message', id: `${errorId}-w`, hidden: true }) : null,
    control);
  control.setAttribute('aria-describedby', [hint ? `${idFor(path)}-hint` : '', errorId].filter(Boolean).join(' '));
  return wrapper;
}

function input(path, value, onValue, attrs = {}) {
  return h('input', {
    id: idFor(path), name: idFor(path), type: 'text', value, spellcheck: 'false', ...attrs,
    oninput: (e) => { onValue(e.target.value); saveSoon(); },
    onchange: () => touch(path),
  });
}

function select(path, value, options, onValue) {
  return h('select', {
    id: idFor(path), name: idFor(path),
    onchange: (e) => { onValue(e.target.value); touch(path); saveSoon(); },
  }, h('option', { value: '', text: t('choose') }),
  ...options.map(([v, label]) => h('option', { value: v, text: label, selected: v === value })));
}

function radios(path, legend, value, options, onValue) {
  return h('fieldset', { class: 'field radios', 'data-path': path, id: idFor(path) },
    h('legend', { text: legend }),
    h('p', { class: 'error-message', id: `${idFor(path)}-error`, hidden: true }),
    ...options.map(([v, label], i) => h('label', {},
      h('input', {
        type: 'radio', name: idFor(path), value: v, checked: v === value, id: i === 0 ? `${idFor(path)}-0` : undefined,
        onchange: () => { onValue(v); touch(path); saveSoon(); },
      }), label)));
}

// --- the application and its checks ----------------------------------------------------------

const pad = (s, n) => (s.trim() === '' ? '' : s.trim().padStart(n, '0'));
function birthDate(m) {
  if (!m.day.trim() && !m.month.trim() && !m.year.trim()) return '';
  return `${pad(m.year, 4)}-${pad(m.month, 2)}-${pad(m.day, 2)}`;
}

function application() {
  const f = state.form;
  return {
    schema: 'daftar.application/1', segment: f.segment, class: /^\d+$/.test(f.class) ? Number(f.class) : f.class,
    kk_number: f.kk_number,
    // Messages to the family come in the language it used the app in.
    contact: { phone: f.phone, email: f.email, language: language() },
    address: { line: f.line, rt: f.rt, rw: f.rw, village_code: f.village_code, postal_code: f.postal_code },
    members: f.members.map((m) => ({
      nik: m.newborn ? null : m.nik, name: m.name, birth_date: birthDate(m), sex: m.sex,
      relationship: m.relationship, marital_status: m.marital_status,
    })),
    documents: Object.values(state.documents).filter((d) => d.entry)
      .map((d) => ({ kind: d.kind, member: d.member, ...d.entry })),
    ...(f.consent ? { consent: f.consent } : {}),
    ...(f.facility ? { facility: f.facility } : {}),
  };
}

async function check() {
  // A server that compares families with the population registry needs their consent: the core
  // says so when asked to (require_consent), here as on the server.
  // Likewise a server whose branch loaded its health facilities needs the family's choice of one.
  const answer = await core.call('validate', { application: application(), require_consent: Boolean(config?.population_check),
    require_facility: Boolean(config?.facilities) });
  state.findings = { errors: answer.errors, warnings: answer.warnings };
  showFindings();
  return answer;
}

function touch(path) {
  state.touched.add(path);
  // What the server asked to correct here is answered by the change: the core judges it now.
  state.serverErrors = state.serverErrors.filter((e) => e.path !== path);
  check();
}

const inStep = (step, path) => STEP_PATHS[step].some((p) => path === p || path.startsWith(`${p}/`));
const stepErrors = (step) => state.findings.errors.filter((e) => inStep(step, e.path));

// Shows the core's messages beside the fields they concern: for touched fields as the user goes,
// for all of them once "continue" was pressed.
function showFindings() {
  for (const wrapper of main.querySelectorAll('[data-path]')) {
    const path = wrapper.dataset.path;
    const visible = state.showAll || [...state.touched].some((p) => p === path || path.startsWith(`${p}/`) || p.startsWith(`${path}/`));
    // A summarised member counts the problems in all its answers.
    const summarised = 'summary' in wrapper.dataset;
    const errors = [...state.serverErrors, ...state.findings.errors]
      .filter((e) => e.path === path || (summarised && e.path?.startsWith(`${path}/`)));
    const warnings = state.findings.warnings.filter((e) => e.path === path);
    const errorEl = wrapper.querySelector('.error-message');
    const warnEl = wrapper.querySelector('.warning-message');
    const shown = !visible || !errors.length ? [] : summarised ? [t('member_needs_fixing', { n: errors.length })] : errors.map(message);
    errorEl.textContent = shown.join(' ');
    errorEl.hidden = shown.length === 0;
    wrapper.classList.toggle('field-error', shown.length > 0);
    if (warnEl) {
      warnEl.textContent = visible ? warnings.map(message).join(' ') : '';
      warnEl.hidden = !visible || warnings.length === 0;
    }
  }
}

// The member a path is about ("/members/2/nik" -> 2), or null.
function memberOf(path) {
  const member = /^\/members\/(\d+)(\/|$)/.exec(path ?? '');
  return member ? Number(member[1]) : null;
}

// "Siti Aminah: " for a problem in a member's answers (the summary lists the whole family's).
function whose(path) {
  const i = memberOf(path);
  if (i === null) return '';
  return `${state.form.members[i]?.name.trim() || t('member', { n: i + 1 })}: `;
}

// The error summary: at the top, taking focus, one link per problem to its field.
function errorSummary(errors) {
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', 'aria-labelledby': 'error-summary-title' },
    h('h2', { id: 'error-summary-title', text: t('error_summary') }),
    h('ul', {}, ...errors.map((e) => h('li', {}, h('a', {
      href: `#${targetFor(e.path)}`,
      onclick: (ev) => {
        ev.preventDefault();
        // A member summarised on the family page opens first, so that its field is there.
        const member = memberOf(e.path);
        if (member !== null && member !== state.openMember && document.querySelector('.member-summary')) {
          state.openMember = member;
          familyPage();
        }
        document.getElementById(targetFor(e.path))?.focus();
      },
      text: whose(e.path) + message(e),
    })))));
  main.querySelector('.error-summary')?.remove();
  main.querySelector('h1').after(summary);
  summary.focus();
}

function targetFor(path) {
  const direct = document.getElementById(idFor(path));
  if (direct && direct.tagName !== 'FIELDSET' && direct.tagName !== 'DIV') return idFor(path);
  const inner = document.querySelector(`[data-path="${path}"] input, [data-path="${path}"] select`);
  if (inner?.id) return inner.id;
  // A path with no field of its own (e.g. "/members"): the step's first control.
  return main.querySelector('input, select')?.id ?? 'main';
}

// Before anything is uploaded: whether a member is registered already. Online only; the server
// recognises a NIK only with its birth date and the KK number, and says nothing else.
const COVERED = 'coverage.already_registered';
async function alreadyRegistered() {
  if (!navigator.onLine) return [];
  const f = state.form;
  const asks = f.members.map(async (m, i) => {
    if (m.newborn || !m.nik.trim()) return null;
    try {
      const response = await fetch('/api/v1/coverage-check', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ nik: m.nik, birth_date: birthDate(m), kk_number: f.kk_number }), signal: AbortSignal.timeout(5000) });
      const answer = response.ok ? await response.json() : null;
      return answer?.registered ? { path: `/members/${i}/nik`, code: COVERED, message: answer.message } : null;
    } catch {
      return null;  // no answer: the server says so when the registration is sent
    }
  });
  return (await Promise.all(asks)).filter(Boolean);
}

async function continueFrom(step) {
  state.showAll = true;
  await check();
  let errors = stepErrors(step);
  // (A correction's members are registered: by the registration being corrected.)
  if (step === 'family' && !errors.length && !state.correcting) {
    state.serverErrors = [...state.serverErrors.filter((e) => e.code !== COVERED), ...await alreadyRegistered()];
    errors = state.serverErrors.filter((e) => e.code === COVERED);
    showFindings();
  }
  if (errors.length) {
    // The family page opens the first member with a problem, when the open one has none.
    const members = errors.map((e) => memberOf(e.path)).filter((i) => i !== null);
    if (step === 'family' && members.length && !members.includes(state.openMember)) {
      state.openMember = members[0];
      familyPage();
    }
    return errorSummary(errors);
  }
  state.showAll = false;
  // Sent here by "Ubah" on the check page: back there.
  go(state.returnTo === 'check' ? 'check' : STEPS[STEPS.indexOf(step) + 1]);
}

// --- drafts ------------------------------------------------------------------------------------

let saveTimer;
function saveSoon() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => store.saveDraft({
    form: state.form, estimate: state.estimate,
    documents: Object.fromEntries(Object.entries(state.documents).filter(([, d]) => d.entry)),
    touched: [...state.touched], correcting: state.correcting, server_errors: state.serverErrors,
  }), 300);
}

// --- steps -------------------------------------------------------------------------------------

// The back link first (where a phone user looks for it), then the step and the title.
function heading(text, step, back) {
  return [back ? backLink(back) : null, step ? h('p', { class: 'caption steps', text: t('steps', { n: step, of: STEPS.length }) }) : null,
    h('h1', { text })];
}

function backLink(to) {
  return h('p', {}, h('a', { href: `#/${to}`, text: t('back') }));
}

async function estimateText() {
  const q = await core.call('quote', { request: { segment: 'PBPU', class: Number(state.estimate.class), members: Number(state.estimate.members) || 1 } });
  return q.monthly ? t('estimate_result', { amount: rupiah(q.monthly.participant), members: Number(state.estimate.members) || 1, class: state.estimate.class }) : '';
}

async function startPage() {
  const result = h('p', { class: 'big', 'aria-live': 'polite' });
  const update = async () => { result.textContent = await estimateText(); saveSoon(); };
  const classes = await offeredClasses();
  render(
    ...heading(t('title')),
    h('p', { text: t('start_intro') }),
    // The way in, visible without scrolling on a phone; what to bring just below it.
    buttons(h('a', { class: 'button', href: '#/family', role: 'button', text: t('start') })),
    h('h2', { text: t('need_title') }), h('ul', {}, ...t('need').map((n) => h('li', { text: n }))),
    h('p', { text: t('time') }),
    h('div', { class: 'panel' },
      h('h2', { text: t('estimate_title') }),
      field('/estimate/members', t('estimate_members'), h('input', {
        id: idFor('/estimate/members'), type: 'text', inputmode: 'numeric', value: state.estimate.members, class: 'short',
        oninput: (e) => { state.estimate.members = e.target.value.replace(/\D/g, '').slice(0, 2); update(); },
      }), { warningsToo: false }),
      field('/estimate/class', t('estimate_class'), h('select', {
        id: idFor('/estimate/class'), onchange: (e) => { state.estimate.class = e.target.value; update(); },
      }, ...classes.map((c) => h('option', { value: c, text: c, selected: c === state.estimate.class }))), { warningsToo: false }),
      result),
    h('h2', { text: t('official_title') }), h('ul', {}, ...t('official').map((n) => h('li', { text: n }))),
    buttons(h('a', { class: 'button secondary', href: '#/status', text: t('nav_status') }),
      h('a', { class: 'button secondary', href: '#/verify', text: t('nav_verify') }),
      h('a', { class: 'button secondary', href: '#/masuk', text: t('nav_sign_in') })),
  );
  update();
}

// The classes on offer today, as the core names them.
async function offeredClasses() {
  const answer = await core.call('quote', { request: { segment: 'PBPU', class: '?', members: 1 } });
  const allowed = answer.errors?.[0]?.params?.allowed;
  return allowed ? allowed.split(', ') : ['1', '2', '3'];
}

function memberFieldset(m, i) {
  const base = `/members/${i}`;
  const f = state.form;
  const legend = m.relationship === 'head' ? t('member_head', { n: i + 1 }) : t('member', { n: i + 1 });
  const set = (key) => (v) => { m[key] = v; };
  const date = h('fieldset', { class: 'field', 'data-path': `${base}/birth_date`, 'aria-describedby': `${idFor(`${base}/birth_date`)}-hint` },
    h('legend', { text: t('birth_date') }),
    h('p', { class: 'hint', id: `${idFor(`${base}/birth_date`)}-hint`, text: t('birth_hint') }),
    h('p', { class: 'error-message', id: `${idFor(`${base}/birth_date`)}-error`, hidden: true }),
    h('div', { class: 'date-input' }, ...[['day', 2], ['month', 2], ['year', 4]].map(([part, size]) => h('div', { class: `field ${part}` },
      h('label', { for: `${idFor(`${base}/birth_date`)}-${part}`, text: t(part) }),
      h('input', {
        id: `${idFor(`${base}/birth_date`)}-${part}`, type: 'text', inputmode: 'numeric', maxlength: size, value: m[part],
        autocomplete: i === 0 ? `bday-${part}` : 'off',
        oninput: (e) => { m[part] = e.target.value; saveSoon(); },
        onchange: () => touch(`${base}/birth_date`),
      })))));
  const nik = input(`${base}/nik`, m.nik, set('nik'), { inputmode: 'numeric', autocomplete: 'off', disabled: m.newborn });
  return h('fieldset', { class: 'member' },
    h('legend', { text: legend }),
    field(`${base}/nik`, t('nik'), nik, { hint: t('nik_hint') }),
    h('div', { class: 'checkbox field' }, h('label', {}, h('input', {
      type: 'checkbox', id: `${idFor(base)}-newborn`, checked: m.newborn,
      onchange: (e) => { m.newborn = e.target.checked; nik.disabled = m.newborn; touch(`${base}/nik`); saveSoon(); },
    }), t('newborn'))),
    field(`${base}/name`, t('name'), input(`${base}/name`, m.name, set('name'), { autocomplete: i === 0 ? 'name' : 'off' }), { hint: t('name_hint') }),
    date,
    radios(`${base}/sex`, t('sex'), m.sex, [['M', t('sex_M')], ['F', t('sex_F')]], set('sex')),
    field(`${base}/relationship`, t('relationship'), select(`${base}/relationship`, m.relationship,
      ['head', 'spouse', 'child', 'parent', 'other'].map((r) => [r, t(`relationship_${r}`)]), set('relationship'))),
    field(`${base}/marital_status`, t('marital_status'), select(`${base}/marital_status`, m.marital_status,
      ['single', 'married', 'divorced', 'widowed'].map((r) => [r, t(`marital_${r}`)]), set('marital_status'))),
    removeButton(m, i));
}

// Removing a member asks first (naming whom), and keeps everyone else's documents.
function removeButton(m, i) {
  if (state.form.members.length < 2) return null;
  return h('button', {
    type: 'button', class: 'secondary', text: t('remove_member', { n: i + 1 }),
    onclick: async () => {
      const name = m.name.trim() || t('member', { n: i + 1 });
      if (!window.confirm(t(m.relationship === 'head' ? 'remove_head_confirm' : 'remove_member_confirm', { name }))) return;
      await removeMember(i);
      familyPage();
    },
  });
}

// A member whose answers are not open: who it is in a line, whether anything needs fixing, and
// the buttons to open (or remove) it. On a phone a family of four stays about two screens long.
function memberSummary(m, i) {
  const base = `/members/${i}`;
  const birth = birthDate(m);
  const about = [m.relationship ? t(`relationship_${m.relationship}`) : '', /^\d{4}-\d{2}-\d{2}$/.test(birth) ? dateInWords(birth) : '']
    .filter(Boolean).join(' · ');
  return h('section', { class: 'member-summary field', 'data-path': base, 'data-summary': '', 'aria-labelledby': `${idFor(base)}-title` },
    h('h2', { id: `${idFor(base)}-title`, text: m.name.trim() || t('member', { n: i + 1 }) }),
    about ? h('p', { text: about }) : null,
    h('p', { class: 'error-message', hidden: true }),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', id: `${idFor(base)}-open`, text: t('open_member', { n: i + 1 }),
        onclick: () => {
          state.openMember = i;
          familyPage();
          document.getElementById(idFor(`${base}/nik`))?.focus();
        } }),
      removeButton(m, i)));
}

// Member `i` leaves the form with its own documents only; the documents of the members after it
// move up with them (ascending, so that each moves into a key already vacated).
async function removeMember(i) {
  state.form.members.splice(i, 1);
  state.serverErrors = state.serverErrors.filter((e) => e.code !== COVERED);
  if (state.openMember > i || state.openMember >= state.form.members.length) state.openMember = Math.max(0, state.openMember - 1);
  const kept = {};
  const entries = Object.entries(state.documents).sort(([, a], [, b]) => (a.member ?? -1) - (b.member ?? -1));
  for (const [key, d] of entries) {
    if (d.member === null || d.member < i) {
      kept[key] = d;
    } else if (d.member === i) {
      await store.remove('documents', key);
    } else {
      const moved = { ...d, member: d.member - 1 };
      const movedKey = `${d.kind}:${moved.member}`;
      const blob = await store.get('documents', key);
      if (blob) await store.put('documents', movedKey, blob);
      await store.remove('documents', key);
      kept[movedKey] = moved;
    }
  }
  state.documents = kept;
  saveSoon();
}

function familyPage() {
  const f = state.form;
  render(
    ...heading(t('family_title'), 1, 'start'),
    h('form', { novalidate: true, onsubmit: (e) => { e.preventDefault(); continueFrom('family'); } },
      field('/kk_number', t('kk_number'), input('/kk_number', f.kk_number, (v) => { f.kk_number = v; prefetchKkRegion(); }, { inputmode: 'numeric', autocomplete: 'off' }), { hint: t('kk_hint') }),
      h('div', { 'data-path': '/members', class: 'field' }, h('p', { class: 'error-message', hidden: true })),
      // One member open at a time; the others in a line each.
      ...f.members.map((m, i) => (i === Math.min(state.openMember, f.members.length - 1) ? memberFieldset(m, i) : memberSummary(m, i))),
      // The relationship is the family's to choose; the new member's first field takes focus.
      h('button', { type: 'button', class: 'secondary', text: t('add_member'),
        onclick: () => {
          f.members.push(blankMember(''));
          state.openMember = f.members.length - 1;
          saveSoon();
          familyPage();
          document.getElementById(idFor(`/members/${f.members.length - 1}/nik`))?.focus();
        } }),
      buttons(h('button', { type: 'submit', text: t('continue') }))));
  check();
}

// Most families live where their KK was issued: once its number is typed (online), the region
// lists of its issuing district are fetched (and kept for offline use by the service worker), and
// the address starts there.
async function prefetchKkRegion() {
  const digits = state.form.kk_number.replace(/\D/g, '');
  if (digits.length !== 16) return;
  const codes = [digits.slice(0, 2), `${digits.slice(0, 2)}.${digits.slice(2, 4)}`, `${digits.slice(0, 2)}.${digits.slice(2, 4)}.${digits.slice(4, 6)}`];
  const lists = await Promise.all(codes.map(regionOptions));
  if (lists.every(Boolean) && !state.form.province) {
    [state.form.province, state.form.regency, state.form.district] = codes;
    saveSoon();
  }
}

async function contactPage(focusId) {
  const f = state.form;
  const levels = [['province', 'index'], ['regency', f.province], ['district', f.regency], ['village_code', f.district]];
  const lists = await Promise.all(levels.map(([, parent]) => (parent ? regionOptions(parent) : [])));
  const offline = lists.some((l) => l === null);
  const regionSelect = ([key], index) => {
    const path = key === 'village_code' ? '/address/village_code' : `/address/${key}`;
    return field(path, t(key === 'village_code' ? 'village' : key), select(path, f[key], lists[index] ?? [], (v) => {
      f[key] = v;
      if (key === 'village_code') return;
      // A new choice clears the levels below it and fetches the next list.
      for (const [below] of levels.slice(index + 1)) f[below] = '';
      contactPage(idFor(path));
    }));
  };
  render(
    ...heading(t('contact_title'), 2, 'family'),
    h('form', { novalidate: true, onsubmit: (e) => { e.preventDefault(); continueFrom('contact'); } },
      field('/contact/phone', t('phone'), input('/contact/phone', f.phone, (v) => { f.phone = v; }, { type: 'tel', inputmode: 'tel', autocomplete: 'tel' }), { hint: t('phone_hint') }),
      field('/contact/email', t('email'), input('/contact/email', f.email, (v) => { f.email = v; }, { type: 'email', autocomplete: 'email' })),
      offline ? h('p', { class: 'warning-message', text: t('regions_offline') }) : null,
      ...levels.map(regionSelect),
      h('div', { class: 'date-input' },
        field('/address/rt', t('rt'), input('/address/rt', f.rt, (v) => { f.rt = v; }, { inputmode: 'numeric', maxlength: 3 })),
        field('/address/rw', t('rw'), input('/address/rw', f.rw, (v) => { f.rw = v; }, { inputmode: 'numeric', maxlength: 3 }))),
      field('/address/postal_code', t('postal_code'), input('/address/postal_code', f.postal_code, (v) => { f.postal_code = v; }, { inputmode: 'numeric', maxlength: 5, autocomplete: 'postal-code' })),
      field('/address/line', t('address_line'), input('/address/line', f.line, (v) => { f.line = v; }, { autocomplete: 'street-address' })),
      buttons(h('button', { type: 'submit', text: t('continue') }))));
  if (focusId) document.getElementById(focusId)?.focus();
  check();
}

async function classPage() {
  const f = state.form;
  const members = f.members.length;
  const options = [];
  for (const c of await offeredClasses()) {
    const q = await core.call('quote', { request: { segment: f.segment, class: c, members } });
    if (!q.monthly) continue;
    let label = t('class_option', { class: c, amount: rupiah(q.monthly.participant), per: `Rp${rupiah(q.per_member.participant)}` });
    if (q.per_member.subsidy) label += `, ${t('subsidy', { subsidy: rupiah(q.per_member.subsidy) })}`;
    options.push([c, label, q.monthly.participant]);
  }
  const chosen = options.find(([c]) => c === f.class);
  const window_ = config?.payment_window ?? { earliest_days: 14, latest_days: 30 };
  render(
    ...heading(t('class_title'), 3, 'contact'),
    h('form', { novalidate: true, onsubmit: (e) => { e.preventDefault(); continueFrom('class'); } },
      h('p', { class: 'hint', text: t('class_hint') }),
      radios('/class', t('class_label'), f.class, options.map(([c, label]) => [c, label]), (v) => { f.class = v; classPage(); }),
      chosen ? h('p', { class: 'big', text: t('first_payment', { amount: rupiah(chosen[2]) }) }) : null,
      h('p', { text: t('waiting', { earliest: window_.earliest_days, latest: window_.latest_days }) }),
      config?.facilities ? await facilityField() : null,
      buttons(h('button', { type: 'submit', text: t('continue') }))));
  check();
}

// The first-level health facility (FKTP): those of the family's district first, then the rest of
// its regency, as the branch office loaded them.
async function facilityField() {
  const f = state.form;
  const list = async (query) => (await fetch(`/api/v1/facilities?${query}`).then((r) => r.json()).catch(() => ({}))).facilities ?? [];
  const near = f.district ? await list(`district=${f.district}`) : [];
  const further = f.regency ? (await list(`regency=${f.regency}`)).filter((x) => x.district_code !== f.district) : [];
  const options = [...near, ...further];
  if (!options.length) {
    return h('div', { class: 'field', 'data-path': '/facility', id: idFor('/facility') },
      h('h2', { text: t('facility_label') }),
      h('p', { class: 'error-message', id: `${idFor('/facility')}-error`, hidden: true }),
      h('p', { text: navigator.onLine ? (f.district ? t('facility_none') : t('facility_address_first')) : t('facility_offline') }));
  }
  return radios('/facility', t('facility_label'), f.facility,
    options.map((x) => [x.code, `${x.name} (${t(`facility_kind_${x.type}`)})`]),
    (v) => { f.facility = v; f.facility_name = options.find((x) => x.code === v)?.name ?? ''; });
}

// The documents this family needs: what the core asks for when none is given.
async function neededDocuments() {
  const answer = await core.call('validate', { application: { ...application(), documents: [] } });
  return answer.errors.filter((e) => e.code.startsWith('documents.missing_')).map((e) => {
    const kind = e.code.slice('documents.missing_'.length);
    const member = e.params.member ?? null;
    return { kind, member, key: member === null ? kind : `${kind}:${member}` };
  });
}

function documentLabel({ kind, member }) {
  const name = member === null ? '' : state.form.members[member]?.name || t('member', { n: member + 1 });
  return t(`doc_${kind}`, { name });
}

const kb = (n) => `${Math.round(n / 1024)} KB`;

function documentCard(doc) {
  const path = `/documents/${doc.key}`;
  const current = state.documents[doc.key];
  const progress = h('progress', { max: '100', value: current?.entry ? '100' : '0', 'aria-label': documentLabel(doc) });
  const status = h('p', { 'aria-live': 'polite', text: current?.entry ? t('doc_ready', { size: kb(current.entry.size) }) : '' });
  const problems = h('div', {});
  const preview = h('div', {});
  const showProblems = (d) => {
    problems.replaceChildren(
      ...(d?.errors ?? []).map((e) => h('p', { class: 'error-message', text: message(e) })),
      // Not .warning-message: that is the field's own line, which the core's findings rewrite.
      ...(d?.warnings ?? []).map((e) => h('p', { class: 'doc-warning', text: `${message(e)} ${t('doc_retake')}` })));
  };
  showProblems(current);
  if (current?.entry) showPreview(doc.key, current.entry.media_type, preview);
  const onFile = {
    onchange: async (e) => {
      const file = e.target.files[0];
      if (!file) return;
      progress.value = 20;
      status.textContent = t('doc_processing');
      const { checked, quality } = await core.prepareDocument(file, doc.kind);
      progress.value = 80;
      const record = { kind: doc.kind, member: doc.member, errors: checked.errors, warnings: quality?.warnings ?? [] };
      if (checked.valid) {
        const d = checked.document;
        record.entry = { media_type: d.media_type, size: d.size, blake2b: d.blake2b };
        record.original = file.size;
        await store.put('documents', doc.key, new Blob([checked.bytes], { type: d.media_type }));
        status.textContent = t('doc_ready', { size: `${kb(d.size)}${file.size > d.size ? ` (${kb(file.size)} → ${kb(d.size)})` : ''}` });
        showPreview(doc.key, d.media_type, preview);
      } else {
        status.textContent = '';
        delete state.documents[doc.key];
      }
      progress.value = checked.valid ? 100 : 0;
      if (checked.valid) state.documents[doc.key] = record;
      showProblems(record);
      saveSoon();
      check();
    },
  };
  // Two buttons in the family's words (the browser's own file button speaks its language): the
  // camera straight away, or a photo or PDF already on the phone.
  const camera = h('input', { type: 'file', id: `${idFor(path)}-camera`, class: 'file-input', accept: 'image/*', capture: 'environment', ...onFile });
  const file = h('input', { type: 'file', id: idFor(path), class: 'file-input', accept: 'image/*,application/pdf', ...onFile });
  return h('div', { class: 'document field', 'data-path': path },
    h('h2', { text: documentLabel(doc) }),
    h('p', { class: 'error-message', hidden: true }),
    h('div', { class: 'file-buttons' },
      camera, h('label', { for: camera.id, class: 'button', text: t('take_photo') }),
      file, h('label', { for: file.id, class: 'button secondary', text: t('choose_file') })),
    progress, status, problems, preview);
}

async function showPreview(key, mediaType, into) {
  if (!mediaType.startsWith('image/')) return into.replaceChildren(h('p', { text: 'PDF' }));
  const blob = await store.get('documents', key);
  if (blob) into.replaceChildren(h('img', { src: URL.createObjectURL(blob), alt: '' }));
}

async function documentsPage() {
  core.loadSealing();  // the sealing module loads while the user picks files
  const needed = await neededDocuments();
  // Documents of members no longer on the list are dropped.
  for (const key of Object.keys(state.documents)) if (!needed.some((d) => d.key === key)) delete state.documents[key];
  render(
    ...heading(t('documents_title'), 4, 'class'),
    h('p', { text: t('documents_intro') }),
    h('div', { 'data-path': '/documents', class: 'field' }, h('p', { class: 'error-message', hidden: true })),
    ...needed.map(documentCard),
    buttons(h('button', { type: 'button', text: t('continue'), onclick: () => continueFrom('documents') })));
  check();
}

// The consent to the population-registry check, in the catalogue's words (versioned).
async function consentField() {
  if (!config?.population_check) return null;
  const text = await core.call('consent-text', {});
  const box = h('input', { type: 'checkbox', id: 'f-consent', checked: Boolean(state.form.consent), onchange: (e) => {
    state.form.consent = e.target.checked ? { given_at: new Date().toISOString(), text_version: text.text_version } : null;
    touch('/consent');
    saveSoon();
  } });
  return h('fieldset', { class: 'field checkbox', 'data-path': '/consent' }, h('legend', { text: t('consent_legend') }),
    h('p', { text: text.text?.[language()] ?? text.text?.id }), h('p', { class: 'error-message', id: 'f-consent-error', hidden: true }),
    h('label', { for: 'f-consent' }, box, t('consent_label')));
}

// Printing the status page prints the cards only.
function printCards() {
  document.body.classList.add('print-cards');
  window.print();
  document.body.classList.remove('print-cards');
}

// A moment in the family's local time, in words: "20 Januari 2026 pukul 09.00".
const timeInWords = (iso) => (iso ? new Date(iso).toLocaleString(language() === 'en' ? 'en-GB' : 'id-ID', { dateStyle: 'long', timeStyle: 'short' }) : '');

// A date as the family reads it: "6 September 1987".
const dateInWords = (iso) => (iso ? new Date(`${iso}T00:00:00`).toLocaleDateString(language() === 'en' ? 'en-GB' : 'id-ID',
  { day: 'numeric', month: 'long', year: 'numeric' }) : '');

// The village, district and regency by name, from the region lists the contact step showed.
async function placeNames(f) {
  const name = async (parent, code) => (await regionOptions(parent))?.find(([c]) => c === code)?.[1] ?? code;
  if (!f.village_code || !f.district || !f.regency || !f.province) return f.village_code;
  const [village, district, regency] = await Promise.all([name(f.district, f.village_code), name(f.regency, f.district), name(f.province, f.regency)]);
  return `${t('village_short')} ${village}, ${t('district_short')} ${district}, ${regency}`;
}

async function checkPage() {
  const app = application();
  const answer = await check();
  const n = answer.normalized ?? app;
  const f = state.form;
  const quote = await core.call('quote', { request: { segment: f.segment, class: n.class, members: f.members.length } });
  const declaration = h('input', { type: 'checkbox', id: 'declaration', checked: state.declared,
    onchange: (e) => { state.declared = e.target.checked; } });
  // "Ubah" takes the family to that step and back here once it continues.
  const change = (step) => `${step}/check`;
  render(
    ...heading(state.correcting ? t('correction_heading', { reference: state.correcting }) : t('check_title'), 5, 'documents'),
    h('p', { text: state.correcting ? t('correction_intro') : t('check_intro') }),
    state.serverErrors.length ? h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' },
      h('h2', { text: t('server_disagrees') }), h('ul', {}, ...state.serverErrors.map((e) => h('li', { text: message(e) })))) : null,
    h('h2', { text: t('family_section') }),
    summaryList([[t('kk_number'), n.kk_number, change('family')],
      ...n.members.map((m, i) => [f.members[i]?.name.trim() || t('member', { n: i + 1 }),
        [m.nik ?? t('newborn'), dateInWords(m.birth_date), t(`sex_${m.sex}`), t(`relationship_${m.relationship}`),
          m.marital_status ? t(`marital_${m.marital_status}`) : ''].filter(Boolean).join(' · '), change('family')])]),
    h('h2', { text: t('contact_section') }),
    summaryList([[t('phone'), n.contact?.phone, change('contact')], [t('email'), n.contact?.email, change('contact')],
      [t('address_line'), [n.address?.line, `RT ${n.address?.rt}/RW ${n.address?.rw}`, await placeNames(f), n.address?.postal_code].join(', '), change('contact')]]),
    h('h2', { text: t('class_section') }),
    summaryList([[t('estimate_class'), quote.monthly ? t('class_with_cost', { class: n.class, amount: rupiah(quote.monthly.participant) }) : String(n.class), change('class')],
      ...(config?.facilities ? [[t('facility_label'), f.facility_name || n.facility, change('class')]] : [])]),
    h('h2', { text: t('documents_section') }),
    summaryList(Object.values(state.documents).map((d) => [documentLabel(d),
      `${t(d.entry.media_type === 'application/pdf' ? 'doc_pdf' : 'doc_photo')}, ${kb(d.entry.size)}`, change('documents')])),
    await consentField(),
    h('div', { class: 'checkbox field', 'data-path': '/declaration' },
      h('p', { class: 'error-message', id: 'declaration-error', hidden: true }),
      h('label', {}, declaration, t('declaration'))),
    buttons(h('button', { type: 'button', id: 'submit', text: state.correcting ? t('send_correction') : t('submit'), onclick: submit })),
    h('div', { id: 'submit-progress', 'aria-live': 'polite' }));
  const wrong = STEPS.slice(0, 4).find((s) => stepErrors(s).length);
  if (wrong) errorSummary(state.findings.errors);
}

// --- sending -----------------------------------------------------------------------------------

async function loadConfig() {
  try {
    const response = await fetch('/api/v1/config');
    if (response.ok) config = await response.json();
  } catch {
    // Offline without a cached config: submitting waits for a signal.
  }
  return config;
}

async function submit() {
  const button = document.getElementById('submit');
  const progress = document.getElementById('submit-progress');
  // The family's own declaration that the answers are true, before anything leaves the device.
  if (!state.declared) {
    const error = document.getElementById('declaration-error');
    error.textContent = t('declaration_required');
    error.hidden = false;
    return errorSummary([{ path: '/declaration', message: { id: t('declaration_required'), en: t('declaration_required') } }]);
  }
  button.disabled = true;
  state.showAll = true;
  await check();
  if (state.findings.errors.length) {
    button.disabled = false;
    return errorSummary(state.findings.errors);
  }
  if (!config) await loadConfig();
  if (!config) {
    progress.textContent = t('no_config');
    button.disabled = false;
    return;
  }
  progress.replaceChildren(h('p', { text: t('sealing') }));
  const app = application();
  const blobs = await Promise.all(app.documents.map((d) => store.get('documents', d.member === null ? d.kind : `${d.kind}:${d.member}`)));
  const sealed = await core.sealPackage(config.keys.intake, app, blobs);
  if (sealed.errors) {
    button.disabled = false;
    return errorSummary(sealed.errors);
  }
  const id = crypto.randomUUID();
  await store.put('outbox', id, { id, created: Date.now(), package: sealed.package, location: null, draft: true,
    correction: state.correcting, snapshot: await snapshot() });
  await sendOutbox(progress);
}

// What the family sent, kept with its registration on this device, so that a correction starts
// from its own answers and documents rather than from nothing.
async function snapshot() {
  const documents = Object.fromEntries(Object.entries(state.documents).filter(([, d]) => d.entry));
  const blobs = {};
  for (const key of Object.keys(documents)) blobs[key] = await store.get('documents', key);
  return { form: state.form, documents, blobs };
}

// Back to the answers of a registration that needs a correction, with what to correct beside them.
async function startCorrection(reference, saved, corrections) {
  const { form, documents, blobs } = saved.snapshot;
  state = blankState();
  Object.assign(state, { form, documents, correcting: reference, serverErrors: corrections, touched: new Set(corrections.map((c) => c.path)) });
  for (const [key, blob] of Object.entries(blobs)) if (blob) await store.put('documents', key, blob);
  saveSoon();
  const first = corrections.map((c) => STEPS.find((step) => step !== 'check' && inStep(step, c.path))).find(Boolean);
  go(first ?? 'check');
}

// Sends every sealed package waiting on this device (web/js/outbox.mjs); on a cut they stay, and
// the browser's Background Sync sends them later where it has it, the app open or not.
async function sendOutbox(progressEl) {
  try {
    await sendWaiting({
      progress: (sent, total) => {
        if (progressEl) progressEl.replaceChildren(h('p', { text: t('uploading', { percent: Math.round((100 * sent) / total) }) }),
          h('progress', { max: String(total), value: String(sent) }));
      },
      answered: (item, status, body) => {
        if (status === 201 || status === 202) {
          if (item.draft) state = blankState();
          // The family watching it go, or waiting for the signal, sees where it went.
          if (progressEl || location.hash === '#/queued') showSent(body.reference, item.correction);
          else if (location.hash.startsWith('#/status')) route_();
        } else {
          // The server's checks disagree: the same messages, on the check page.
          state.serverErrors = body.errors ?? [];
          if (progressEl || item.draft) go('check');
        }
      },
    });
  } catch (e) {
    if (!(e instanceof UploadInterrupted) && navigator.onLine) console.warn('upload failed', e);
    if (!progressEl) return;
    state.background = await waitForSignal();
    go('queued');
  }
}

// Where a sent registration shows: a new one's reference on the sent page, a correction's status.
const showSent = (reference, correction) => go(`${correction ? 'status' : 'sent'}/${reference}`);

// Asks the browser to send the outbox once there is a signal, even with the app closed (Background
// Sync); false where the browser cannot, and then the app sends it the next time it is open.
async function waitForSignal() {
  try {
    // Not waiting for a worker that may never come (it is registered once the page is usable).
    const registration = await Promise.race([navigator.serviceWorker?.ready, new Promise((r) => setTimeout(r, 2000))]);
    if (!registration?.sync) return false;
    await registration.sync.register(SYNC_TAG);
    return true;
  } catch {
    return false;
  }
}

function queuedPage() {
  render(...heading(t('queued_title')), h('p', { id: 'queued', text: t(state.background ? 'queued_background' : 'queued') }),
    buttons(h('a', { class: 'button secondary', href: '#/status', text: t('nav_status') })));
}

async function sentPage(reference) {
  const saved = await store.get('registrations', reference);
  render(
    ...heading(t('sent_title')),
    h('div', { class: 'panel-ok' }, h('p', { text: t('reference') }), h('p', { class: 'big', id: 'reference', text: reference }),
      saved?.access_code ? [h('p', { text: t('access_code') }), h('p', { class: 'big', id: 'access-code', text: saved.access_code })] : null),
    saved?.access_code ? h('p', { text: t('access_code_advice') }) : null,
    h('p', { text: t('sent_next', { days: config?.payment_window?.latest_days ?? 30 }) }),
    buttons(h('a', { class: 'button', href: `#/status/${reference}`, text: t('nav_status') })));
}

// --- status, cards, verification ---------------------------------------------------------------

async function qrSvg(text, label) {
  const { default: qrcode } = await import('./vendor/qrcode.mjs');
  const qr = qrcode(0, 'L');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `-2 -2 ${n + 4} ${n + 4}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  let d = '';
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) if (qr.isDark(y, x)) d += `M${x},${y}h1v1h-1z`;
  path.setAttribute('d', d);
  svg.append(path);
  return svg;
}

// An assisted-registration agent (a kader, a village officer) opens #/agen once on the device it
// uses to send the packages families gave it on a file; families never see that control.
async function agentPage() {
  await store.put('settings', 'agent_mode', true);
  return statusPage();
}

async function statusPage(reference) {
  const mine = await store.all('registrations');
  const outbox = await store.all('outbox');
  if (!reference) {
    const agent = await store.get('settings', 'agent_mode');
    return render(
      ...heading(t('my_registrations')),
      mine.length ? h('ul', {}, ...mine.map(({ key }) => h('li', {}, h('a', { href: `#/status/${key}`, text: key })))) : h('p', { text: '—' }),
      h('h2', { text: t('outbox') }),
      outbox.length ? h('ul', {}, ...outbox.map(({ value }) => h('li', {}, new Date(value.created).toLocaleString(language()), ' ',
        h('a', { href: URL.createObjectURL(value.package), download: `daftar-${value.id}.daftar`, text: t('export') })))) : h('p', { text: '—' }),
      lookupForm(),
      agent ? [h('h2', { text: t('agent_mode') }),
        h('div', { class: 'field' }, h('label', { for: 'import', text: t('import') }),
          h('input', { type: 'file', id: 'import', accept: '.daftar,application/vnd.daftar.package', onchange: importPackage })),
        buttons(h('button', { type: 'button', class: 'secondary', id: 'agent-off', text: t('agent_off'), onclick: async () => {
          await store.remove('settings', 'agent_mode');
          statusPage();
        } }))] : null,
      buttons(h('a', { class: 'button secondary', href: '#/start', text: t('nav_new') })));
  }
  const saved = await store.get('registrations', reference);
  let current = saved?.last;
  let stale = false;
  try {
    const response = await fetch(`/api/v1/registrations/${reference}`, { headers: { Authorization: `Bearer ${saved?.access_token ?? ''}` } });
    if (response.ok) {
      current = await response.json();
      await store.put('registrations', reference, { ...saved, last: current });
    }
  } catch {
    stale = true;
  }
  if (!current) return render(...heading(t('status_title')), h('p', { text: t('status_offline') }));
  const bill = current.bill;
  const cards = await Promise.all((current.cards ?? []).map(async (card) => {
    const payload = JSON.parse(card.payload);
    return h('div', { class: 'card' },
      h('p', { class: 'caption', text: 'Kartu JKN digital' }),
      h('p', { class: 'big', text: payload.card }),
      h('p', { text: `${payload.name} · ${t('estimate_class')} ${payload.class} · ${t(`status_${payload.status === 'active' ? 'active' : 'verified'}`)}` }),
      payload.birth_date ? h('p', { text: `${t('birth_date')}: ${dateInWords(payload.birth_date)}` }) : null,
      payload.facility ? h('p', { text: `${t('m_facility')}: ${payload.facility}` }) : null,
      await qrSvg(JSON.stringify(card), `QR ${payload.card}`),
      h('details', {}, h('summary', { text: t('qr_content') }), h('textarea', { readonly: true, rows: '4', 'aria-label': t('qr_content'), class: 'qr-text', text: JSON.stringify(card) })));
  }));
  render(
    ...heading(t('status_title')),
    stale ? h('p', { class: 'warning-message', text: t('status_offline') }) : null,
    h('p', {}, t('reference'), ': ', h('strong', { text: reference })),
    h('p', {}, h('span', { class: `tag ${current.status === 'active' ? 'tag-ok' : ''}`, id: 'status', text: t(`status_${current.status}`) })),
    // With the reference, the code opens this page on any phone: worth writing down.
    current.access_code ? h('div', { class: 'panel', id: 'access' },
      h('p', {}, t('access_code'), ': ', h('strong', { class: 'big', id: 'access-code', text: current.access_code })),
      h('p', { text: t('access_code_advice') })) : null,
    current.waiting ? h('div', { class: 'panel', role: 'status' }, h('h2', { text: t('waiting_title') }), h('p', { text: message(current.waiting) })) : null,
    current.status === 'needs_correction' ? [h('h2', { text: t('corrections_title') }),
      h('ul', { id: 'corrections' }, ...(current.corrections ?? []).map((c) => h('li', { text: message(c) }))),
      saved?.snapshot
        ? buttons(h('button', { type: 'button', id: 'correct', text: t('correct'), onclick: () => startCorrection(reference, saved, current.corrections ?? []) }))
        : h('p', { text: t('correction_elsewhere') })] : null,
    current.rejection ? [h('h2', { text: t('rejection_title') }),
      h('ul', {}, ...current.rejection.reasons.map((r) => h('li', { text: message(r) })))] : null,
    summaryList(current.members.map((m) => [m.name, `${m.nik_masked ?? ''} · ${t('card_number')}: ${m.card_number ?? '—'}`])),
    // The first payment is asked for until it is made; after it, what is due now, if anything.
    bill && current.status === 'verified' ? h('div', { class: 'panel' },
      h('p', {}, t('va'), ': ', h('strong', { class: 'big', id: 'va', text: bill.va })),
      h('p', {}, t('amount'), ': ', h('strong', { id: 'amount', 'data-amount': bill.amount, text: `Rp${rupiah(bill.amount)}` })),
      h('p', { text: t('window', { earliest: dateInWords(bill.earliest), latest: dateInWords(bill.latest) }) }),
      h('h2', { text: t('how_to_pay') }), h('ul', {}, ...t('pay_channels').map((c) => h('li', { text: c }))), h('p', { text: t('pay_exact') })) : null,
    bill && current.status === 'active' ? h('div', { class: 'panel', id: 'paid' },
      h('p', { text: current.due_now?.months?.length ? t('due_now', { amount: rupiah(current.due_now.amount), va: bill.va }) : t('paid_up') })) : null,
    current.receipt ? (() => {
      const r = JSON.parse(current.receipt.payload);
      return [h('h2', { text: t('receipt') }), summaryList([[t('reference'), r.reference], [t('va'), r.va],
        [t('amount'), `Rp${rupiah(r.amount)}`], [t('bank_ref'), `${r.bank_id} ${r.bank_ref}`], [t('paid_at'), timeInWords(r.paid_at)]])];
    })() : null,
    cards.length ? [h('h2', { text: t('cards_title') }), ...cards, buttons(h('button', { type: 'button', class: 'secondary', text: t('print'), onclick: printCards }))] : null,
    buttons(h('button', { type: 'button', class: 'secondary', text: t('refresh'), onclick: () => statusPage(reference) }),
      h('a', { class: 'button secondary', href: '#/verify', text: t('nav_verify') })));
}

// A registration made on another phone: its reference and access code, as written down.
function lookupForm() {
  const problem = h('p', { class: 'error-message', id: 'lookup-error', hidden: true });
  return h('form', { novalidate: true, id: 'lookup', onsubmit: async (e) => {
    e.preventDefault();
    const reference = document.getElementById('lookup-reference').value.trim().toUpperCase();
    const code = document.getElementById('lookup-code').value.trim();
    const response = await fetch(`/api/v1/registrations/${encodeURIComponent(reference)}`, { headers: { Authorization: `Bearer ${code}` } })
      .catch(() => null);
    if (!response?.ok) {
      problem.textContent = t(response ? 'lookup_not_found' : 'status_offline');
      problem.hidden = false;
      return document.getElementById('lookup-reference').focus();
    }
    const last = await response.json();
    await store.put('registrations', reference, { reference, access_token: code, last });
    go(`status/${reference}`);
  } },
  h('h2', { text: t('lookup_title') }), problem,
  h('div', { class: 'field' }, h('label', { for: 'lookup-reference', text: t('reference') }),
    h('input', { id: 'lookup-reference', type: 'text', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false' })),
  h('div', { class: 'field' }, h('label', { for: 'lookup-code', text: t('access_code') }),
    h('input', { id: 'lookup-code', type: 'text', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false' })),
  buttons(h('button', { type: 'submit', class: 'secondary', text: t('lookup') })));
}

async function importPackage(e) {
  const file = e.target.files[0];
  if (!file) return;
  const id = crypto.randomUUID();
  await store.put('outbox', id, { id, created: Date.now(), package: new Blob([await file.arrayBuffer()], { type: 'application/vnd.daftar.package' }), location: null });
  await sendOutbox(null);
  statusPage();
}

// The camera reads the QR where the browser offers BarcodeDetector (Android's Chrome does);
// pasting the QR's text stays for every other browser.
function scanButton(onText) {
  if (!('BarcodeDetector' in window) || !navigator.mediaDevices?.getUserMedia) return null;
  const video = h('video', { playsinline: true, muted: true, hidden: true, class: 'scanner', 'aria-label': t('scan_video') });
  const status = h('p', { 'aria-live': 'polite' });
  const scan = async () => {
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    } catch {
      status.textContent = t('scan_no_camera');
      return;
    }
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    status.textContent = t('scan_hold');
    const stop = () => { stream.getTracks().forEach((track) => track.stop()); video.hidden = true; };
    const started = Date.now();
    const look = async () => {
      const [code] = await detector.detect(video).catch(() => []);
      if (code?.rawValue) { stop(); status.textContent = ''; return onText(code.rawValue); }
      if (Date.now() - started > 60000) { stop(); status.textContent = t('scan_timeout'); return null; }
      return setTimeout(look, 250);
    };
    look();
  };
  return [buttons(h('button', { type: 'button', class: 'secondary', id: 'scan', text: t('scan'), onclick: scan })), video, status];
}

async function verifyPage() {
  const result = h('div', { 'aria-live': 'polite', id: 'verify-result' });
  const area = h('textarea', { id: 'qr-content', rows: '6' });
  const form = h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    await core.loadSealing();
    if (!config) await loadConfig();
    let card;
    try { card = JSON.parse(area.value); } catch { card = {}; }
    const answer = await core.call('verify-signed', { payload: card.payload ?? '', signature: card.signature ?? '', key: card.key ?? '', trusted_key: config?.keys?.signing ?? '' });
    if (answer.valid) {
      const p = answer.document;
      // A receipt verifies the same way as a card.
      result.replaceChildren(p.type === 'daftar.receipt/1'
        ? h('div', { class: 'panel-ok', role: 'status' }, h('p', { text: t('receipt_ok') }),
          h('p', { class: 'big', text: `Rp${rupiah(p.amount)}` }), h('p', { text: `${p.reference} · ${(p.months ?? []).map((m) => new Date(`${m}-01T00:00:00`).toLocaleDateString(language() === 'en' ? 'en-GB' : 'id-ID', { month: 'long', year: 'numeric' })).join(', ')} · ${p.bank_id} ${p.bank_ref}` }))
        : h('div', { class: 'panel-ok', role: 'status' }, h('p', { text: t('verified_ok') }),
          h('p', { class: 'big', text: p.card }), h('p', { text: `${p.name} · ${t('estimate_class')} ${p.class} · ${t(`status_${p.status === 'active' ? 'active' : 'verified'}`)}` }),
          // What "Aktif" means: on the day the card was fetched, not necessarily today.
          h('p', { text: t(p.status === 'active' ? 'card_active_meaning' : 'card_inactive_meaning', { day: dateInWords(p.as_of ?? p.issued) }) })));
    } else {
      result.replaceChildren(h('div', { class: 'error-summary', role: 'alert' }, ...answer.errors.map((err) => h('p', { text: message(err) }))));
    }
  } },
  h('div', { class: 'field' }, h('label', { for: 'qr-content', text: t('verify_label') }), area),
  buttons(h('button', { type: 'submit', text: t('verify') })));
  render(
    ...heading(t('verify_title')),
    scanButton((text) => { area.value = text; form.requestSubmit(); }),
    form,
    result,
    h('p', {}, h('a', { href: '#/start', text: t('home') })));
}

// --- routing and start-up ----------------------------------------------------------------------

function go(route) {
  if (location.hash === `#/${route}`) route_();
  else location.hash = `#/${route}`;
}

const PAGES = { start: startPage, family: familyPage, contact: contactPage, class: classPage, documents: documentsPage, check: checkPage, queued: queuedPage, verify: verifyPage };

let memberImports = 0;  // how often the member's pages could not be fetched

async function route_() {
  const [page, arg] = location.hash.replace(/^#\/?/, '').split('/');
  state.showAll = false;
  state.returnTo = STEPS.includes(page) && arg === 'check' ? 'check' : null;
  if (page === 'sent') return sentPage(arg);
  if (page === 'status') return statusPage(arg);
  if (page === 'agen') return agentPage();
  // The member's pages are their own module, fetched when first opened (and kept from then on):
  // signing in needs a signal anyway, so a first visit does not download them in advance.
  if (page === 'masuk' || page === 'akun') {
    // A failed import stays failed for this URL in this page, so a retry asks under another name.
    const member = await import(memberImports ? `./member.mjs?try=${memberImports}` : './member.mjs').catch(() => null);
    if (!member) {
      memberImports += 1;
      render(h('h1', { text: t('m_sign_in') }), h('p', { role: 'status', text: t('m_offline') }),
        h('p', {}, h('a', { href: '#/start', text: t('home') })));
      return main.focus({ preventScroll: true });
    }
    await (page === 'masuk' ? member.signInPage() : member.accountPage());
    return main.focus({ preventScroll: true });
  }
  await (PAGES[page] ?? startPage)();
  main.focus({ preventScroll: true });
}

function applyLanguage() {
  document.documentElement.lang = language();
  const toggle = document.getElementById('lang-toggle');
  toggle.textContent = t('lang_switch');
  toggle.lang = t('lang_code');
  document.getElementById('forget').textContent = t('forget');
  document.getElementById('footer-note').textContent = t('footer');
  updateNetwork();
}

function updateNetwork() {
  const banner = document.getElementById('network');
  banner.hidden = navigator.onLine;
  banner.textContent = t('offline_banner');
}

async function startUp() {
  setLanguage(localStorage.getItem('lang') ?? 'id');
  applyLanguage();
  document.getElementById('lang-toggle').addEventListener('click', () => {
    setLanguage(language() === 'id' ? 'en' : 'id');
    localStorage.setItem('lang', language());
    applyLanguage();
    route_();
  });
  document.getElementById('forget').addEventListener('click', async () => {
    if (!window.confirm(t('forget_confirm'))) return;
    await store.forgetEverything();
    state = blankState();
    go('start');
  });
  addEventListener('online', () => { updateNetwork(); sendOutbox(null); });
  // The service worker sent a waiting registration (Background Sync) while this page was open:
  // the family waiting for it sees its reference, the status list shows it.
  navigator.serviceWorker?.addEventListener('message', (e) => {
    if (!e.data?.sent) return;
    if (location.hash === '#/queued' && e.data.reference) {
      state = blankState();  // the worker has cleared the draft it sent
      showSent(e.data.reference, e.data.correction);
    }
    else if (location.hash.startsWith('#/status')) route_();
  });
  addEventListener('offline', updateNetwork);
  addEventListener('hashchange', route_);
  await loadConfig();
  const draft = await store.loadDraft(config?.draft_expiry_days ?? DRAFT_DAYS);
  if (draft) {
    state.form = draft.form;
    state.estimate = draft.estimate ?? state.estimate;
    state.documents = draft.documents ?? {};
    state.touched = new Set(draft.touched ?? []);
    state.correcting = draft.correcting ?? null;
    // Refused while the app was closed (sent in the background): the reasons, on the check page.
    state.serverErrors = draft.server_errors ?? [];
    if (state.serverErrors.length && !location.hash.slice(2)) location.hash = '#/check';
  }
  document.getElementById('loading')?.remove();
  await route_();
  // Only once the page is usable: keeping the app for offline use must not slow the first load.
  // A module worker where the browser has one (it can send the outbox by Background Sync), the
  // classic one, which keeps the app offline, elsewhere.
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.mjs', { type: 'module' }).catch(() => navigator.serviceWorker.register('/sw.js')).catch(() => {});
  }
  if (navigator.onLine) sendOutbox(null);
}

startUp();
