// The operators' console: sign in, the queue, a case with its documents, decisions. It speaks the
// operator API (docs/api.md) with the session cookie the server sets (HttpOnly) and the CSRF
// token it answers with. Every rule and every message about the data comes from the server.
const words = {
  id: {
    lang: 'English', lang_code: 'en', console: 'Konsol petugas', sign_out: 'Keluar',
    sign_in: 'Masuk', name: 'Nama petugas', password: 'Kata sandi', sign_in_title: 'Masuk sebagai petugas',
    setup_title: 'Siapkan akun petugas', setup_intro: 'Pilih kata sandi untuk akun Anda (paling sedikit 12 karakter). Tautan ini hanya berlaku sekali.',
    password_again: 'Ulangi kata sandi', passwords_differ: 'Kedua kata sandi tidak sama.', setup_done: 'Akun {name} siap. Silakan masuk.',
    errors: 'Ada masalah', queue: 'Antrean pemeriksaan', status: 'Status', any: 'Semua', district: 'Kecamatan atau kabupaten (kode)',
    district_hint: 'Misalnya 32.04.11 atau 32.04', older: 'Diterima lebih dari … hari lalu', filter: 'Saring',
    reference: 'Referensi', received: 'Diterima', members: 'Anggota', warnings: 'Peringatan', registry: 'Dukcapil',
    empty: 'Tidak ada pendaftaran yang menunggu dengan saringan ini.', back: 'Kembali ke antrean',
    st_review: 'Perlu diperiksa', st_needs_correction: 'Menunggu perbaikan keluarga', st_verifying: 'Menunggu Dukcapil',
    st_verified: 'Terverifikasi', st_rejected: 'Ditolak', st_active: 'Aktif', st_expired: 'Kedaluwarsa',
    pc_not_configured: 'tidak diperiksa', pc_pending: 'menunggu', pc_done: 'sudah diperiksa',
    case_title: 'Pendaftaran {ref}', family: 'Keluarga', kk: 'Nomor KK', contact: 'Kontak', address: 'Alamat', class: 'Kelas',
    nik: 'NIK', member_name: 'Nama', birth_date: 'Tanggal lahir', sex: 'Jenis kelamin', relationship: 'Hubungan',
    result: 'Hasil Dukcapil', res_match: 'cocok', res_mismatch: 'tidak cocok', res_not_found: 'tidak ditemukan', not_sent: 'tidak dikirim (tanpa NIK)',
    f_kk_number: 'KK', f_name: 'nama', f_birth_date: 'tgl lahir', f_sex: 'jenis kelamin',
    documents: 'Dokumen', download: 'Unduh {kind} (PDF)', doc_kk: 'Kartu Keluarga', doc_ktp: 'e-KTP anggota {n}',
    doc_birth_certificate: 'Akta/surat lahir anggota {n}', doc_other: 'Dokumen {kind}',
    corrections: 'Yang harus diperbaiki keluarga', corrected: 'Sudah diperbaiki {n} kali oleh keluarga.',
    decide: 'Keputusan', approve: 'Setujui dan terbitkan nomor kartu', note: 'Catatan (disimpan di jejak audit)',
    reject: 'Tolak', reasons: 'Alasan penolakan (ditampilkan kepada keluarga)', ask: 'Minta perbaikan',
    message: 'Pesan untuk keluarga: apa yang harus diperbaiki', paths: 'Isian yang harus diperbaiki (opsional, misalnya /members/1/name)',
    supervisor_only: 'Hasil Dukcapil tidak cocok: hanya supervisor yang dapat menyetujui (empat mata).',
    done: 'Keputusan tersimpan: {status}.', signed_in_as: '{name} ({role})', role_reviewer: 'pemeriksa', role_supervisor: 'supervisor',
    network: 'Server tidak dapat dihubungi. Coba lagi.',
    sex_M: 'Laki-laki', sex_F: 'Perempuan', rel_head: 'Kepala keluarga', rel_spouse: 'Suami/istri', rel_child: 'Anak',
    rel_parent: 'Orang tua', rel_other: 'Lainnya',
    changes: 'Perubahan data keluarga', changes_empty: 'Tidak ada perubahan yang menunggu pemeriksaan.', change: 'Perubahan',
    change_title: 'Perubahan {id} · {ref}', requested: 'Diajukan', effective: 'Berlaku mulai', type: 'Jenis',
    ct_add_member: 'Tambah anggota', ct_death: 'Lapor kematian', ct_facility: 'Pindah faskes lebih awal',
    death_of: 'Yang meninggal', death_date: 'Tanggal meninggal', facility_code: 'Faskes tujuan', reason: 'Alasan',
    r_moved: 'pindah domisili', r_assignment: 'ditugaskan', r_study: 'kuliah', approve_change: 'Setujui perubahan',
    doc_marriage_certificate: 'Buku nikah/akta perkawinan', doc_death_certificate: 'Akta kematian', doc_supporting_letter: 'Surat pendukung (domisili, tugas, atau kuliah)', doc_photo: 'Pas foto anggota {n}', doc_bank_book: 'Buku tabungan',
    cs_applied: 'berlaku', cs_scheduled: 'terjadwal', cs_refused: 'ditolak', card_issued: 'Nomor kartu baru: {card}.',
  },
  en: {
    lang: 'Bahasa Indonesia', lang_code: 'id', console: "Operators' console", sign_out: 'Sign out',
    sign_in: 'Sign in', name: 'Operator name', password: 'Password', sign_in_title: 'Sign in as an operator',
    setup_title: 'Set up your operator account', setup_intro: 'Choose a password for your account (at least 12 characters). This link works once.',
    password_again: 'Password again', passwords_differ: 'The two passwords differ.', setup_done: 'Account {name} is ready. Please sign in.',
    errors: 'There is a problem', queue: 'Review queue', status: 'Status', any: 'All', district: 'District or regency (code)',
    district_hint: 'For example 32.04.11 or 32.04', older: 'Received more than … days ago', filter: 'Filter',
    reference: 'Reference', received: 'Received', members: 'Members', warnings: 'Warnings', registry: 'Registry',
    empty: 'No registration waits with these filters.', back: 'Back to the queue',
    st_review: 'To review', st_needs_correction: "Waiting for the family's correction", st_verifying: 'Waiting for the registry',
    st_verified: 'Verified', st_rejected: 'Rejected', st_active: 'Active', st_expired: 'Expired',
    pc_not_configured: 'not checked', pc_pending: 'waiting', pc_done: 'checked',
    case_title: 'Registration {ref}', family: 'Family', kk: 'Family card number', contact: 'Contact', address: 'Address', class: 'Class',
    nik: 'NIK', member_name: 'Name', birth_date: 'Date of birth', sex: 'Sex', relationship: 'Relationship',
    result: 'Registry result', res_match: 'match', res_mismatch: 'mismatch', res_not_found: 'not found', not_sent: 'not sent (no NIK)',
    f_kk_number: 'family card', f_name: 'name', f_birth_date: 'birth date', f_sex: 'sex',
    documents: 'Documents', download: 'Download {kind} (PDF)', doc_kk: 'Family card', doc_ktp: 'e-KTP of member {n}',
    doc_birth_certificate: 'Birth certificate of member {n}', doc_other: 'Document {kind}',
    corrections: 'What the family must correct', corrected: 'Corrected {n} times by the family.',
    decide: 'Decision', approve: 'Approve and issue card numbers', note: 'Note (kept in the audit trail)',
    reject: 'Reject', reasons: 'Reasons for rejecting (shown to the family)', ask: 'Ask for a correction',
    message: 'Message to the family: what to correct', paths: 'Answers to correct (optional, e.g. /members/1/name)',
    supervisor_only: 'The registry disagrees: only a supervisor may approve (four eyes).',
    done: 'Decision saved: {status}.', signed_in_as: '{name} ({role})', role_reviewer: 'reviewer', role_supervisor: 'supervisor',
    network: 'The server cannot be reached. Try again.',
    sex_M: 'Male', sex_F: 'Female', rel_head: 'Head of family', rel_spouse: 'Spouse', rel_child: 'Child',
    rel_parent: 'Parent', rel_other: 'Other',
    changes: "Changes to families' details", changes_empty: 'No change waits for review.', change: 'Change',
    change_title: 'Change {id} · {ref}', requested: 'Asked for', effective: 'Takes effect', type: 'Kind',
    ct_add_member: 'New member', ct_death: 'Death reported', ct_facility: 'Early change of health facility',
    death_of: 'Who died', death_date: 'Date of death', facility_code: 'New facility', reason: 'Reason',
    r_moved: 'moved house', r_assignment: 'assigned elsewhere', r_study: 'studying elsewhere', approve_change: 'Approve the change',
    doc_marriage_certificate: 'Marriage certificate', doc_death_certificate: 'Death certificate', doc_supporting_letter: 'Supporting letter (residence, assignment or studies)', doc_photo: 'Photo of member {n}', doc_bank_book: 'Bank book',
    cs_applied: 'in effect', cs_scheduled: 'scheduled', cs_refused: 'refused', card_issued: 'New card number: {card}.',
  },
};

let lang = localStorage.getItem('daftar-operator-lang') === 'en' ? 'en' : 'id';
let session = null;  // { operator: {name, role}, csrf }
const main = document.getElementById('main');
const t = (key, params = {}) => (words[lang][key] ?? key).replace(/\{(\w+)\}/g, (_, k) => params[k] ?? '');
const say = (message) => (message ? message[lang] ?? message.id : '');

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'on') for (const [event, fn] of Object.entries(v)) el.addEventListener(event, fn);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (session?.csrf && method !== 'GET') headers['X-CSRF-Token'] = session.csrf;
  let res;
  try {
    res = await fetch(`/api/v1/operator${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin' });
  } catch {
    return { status: 0, body: { errors: [{ message: { id: words.id.network, en: words.en.network } }] } };
  }
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, body: type.includes('json') ? await res.json() : null };
}

// A page: its title, and focus on the heading (or on the error summary when there are errors).
function show(title, ...content) {
  document.title = `${title} · Daftar JKN`;
  main.replaceChildren(h('h1', { tabindex: '-1', id: 'page-title' }, title), ...content.flat(2).filter((c) => c !== null && c !== undefined));
  document.getElementById('page-title').focus();
}

function errorSummary(errors) {
  const box = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' }, h('h2', { text: t('errors') }),
    h('ul', {}, errors.map((e) => h('li', { text: say(e.message) || e.code }))));
  return box;
}

function field(label, input, hint) {
  const id = input.id;
  return h('div', { class: 'field' }, h('label', { for: id, text: label }), hint ? h('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null, input);
}

function header() {
  document.getElementById('brand-sub').textContent = t('console');
  const toggle = document.getElementById('lang-toggle');
  toggle.textContent = t('lang');
  toggle.lang = t('lang_code');
  document.documentElement.lang = lang;
  const out = document.getElementById('sign-out');
  out.textContent = t('sign_out');
  out.hidden = !session;
  document.getElementById('who').textContent = session
    ? t('signed_in_as', { name: session.operator.name, role: t(`role_${session.operator.role}`) }) : '';
}

function setupPage(token, problem) {
  const password = h('input', { type: 'password', id: 'password', autocomplete: 'new-password', required: true, minlength: '12' });
  const again = h('input', { type: 'password', id: 'password-again', autocomplete: 'new-password', required: true });
  const form = h('form', { novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    if (password.value !== again.value) return setupPage(token, [{ message: { id: words.id.passwords_differ, en: words.en.passwords_differ } }]);
    const r = await api('POST', '/setup', { token, password: password.value });
    if (r.status !== 200) return setupPage(token, r.body.errors);
    history.replaceState(null, '', '/operator/');
    signInPage(null, t('setup_done', { name: r.body.name }));
  } } }, field(t('password'), password), field(t('password_again'), again), h('button', { type: 'submit', text: t('setup_title') }));
  show(t('setup_title'), problem ? errorSummary(problem) : null, h('p', { text: t('setup_intro') }), form);
}

function signInPage(problem, note) {
  session = null;
  header();
  const name = h('input', { type: 'text', id: 'name', autocomplete: 'username', required: true, spellcheck: 'false', autocapitalize: 'none' });
  const password = h('input', { type: 'password', id: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    const r = await api('POST', '/session', { name: name.value.trim(), password: password.value });
    if (r.status !== 200) return signInPage(r.body.errors);
    session = { operator: r.body.operator, csrf: r.body.csrf };
    header();
    queuePage();
  } } }, field(t('name'), name), field(t('password'), password), h('button', { type: 'submit', text: t('sign_in') }));
  show(t('sign_in_title'), problem ? errorSummary(problem) : null, note ? h('p', { class: 'notice', role: 'status', text: note }) : null, form);
}

const filters = { status: '', district: '', older_than_days: '' };

async function queuePage() {
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== '')).toString();
  const r = await api('GET', `/queue${query ? `?${query}` : ''}`);
  if (r.status === 401) return signInPage();
  const status = h('select', { id: 'filter-status' }, ['', 'review', 'needs_correction', 'verifying'].map((s) =>
    h('option', { value: s, selected: filters.status === s, text: s ? t(`st_${s}`) : t('any') })));
  const district = h('input', { type: 'text', id: 'filter-district', value: filters.district, inputmode: 'decimal', 'aria-describedby': 'filter-district-hint' });
  const older = h('input', { type: 'number', id: 'filter-older', min: '0', value: filters.older_than_days });
  const form = h('form', { class: 'filters', on: { submit: (e) => {
    e.preventDefault();
    Object.assign(filters, { status: status.value, district: district.value.trim(), older_than_days: older.value });
    queuePage();
  } } }, field(t('status'), status), field(t('district'), district, t('district_hint')), field(t('older'), older),
  h('button', { type: 'submit', class: 'secondary', text: t('filter') }));
  const rows = (r.body?.queue ?? []).map((c) => h('tr', {},
    h('td', {}, h('a', { href: `#case=${c.reference}`, text: c.reference })),
    h('td', { text: t(`st_${c.status}`) }), h('td', { text: new Date(c.received).toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB') }),
    h('td', { text: String(c.members) }), h('td', { text: c.district ?? '' }), h('td', { text: c.warnings.join(', ') }),
    h('td', { text: t(`pc_${c.population_check}`) })));
  const table = rows.length
    ? h('table', {}, h('caption', { class: 'caption', text: t('queue') }),
      h('thead', {}, h('tr', {}, ['reference', 'status', 'received', 'members', 'district', 'warnings', 'registry'].map((k) => h('th', { scope: 'col', text: t(k) })))),
      h('tbody', {}, rows))
    : h('p', { class: 'panel', text: t('empty') });
  show(t('queue'), r.status !== 200 ? errorSummary(r.body?.errors ?? []) : null, form, table, await changesTable());
}

// Members' changes that wait for a person: a member who joins or died, an early facility change.
async function changesTable() {
  const r = await api('GET', '/changes');
  const rows = (r.body?.changes ?? []).map((c) => h('tr', {},
    h('td', {}, h('a', { href: `#change=${c.change}`, text: `${t('change')} ${c.change}` })), h('td', { text: c.reference }),
    h('td', { text: t(`ct_${c.type}`) }), h('td', { text: new Date(c.requested_at).toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB') })));
  return [h('h2', { text: t('changes') }), rows.length
    ? h('table', {}, h('caption', { class: 'caption', text: t('changes') }),
      h('thead', {}, h('tr', {}, ['change', 'reference', 'type', 'requested'].map((k) => h('th', { scope: 'col', text: t(k) })))),
      h('tbody', {}, rows))
    : h('p', { class: 'panel', text: t('changes_empty') })];
}

async function changePage(id, notice) {
  const r = await api('GET', `/changes/${encodeURIComponent(id)}`);
  if (r.status === 401) return signInPage();
  if (r.status !== 200) return show(t('change_title', { id, ref: '' }), errorSummary(r.body?.errors ?? []), h('a', { href: '#', text: t('back') }));
  const c = r.body;
  const d = c.detail ?? {};
  const died = c.type === 'death' ? c.family.members.find((m) => m.position === d.member) : null;
  const rows = [[t('type'), t(`ct_${c.type}`)], [t('status'), c.status === 'review' ? t('st_review') : t(`cs_${c.status}`)],
    [t('requested'), new Date(c.requested_at).toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB')], [t('effective'), c.effective]];
  if (d.member && c.type === 'add_member') {
    rows.push([t('member_name'), d.member.name], [t('nik'), d.member.nik ?? '—'], [t('birth_date'), d.member.birth_date],
      [t('sex'), t(`sex_${d.member.sex}`)], [t('relationship'), t(`rel_${d.member.relationship}`)]);
  }
  if (died) rows.push([t('death_of'), `${died.name} (${t(`rel_${died.relationship}`)})`], [t('death_date'), d.date]);
  if (c.type === 'facility') rows.push([t('facility_code'), d.code], [t('reason'), d.reason ? t(`r_${d.reason}`) : '—']);
  const summary = h('dl', { class: 'summary' }, rows.map(([k, v]) => h('div', {}, h('dt', { text: k }), h('dd', { text: v ?? '' }))));
  const family = h('table', {}, h('caption', { class: 'caption', text: t('family') }),
    h('thead', {}, h('tr', {}, ['member_name', 'relationship'].map((k) => h('th', { scope: 'col', text: t(k) })))),
    h('tbody', {}, c.family.members.map((m) => h('tr', {}, h('td', { text: m.name }), h('td', { text: t(`rel_${m.relationship}`) })))));
  const docs = h('div', { class: 'documents' }, await Promise.all((c.documents ?? []).map((doc) =>
    documentView(`/api/v1/operator/changes/${c.change}/documents/${doc.index}`, doc))));
  show(t('change_title', { id: c.change, ref: c.reference }), notice ? h('p', { class: 'notice', role: 'status', text: notice }) : null,
    h('p', {}, h('a', { href: '#', text: t('back') })), summary, h('h2', { text: t('family') }), family,
    c.documents ? [h('h2', { text: t('documents') }), docs] : [],
    c.status === 'review' ? await changeDecisions(c) : null);
}

async function changeDecisions(c) {
  const reasons = (await api('GET', '/reasons')).body?.reasons ?? [];
  const decide = (action, body) => async (e) => {
    e.preventDefault();
    const r = await api('POST', `/changes/${c.change}/${action}`, body());
    if (r.status === 200) {
      return changePage(c.change, `${t('done', { status: t(`cs_${r.body.status}`) })}${r.body.card_number ? ` ${t('card_issued', { card: r.body.card_number })}` : ''}`);
    }
    const box = e.target.querySelector('.form-errors');
    box.replaceChildren(errorSummary(r.body?.errors ?? []));
    box.firstChild.focus();
  };
  const approve = h('section', {}, h('h3', { text: t('approve_change') }),
    h('form', { on: { submit: decide('approve', () => ({})) } }, h('div', { class: 'form-errors' }),
      h('button', { type: 'submit', text: t('approve_change') })));
  const boxes = reasons.map((r, i) => h('div', { class: 'checkbox' },
    h('label', { for: `reason-${i}` }, h('input', { type: 'checkbox', id: `reason-${i}`, value: r.code }), say(r.message))));
  const reject = h('section', {}, h('h3', { text: t('reject') }),
    h('form', { on: { submit: decide('reject', () => ({ reasons: boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value) })) } },
      h('div', { class: 'form-errors' }), h('fieldset', {}, h('legend', { text: t('reasons') }), boxes),
      h('button', { type: 'submit', class: 'warning', text: t('reject') })));
  return [h('h2', { text: t('decide') }), h('div', { class: 'decisions' }, approve, reject)];
}

function documentLabel(d) {
  const n = d.member === null || d.member === undefined ? '' : d.member + 1;
  return `doc_${d.kind}` in words[lang] ? t(`doc_${d.kind}`, { n }) : t('doc_other', { kind: d.kind });
}

async function documentView(url, d) {
  if (d.media_type === 'application/pdf') return h('figure', {}, h('a', { href: url, download: '', text: t('download', { kind: documentLabel(d) }) }));
  const res = await fetch(url, { credentials: 'same-origin' });
  const img = h('img', { alt: documentLabel(d), src: res.ok ? URL.createObjectURL(await res.blob()) : '' });
  return h('figure', {}, img, h('figcaption', { text: documentLabel(d) }));
}

function registryCell(m) {
  if (!m.registry) return h('td', { text: t('not_sent') });
  const flags = Object.entries(m.registry.fields ?? {}).map(([f, ok]) =>
    h('span', { class: ok ? 'flag-yes' : 'flag-no', text: `${t(`f_${f}`)} ${ok ? '✓' : '✗'} ` }));
  return h('td', {}, h('strong', { text: t(`res_${m.registry.result}`) }), h('br'), flags);
}

async function casePage(reference, notice) {
  const r = await api('GET', `/registrations/${encodeURIComponent(reference)}`);
  if (r.status === 401) return signInPage();
  if (r.status !== 200) return show(t('case_title', { ref: reference }), errorSummary(r.body?.errors ?? []), h('a', { href: '#', text: t('back') }));
  const c = r.body;
  const members = h('table', {}, h('caption', { class: 'caption', text: t('members') }),
    h('thead', {}, h('tr', {}, ['member_name', 'nik', 'birth_date', 'sex', 'relationship', 'result'].map((k) => h('th', { scope: 'col', text: t(k) })))),
    h('tbody', {}, c.members.map((m) => h('tr', {}, h('td', { text: m.name }), h('td', { text: m.nik ?? '—' }),
      h('td', { text: m.birth_date }), h('td', { text: t(`sex_${m.sex}`) }), h('td', { text: t(`rel_${m.relationship}`) }), registryCell(m)))));
  const summary = h('dl', { class: 'summary' },
    [[t('status'), t(`st_${c.status}`)], [t('received'), new Date(c.received).toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB')],
      [t('kk'), c.kk_number], [t('class'), String(c.class)],
      [t('contact'), [c.contact?.phone, c.contact?.email].filter(Boolean).join(' · ')],
      [t('address'), [c.address?.line, `RT ${c.address?.rt}/RW ${c.address?.rw}`, c.address?.village_code, c.address?.postal_code].join(', ')]]
      .map(([k, v]) => h('div', {}, h('dt', { text: k }), h('dd', { text: v ?? '' }))));
  const warnings = c.warnings.length ? h('ul', {}, c.warnings.map((w) => h('li', { text: say(w.message) }))) : null;
  const corrections = c.corrections.length
    ? [h('h2', { text: t('corrections') }), h('ul', {}, c.corrections.map((x) => h('li', { text: `${x.path ? `${x.path}: ` : ''}${say(x.message)}` })))]
    : [];
  const docs = h('div', { class: 'documents' }, await Promise.all(c.documents.map((d) =>
    documentView(`/api/v1/operator/registrations/${reference}/documents/${d.index}`, d))));
  show(t('case_title', { ref: reference }), notice ? h('p', { class: 'notice', role: 'status', text: notice }) : null,
    h('p', {}, h('a', { href: '#', text: t('back') })), summary, warnings ? [h('h2', { text: t('warnings') }), warnings] : [],
    h('h2', { text: t('family') }), members, ...corrections,
    c.corrected_times ? h('p', { text: t('corrected', { n: c.corrected_times }) }) : null,
    h('h2', { text: t('documents') }), docs, await decisions(c));
}

async function decisions(c) {
  if (!['review', 'needs_correction'].includes(c.status)) return null;
  const reasons = (await api('GET', '/reasons')).body?.reasons ?? [];
  const decide = (action, body) => async (e) => {
    e.preventDefault();
    const r = await api('POST', `/registrations/${c.reference}/${action}`, body());
    if (r.status === 200) return casePage(c.reference, t('done', { status: t(`st_${r.body.status}`) }));
    const box = e.target.querySelector('.form-errors');
    box.replaceChildren(errorSummary(r.body?.errors ?? []));
    box.firstChild.focus();
  };
  const supervisorOnly = (c.registry_mismatch || c.status === 'needs_correction') && session?.operator.role !== 'supervisor';
  const approveNote = h('textarea', { id: 'approve-note', rows: '2' });
  const approve = h('section', {}, h('h3', { text: t('approve') }),
    supervisorOnly ? h('p', { class: 'notice', text: t('supervisor_only') }) : null,
    h('form', { on: { submit: decide('approve', () => ({ note: approveNote.value })) } }, h('div', { class: 'form-errors' }),
      field(t('note'), approveNote), h('button', { type: 'submit', disabled: supervisorOnly, text: t('approve') })));
  const rejectNote = h('textarea', { id: 'reject-note', rows: '2' });
  const boxes = reasons.map((r, i) => h('div', { class: 'checkbox' },
    h('label', { for: `reason-${i}` }, h('input', { type: 'checkbox', id: `reason-${i}`, value: r.code }), say(r.message))));
  const reject = h('section', {}, h('h3', { text: t('reject') }),
    h('form', { on: { submit: decide('reject', () => ({ reasons: boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value), note: rejectNote.value })) } },
      h('div', { class: 'form-errors' }), h('fieldset', {}, h('legend', { text: t('reasons') }), boxes), field(t('note'), rejectNote),
      h('button', { type: 'submit', class: 'warning', text: t('reject') })));
  const message = h('textarea', { id: 'correction-message', rows: '3' });
  const paths = h('input', { type: 'text', id: 'correction-paths', spellcheck: 'false' });
  const ask = c.status === 'review' ? h('section', {}, h('h3', { text: t('ask') }),
    h('form', { on: { submit: decide('request-correction', () => ({ message: message.value,
      ...(paths.value.trim() ? { paths: paths.value.split(/[\s,]+/).filter(Boolean) } : {}) })) } },
    h('div', { class: 'form-errors' }), field(t('message'), message), field(t('paths'), paths),
    h('button', { type: 'submit', class: 'secondary', text: t('ask') }))) : null;
  return [h('h2', { text: t('decide') }), h('div', { class: 'decisions' }, approve, ask, reject)];
}

function route() {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('setup')) return setupPage(hash.get('setup'));
  if (!session) return signInPage();
  if (hash.get('case')) return casePage(hash.get('case'));
  if (hash.get('change')) return changePage(hash.get('change'));
  return queuePage();
}

document.getElementById('lang-toggle').addEventListener('click', () => {
  lang = lang === 'id' ? 'en' : 'id';
  localStorage.setItem('daftar-operator-lang', lang);
  header();
  route();
});
document.getElementById('sign-out').addEventListener('click', async () => {
  await api('DELETE', '/session');
  session = null;
  history.replaceState(null, '', '/operator/');
  signInPage();
});
window.addEventListener('hashchange', route);

// A session from an earlier visit (the cookie) is picked up with its CSRF token.
const current = await api('GET', '/session');
if (current.status === 200) session = { operator: current.body.operator, csrf: current.body.csrf };
header();
route();
