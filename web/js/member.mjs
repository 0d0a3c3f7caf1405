// The member's pages: "Masuk" (sign in with a code sent to the family's phone) and the family's
// account (cards, what is due, bills, changes). Every change is checked by the rules core on the
// device first, with the same input the server gives it (GET /api/v1/me's change_rules), so a
// change the rules refuse is explained before anything is sent. No rule lives here.
import { t, addWords, language, message, rupiah } from './i18n.mjs';
import * as core from './core-client.mjs';
import * as store from './store.mjs';
import { h, main, render, buttons, summaryList } from './dom.mjs';
import { regionOptions } from './regions.mjs';

// The member's pages' own words (their shared ones, such as the sign-in title, are in i18n.mjs),
// here so that a first visit does not download them: signing in needs a signal anyway.
addWords({
  id: {
    m_sign_in_intro: 'Untuk keluarga yang kartu JKN-nya sudah terbit. Kami mengirim kode 6 angka ke nomor HP keluarga (atau e-mail bila tidak ada nomor HP).',
    m_sign_in_with: 'Masuk dengan', m_by_card: 'Nomor kartu JKN', m_by_nik: 'NIK dan tanggal lahir',
    m_card_hint: '13 angka di kartu JKN. Kartu lama dari BPJS Kesehatan juga bisa.',
    m_birth_date: 'Tanggal lahir', m_send_code: 'Kirim kode', m_code_title: 'Masukkan kode',
    m_code: 'Kode 6 angka', m_code_hint: 'Kode dari pesan terakhir yang Anda terima. Berlaku 5 menit.',
    m_sign_in_sent: 'Jika data cocok dengan peserta, kode dikirim ke nomor HP keluarga ({to}), atau ke e-mail keluarga bila kantor ini mengirim lewat e-mail. Meminta lagi selama kode masih berlaku tidak mengirim kode baru.',
    m_code_sent: 'Kode dikirim ke {to}.', m_code_again: 'Tidak menerima kode? Minta kode baru',
    m_account: 'Akun keluarga', m_active: 'Aktif: kartu dapat dipakai berobat',
    m_inactive: 'Tidak aktif: lunasi iuran agar kartu aktif lagi',
    m_class_next: 'Kelas {class}, menjadi kelas {next} mulai {from}',
    m_no_facility: 'Belum dipilih', m_facility_next: 'Faskes berikutnya',
    m_from: '{what}, mulai {from}', m_nothing_due: 'Tidak ada iuran yang perlu dibayar sekarang.',
    m_due_title: 'Iuran yang perlu dibayar',
    m_due_months: 'Untuk bulan: {months}. Iuran setiap bulan dibayar paling lambat tanggal 10.',
    m_bills: 'Tagihan per bulan', m_month: 'Bulan', m_state: 'Keterangan',
    m_paid_on: 'Lunas, dibayar {day}', m_unpaid_due: 'Belum dibayar, jatuh tempo {day}',
    m_changes: 'Perubahan yang diajukan', m_type_contact: 'Kontak', m_type_address: 'Alamat',
    m_type_class: 'Kelas', m_type_facility: 'Faskes', m_change_applied: 'berlaku',
    m_change_scheduled: 'terjadwal', m_change_review: 'diperiksa petugas',
    m_change_confirming: 'menunggu kode', m_effective: 'mulai {day}',
    m_done_applied: 'Perubahan berlaku mulai {day}.',
    m_done_scheduled: 'Perubahan dicatat dan berlaku mulai {day}.',
    m_done_review: 'Permintaan dicatat dan diperiksa petugas. Siapkan surat pendukung.',
    m_change_title: 'Ubah data', m_change_contact: 'Ganti nomor HP atau e-mail',
    m_change_facility: 'Pilih atau ganti faskes', m_change_class: 'Ganti kelas',
    m_new_phone: 'Nomor HP baru', m_new_email: 'E-mail baru', m_confirm: 'Pastikan',
    m_new_class: 'Kelas baru',
    m_class_hint: 'Kelas menentukan ruang rawat inap dan iuran bulanan; berlaku untuk seluruh keluarga mulai bulan depan, paling cepat setahun setelah perubahan terakhir.',
    m_ask_change: 'Ajukan perubahan', m_loading: 'Memuat…', m_choose_facility: 'Pilih faskes',
    m_no_facilities: 'Belum ada faskes yang dapat dipilih di wilayah Anda.',
    m_reason: 'Alasan pindah sebelum 3 bulan (bila ada)',
    m_reason_hint: 'Faskes dapat diganti 3 bulan setelah penggantian terakhir; lebih cepat hanya dengan surat pendukung.',
    m_reason_none: 'Tidak ada', m_reason_moved: 'Pindah domisili',
    m_reason_assignment: 'Ditugaskan di tempat lain', m_reason_study: 'Kuliah di tempat lain',
    m_top_up: '(tambahan untuk anggota baru)',
    m_member_ended: 'Kepesertaan berakhir setelah {month}', m_member_from: 'Dijamin mulai {month}',
    m_type_add_member: 'Tambah anggota', m_type_death: 'Lapor kematian',
    m_change_refused: 'tidak disetujui', m_change_address: 'Ganti alamat',
    m_add_newborn: 'Tambah bayi baru lahir', m_report_death: 'Lapor anggota yang meninggal',
    m_newborn_hint: 'Bayi yang didaftarkan paling lambat 28 hari setelah lahir dijamin sejak lahir; iurannya untuk bulan yang sudah dibayar ditagih terpisah. Petugas memeriksa surat keterangan lahir (biasanya 1-7 hari kerja).',
    m_newborn_name: 'Nama bayi', m_newborn_nik: 'NIK bayi (bila sudah ada)',
    m_newborn_nik_hint: 'Kosongkan bila belum ada: bayi dapat didaftarkan tanpa NIK sampai umur 3 bulan.',
    m_birth_certificate: 'Surat keterangan lahir atau akta kelahiran',
    m_death_certificate: 'Akta kematian atau surat keterangan kematian',
    m_new_kk: 'Kartu Keluarga yang baru',
    m_new_kk_hint: 'Bila yang meninggal kepala keluarga, unggah juga KK baru yang menyebut kepala keluarga berikutnya.',
    m_death_who: 'Anggota yang meninggal', m_death_date: 'Tanggal meninggal',
    m_send_for_review: 'Kirim untuk diperiksa', m_supporting_letter: 'Surat pendukung',
    m_supporting_letter_hint: 'Pindah domisili: surat keterangan domisili. Ditugaskan: surat tugas. Kuliah: surat keterangan dari kampus. Diperlukan bila faskes terakhir diganti kurang dari 3 bulan lalu.',
    m_done_documents: 'Permintaan dan dokumennya sudah diterima. Petugas memeriksanya (biasanya 1-7 hari kerja); hasilnya dikirim ke HP atau e-mail Anda.',
    m_sign_out: 'Keluar', m_months: 'Untuk bulan', m_print_receipts: 'Cetak bukti pembayaran',
  },
  en: {
    m_sign_in_intro: 'For families whose JKN cards are issued. We send a 6-digit code to the family\'s mobile number (or e-mail when there is no mobile number).',
    m_sign_in_with: 'Sign in with', m_by_card: 'JKN card number', m_by_nik: 'NIK and date of birth',
    m_card_hint: 'The 13 digits on the JKN card. Older cards from BPJS Kesehatan work too.',
    m_birth_date: 'Date of birth', m_send_code: 'Send code', m_code_title: 'Enter the code',
    m_code: '6-digit code', m_code_hint: 'The code in the latest message you received. Valid for 5 minutes.',
    m_sign_in_sent: 'If the details match a member, a code was sent to the family phone ({to}), or to the family e-mail where this office sends by e-mail. Asking again while a code is valid sends no new one.',
    m_code_sent: 'A code was sent to {to}.', m_code_again: 'No code? Ask for a new one',
    m_account: 'Family account', m_active: 'Active: the cards can be used for care',
    m_inactive: 'Inactive: pay what is due to make the cards active again',
    m_class_next: 'Class {class}, class {next} from {from}', m_no_facility: 'Not chosen yet',
    m_facility_next: 'Next facility', m_from: '{what}, from {from}',
    m_nothing_due: 'Nothing needs to be paid now.', m_due_title: 'To pay',
    m_due_months: 'For: {months}. Each month is paid by the 10th.', m_bills: 'Monthly bills',
    m_month: 'Month', m_state: 'Status', m_paid_on: 'Paid on {day}',
    m_unpaid_due: 'Unpaid, due {day}', m_changes: 'Changes asked for', m_type_contact: 'Contact',
    m_type_address: 'Address', m_type_class: 'Class', m_type_facility: 'Health facility',
    m_change_applied: 'in effect', m_change_scheduled: 'scheduled',
    m_change_review: 'being checked by an officer', m_change_confirming: 'waiting for the code',
    m_effective: 'from {day}', m_done_applied: 'The change is in effect from {day}.',
    m_done_scheduled: 'The change is recorded and takes effect on {day}.',
    m_done_review: 'The request is recorded and an officer checks it. Have the supporting letter ready.',
    m_change_title: 'Change your details', m_change_contact: 'Change the mobile number or e-mail',
    m_change_facility: 'Choose or change the health facility', m_change_class: 'Change the class',
    m_new_phone: 'New mobile number', m_new_email: 'New e-mail', m_confirm: 'Confirm',
    m_new_class: 'New class',
    m_class_hint: 'The class decides the hospital ward and the monthly contribution; it applies to the whole family from next month, at most once a year.',
    m_ask_change: 'Ask for the change', m_loading: 'Loading…',
    m_choose_facility: 'Choose a health facility',
    m_no_facilities: 'No health facility can be chosen in your area yet.',
    m_reason: 'Reason to move within 3 months (if any)',
    m_reason_hint: 'The facility can be changed 3 months after the last change; sooner only with a supporting letter.',
    m_reason_none: 'None', m_reason_moved: 'Moved house', m_reason_assignment: 'Assigned elsewhere',
    m_reason_study: 'Studying elsewhere', m_top_up: '(the share of a new member)',
    m_member_ended: 'Membership ended after {month}', m_member_from: 'Covered from {month}',
    m_type_add_member: 'New member', m_type_death: 'Death reported',
    m_change_refused: 'not approved', m_change_address: 'Change the address',
    m_add_newborn: 'Add a newborn baby', m_report_death: 'Report a member who died',
    m_newborn_hint: 'A baby added within 28 days of birth is covered from birth; its share of months already paid is billed separately. An officer checks the birth certificate (usually 1-7 working days).',
    m_newborn_name: 'Baby\'s name', m_newborn_nik: 'Baby\'s NIK (if there is one)',
    m_newborn_nik_hint: 'Leave empty if there is none yet: a baby can be added without a NIK until 3 months old.',
    m_birth_certificate: 'Birth certificate', m_death_certificate: 'Death certificate',
    m_new_kk: 'The new family card (KK)',
    m_new_kk_hint: 'If the head of the family died, upload the new KK that names the next head too.',
    m_death_who: 'The member who died', m_death_date: 'Date of death',
    m_send_for_review: 'Send for checking', m_supporting_letter: 'Supporting letter',
    m_supporting_letter_hint: 'Moved house: proof of the new residence. Assigned: the assignment letter. Studying: a letter from the university. Needed when the facility was last changed less than 3 months ago.',
    m_done_documents: 'The request and its documents were received. An officer checks them (usually 1-7 working days); the outcome is sent to your phone or e-mail.',
    m_sign_out: 'Sign out', m_months: 'For', m_print_receipts: 'Print the receipts',
  },
});

const SESSION = 'member_session';  // in the settings store: {session, expires_at}
const PAGE = 'member_page';        // the last member page seen, for offline use

async function api(method, path, body, session) {
  const headers = { 'Content-Type': 'application/json' };
  if (session) headers.Authorization = `Bearer ${session}`;
  const response = await fetch(`/api/v1/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: await response.json().catch(() => ({})) };
}

// Dates and months in words, in the page's language: "20 April 2026", "April 2026".
const locale = () => (language() === 'en' ? 'en-GB' : 'id-ID');
const day = (iso) => (iso ? new Date(`${iso.slice(0, 10)}T00:00:00`).toLocaleDateString(locale(), { day: 'numeric', month: 'long', year: 'numeric' }) : '');
const month = (ym) => new Date(`${ym}-01T00:00:00`).toLocaleDateString(locale(), { month: 'long', year: 'numeric' });

// Problems at the top of the page, each linked to its field; `fields` maps a path to an input id.
function showErrors(errors, fields = {}) {
  main.querySelector('.error-summary')?.remove();
  if (!errors.length) return;
  const box = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', 'aria-labelledby': 'member-errors' },
    h('h2', { id: 'member-errors', text: t('error_summary') }),
    h('ul', {}, ...errors.map((e) => h('li', {}, fields[e.path]
      ? h('a', { href: `#${fields[e.path]}`, text: message(e), onclick: (ev) => { ev.preventDefault(); document.getElementById(fields[e.path])?.focus(); } })
      : message(e)))));
  main.querySelector('h1').after(box);
  box.focus();
}

function textField(id, label, { hint, value = '', ...attrs } = {}) {
  return h('div', { class: 'field' },
    h('label', { for: id, text: label }),
    hint ? h('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null,
    h('input', { id, name: id, type: 'text', value, 'aria-describedby': hint ? `${id}-hint` : undefined, ...attrs }));
}

const valueOf = (id) => document.getElementById(id)?.value.trim() ?? '';

// --- signing in ---------------------------------------------------------------------------------

export async function signInPage() {
  let by = 'card';
  const form = h('form', { novalidate: true, onsubmit: (e) => { e.preventDefault(); start(); } });
  const fill = () => form.replaceChildren(
    h('fieldset', { class: 'field radios' }, h('legend', { text: t('m_sign_in_with') }),
      ...[['card', t('m_by_card')], ['nik', t('m_by_nik')]].map(([v, label]) => h('label', {},
        h('input', { type: 'radio', name: 'by', value: v, checked: v === by, onchange: () => { by = v; fill(); } }), label))),
    by === 'card'
      ? textField('m-card', t('card_number'), { hint: t('m_card_hint'), inputmode: 'numeric', autocomplete: 'off' })
      : [textField('m-nik', t('nik'), { hint: t('nik_hint'), inputmode: 'numeric', autocomplete: 'off' }),
        textField('m-birth', t('m_birth_date'), { type: 'date' })],
    buttons(h('button', { type: 'submit', text: t('m_send_code') })));
  fill();

  async function start() {
    const request = by === 'card' ? { card: valueOf('m-card') } : { nik: valueOf('m-nik'), birth_date: valueOf('m-birth') };
    let answer;
    try {
      answer = await api('POST', 'session/start', request);
    } catch {
      return showErrors([{ message: { id: t('m_offline'), en: t('m_offline') } }]);
    }
    if (answer.status !== 202) {
      return showErrors(answer.body.errors ?? [], { '/card': 'm-card', '/nik': 'm-nik', '/birth_date': 'm-birth' });
    }
    codePage(answer.body);
  }

  render(h('h1', { text: t('m_sign_in') }), h('p', { text: t('m_sign_in_intro') }), form,
    h('p', {}, h('a', { href: '#/start', text: t('back') })));
}

function codePage({ challenge, sent_to: sentTo }) {
  const form = h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const answer = await api('POST', 'session/verify', { challenge, code: valueOf('m-code') }).catch(() => null);
    if (!answer) return showErrors([{ message: { id: t('m_offline'), en: t('m_offline') } }]);
    if (answer.status !== 200) return showErrors(answer.body.errors ?? [], { '/code': 'm-code' });
    await store.put('settings', SESSION, answer.body);
    location.hash = '#/akun';
  } },
  textField('m-code', t('m_code'), { hint: t('m_code_hint'), inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', class: 'short' }),
  buttons(h('button', { type: 'submit', text: t('m_sign_in') })));
  render(h('h1', { text: t('m_code_title') }), h('p', { class: 'panel', role: 'status', text: t('m_sign_in_sent', { to: sentTo }) }), form,
    h('p', {}, h('a', { href: '#/masuk', text: t('m_code_again') })));
  document.getElementById('m-code').focus();
}

// --- the family's account -----------------------------------------------------------------------

export async function accountPage() {
  const saved = await store.get('settings', SESSION);
  if (!saved) { location.hash = '#/masuk'; return; }
  let page;
  let stale = false;
  try {
    const answer = await api('GET', 'me', undefined, saved.session);
    if (answer.status === 401) {
      await store.remove('settings', SESSION);
      location.hash = '#/masuk';
      return;
    }
    page = answer.body;
    await store.put('settings', PAGE, page);
  } catch {
    stale = true;
    page = await store.get('settings', PAGE);
  }
  if (!page) return render(h('h1', { text: t('m_account') }), h('p', { text: t('m_offline') }));
  const { family } = page;
  const active = family.membership === 'active';
  render(
    h('h1', { text: t('m_account') }),
    stale ? h('p', { class: 'warning-message', text: t('status_offline') }) : null,
    h('p', {}, h('span', { class: `tag ${active ? 'tag-ok' : ''}`, id: 'membership', text: t(active ? 'm_active' : 'm_inactive') })),
    summaryList([
      [t('reference'), family.reference],
      [t('estimate_class'), family.class_next ? t('m_class_next', { class: family.class, next: family.class_next.class, from: day(family.class_next.from) }) : String(family.class)],
      [t('m_facility'), family.facility ? family.facility.name : t('m_no_facility')],
      family.facility_next ? [t('m_facility_next'), t('m_from', { what: family.facility_next.name, from: day(family.facility_next.from) })] : null,
    ].filter(Boolean)),
    duePanel(page),
    h('h2', { text: t('cards_title') }),
    summaryList(page.members.map((m) => [m.name, `${t('card_number')}: ${m.card_number ?? '—'} · ${memberState(m)}`])),
    bills(page.bills ?? []),
    receipts(page.receipts ?? []),
    changesList(page.changes ?? []),
    stale ? null : changeForms(page, saved.session),
    buttons(h('button', { type: 'button', class: 'secondary', id: 'sign-out', text: t('m_sign_out'), onclick: async () => {
      await api('POST', 'session/end', undefined, saved.session).catch(() => null);
      await store.remove('settings', SESSION);
      await store.remove('settings', PAGE);
      location.hash = '#/start';
    } })));
}

// "Aktif", "Tidak aktif", "Dijamin mulai Maret 2027" (a member who joins), "Berakhir setelah Maret 2027".
function memberState(m) {
  if (m.status === 'ended') return t('m_member_ended', { month: month(m.covered_until) });
  if (m.covered_from && m.status !== 'active') return t('m_member_from', { month: month(m.covered_from) });
  return t(m.status === 'active' ? 'm_active' : 'm_inactive');
}

function duePanel({ due_now: due, family }) {
  if (!due || !due.months.length) return h('p', { class: 'panel', id: 'due', text: t('m_nothing_due') });
  return h('div', { class: 'panel', id: 'due' },
    h('h2', { text: t('m_due_title') }),
    h('p', {}, t('amount'), ': ', h('strong', { class: 'big', text: `Rp${rupiah(due.amount)}` })),
    h('p', { text: t('m_due_months', { months: [...new Set(due.months)].map(month).join(', ') }) }),
    h('p', {}, t('va'), ': ', h('strong', { text: family.va ?? '—' })),
    h('h3', { text: t('how_to_pay') }), h('ul', {}, ...t('pay_channels').map((c) => h('li', { text: c }))),
    h('p', { text: t('pay_exact') }));
}

function bills(list) {
  if (!list.length) return null;
  return [h('h2', { text: t('m_bills') }),
    h('table', { class: 'bills' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('m_month') }), h('th', { scope: 'col', text: t('amount') }), h('th', { scope: 'col', text: t('m_state') }))),
      h('tbody', {}, ...list.slice().reverse().map((b) => h('tr', {},
        h('td', { text: b.top_up ? `${month(b.month)} ${t('m_top_up')}` : month(b.month) }), h('td', { text: `Rp${rupiah(b.amount)}` }),
        h('td', { text: b.status === 'paid' ? t('m_paid_on', { day: day(b.paid_at) }) : t('m_unpaid_due', { day: day(b.due) }) })))))];
}

// Each payment's receipt as signed by the server; its signed text verifies offline ("Periksa kartu").
function receipts(list) {
  if (!list.length) return null;
  return [h('h2', { text: t('receipt') }),
    ...list.slice().reverse().map((signed) => {
      const r = JSON.parse(signed.payload);
      return h('div', { class: 'card receipt' },
        summaryList([[t('m_months'), (r.months ?? []).map(month).join(', ')], [t('amount'), `Rp${rupiah(r.amount)}`],
          [t('paid_at'), day(r.paid_at)], [t('bank_ref'), `${r.bank_id} ${r.bank_ref}`]]),
        h('details', {}, h('summary', { text: t('qr_content') }),
          h('textarea', { readonly: true, rows: '4', 'aria-label': t('qr_content'), class: 'qr-text', text: JSON.stringify(signed) })));
    }),
    buttons(h('button', { type: 'button', class: 'secondary', text: t('m_print_receipts'), onclick: () => window.print() }))];
}

function changesList(list) {
  if (!list.length) return null;
  return [h('h2', { text: t('m_changes') }),
    h('ul', { id: 'changes' }, ...list.slice().reverse().map((c) => h('li', {},
      `${t(`m_type_${c.type}`)}${c.detail?.member?.name ? ` (${c.detail.member.name})` : ''}: ${t(`m_change_${c.awaiting ? 'confirming' : c.status}`)}`,
      c.status === 'refused' ? '' : ` · ${t('m_effective', { day: day(c.effective) })}`,
      c.reasons?.length ? h('ul', {}, ...c.reasons.map((r) => h('li', { text: message(r) }))) : null)))];
}

// --- changes ------------------------------------------------------------------------------------

// Checks `change` with the rules core exactly as the server will, then sends it: as JSON, or
// sealed with its documents (Blobs, in the order of change.documents) to the server's intake key.
async function send(page, session, change, fields, documents) {
  const verdict = await core.call('change', { ...page.change_rules, change });
  const paths = Object.fromEntries(Object.entries(fields).map(([p, id]) => [`/change${p}`, id]));
  if (!verdict.valid) return showErrors(verdict.errors, paths), null;
  const answer = await (documents ? sendSealed(change, documents, session) : api('POST', 'me/changes', change, session)).catch(() => null);
  if (!answer) return showErrors([{ message: { id: t('m_offline'), en: t('m_offline') } }]), null;
  if (answer.status !== 201) return showErrors(answer.body.errors ?? [], fields), null;
  return answer.body;
}

async function sendSealed(change, documents, session) {
  const config = await fetch('/api/v1/config').then((r) => r.json());
  const sealed = await core.sealPackage(config.keys.intake, { schema: 'daftar.change/1', ...change }, documents);
  if (sealed.errors) return { status: 422, body: { errors: sealed.errors } };
  const response = await fetch('/api/v1/me/changes', { method: 'POST', body: sealed.package,
    headers: { 'Content-Type': 'application/vnd.daftar.package', Authorization: `Bearer ${session}` } });
  return { status: response.status, body: await response.json().catch(() => ({})) };
}

// A document for a change: the camera or a file, made ready (smaller, checked) on the device, with
// what the checks said shown until it is replaced. `ready()` gives {entry, blob} once it is there.
function documentField(id, kind, label, hint) {
  let ready = null;
  const status = h('p', { 'aria-live': 'polite', id: `${id}-status` });
  const onchange = async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    status.textContent = t('doc_processing');
    const { checked, quality } = await core.prepareDocument(file, kind);
    if (!checked.valid) {
      ready = null;
      status.replaceChildren(...checked.errors.map((x) => h('span', { class: 'error-message', text: message(x) })));
      return;
    }
    const d = checked.document;
    ready = { entry: { kind, media_type: d.media_type, size: d.size, blake2b: d.blake2b }, blob: new Blob([checked.bytes], { type: d.media_type }) };
    status.replaceChildren(t('doc_ready', { size: `${Math.round(d.size / 1024)} KB` }),
      ...(quality?.warnings ?? []).map((x) => h('span', { class: 'doc-warning', text: ` ${message(x)} ${t('doc_retake')}` })));
  };
  const node = h('div', { class: 'document field', id },
    h('p', { class: 'label', text: label }),
    hint ? h('p', { class: 'hint', text: hint }) : null,
    h('div', { class: 'file-buttons' },
      h('input', { type: 'file', id: `${id}-camera`, class: 'file-input', accept: 'image/*', capture: 'environment', onchange }),
      h('label', { for: `${id}-camera`, class: 'button', text: t('take_photo') }),
      h('input', { type: 'file', id: `${id}-file`, class: 'file-input', accept: 'image/*,application/pdf', onchange }),
      h('label', { for: `${id}-file`, class: 'button secondary', text: t('choose_file') })),
    status);
  return { node, ready: () => ready };
}

function selectField(id, label, options, { hint } = {}) {
  return h('div', { class: 'field' }, h('label', { for: id, text: label }),
    hint ? h('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null,
    h('select', { id, 'aria-describedby': hint ? `${id}-hint` : undefined }, ...options.map(([v, text]) => h('option', { value: v, text }))));
}

// Each change folded under its title; none of them is printed with the statement.
function section(title, id, ...content) {
  return h('details', { class: 'change no-print', id }, h('summary', { text: title }), ...content);
}

function changeForms(page, session) {
  const done = (body, reviewNote = 'm_done_review') => {
    const note = t(body.status === 'review' ? reviewNote : body.status === 'applied' ? 'm_done_applied' : 'm_done_scheduled', { day: day(body.effective) });
    sessionStorage.setItem('member_note', note);
    accountPage();
  };
  const note = sessionStorage.getItem('member_note');
  sessionStorage.removeItem('member_note');

  const contact = h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const change = { type: 'contact' };
    if (valueOf('m-phone')) change.phone = valueOf('m-phone');
    if (valueOf('m-email')) change.email = valueOf('m-email');
    const body = await send(page, session, change, { '/phone': 'm-phone', '/email': 'm-email', '': 'm-phone' });
    if (!body) return;
    // A new phone or e-mail needs the code sent to it.
    contact.replaceChildren(h('p', { class: 'panel', role: 'status', text: t('m_code_sent', { to: body.confirm.sent_to }) }),
      textField('m-confirm', t('m_code'), { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', class: 'short' }),
      buttons(h('button', { type: 'button', text: t('m_confirm'), onclick: async () => {
        const answer = await api('POST', `me/changes/${body.change}/confirm`, { challenge: body.confirm.challenge, code: valueOf('m-confirm') }, session).catch(() => null);
        if (!answer) return showErrors([{ message: { id: t('m_offline'), en: t('m_offline') } }]);
        if (answer.status !== 200) return showErrors(answer.body.errors ?? [], { '/code': 'm-confirm' });
        done(answer.body);
      } })));
    document.getElementById('m-confirm').focus();
  } },
  textField('m-phone', t('m_new_phone'), { type: 'tel', inputmode: 'tel', autocomplete: 'tel' }),
  textField('m-email', t('m_new_email'), { type: 'email', autocomplete: 'email' }),
  buttons(h('button', { type: 'submit', text: t('m_send_code') })));

  const classForm = h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const body = await send(page, session, { type: 'class', class: Number(valueOf('m-class')) }, { '/class': 'm-class' });
    if (body) done(body);
  } },
  h('div', { class: 'field' }, h('label', { for: 'm-class', text: t('m_new_class') }), h('p', { class: 'hint', id: 'm-class-hint', text: t('m_class_hint') }),
    h('select', { id: 'm-class', 'aria-describedby': 'm-class-hint' }, ...['1', '2', '3'].map((c) => h('option', { value: c, text: `${t('estimate_class')} ${c}`, selected: String(page.family.class_next?.class ?? page.family.class) === c })))),
  buttons(h('button', { type: 'submit', text: t('m_ask_change') })));

  const facilities = h('div', { id: 'm-facilities', tabindex: '-1', 'aria-live': 'polite' }, h('p', { text: t('m_loading') }));
  // With a reason, the letter that proves it; the rules say whether an officer needs to read it.
  const letter = documentField('m-letter', 'supporting_letter', t('m_supporting_letter'), t('m_supporting_letter_hint'));
  letter.node.hidden = true;
  const facilityForm = h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const chosen = facilityForm.querySelector('input[name="m-facility"]:checked');
    if (!chosen) return showErrors([{ message: { id: t('m_choose_facility'), en: t('m_choose_facility') } }]);
    const change = { type: 'facility', code: chosen.value };
    if (valueOf('m-reason')) change.reason = valueOf('m-reason');
    const fields = { '/code': 'm-facilities', '/reason': 'm-reason', '/documents': 'm-letter-camera' };
    const early = change.reason && (await core.call('change', { ...page.change_rules, change })).status === 'review';
    const doc = early ? letter.ready() : null;
    const body = early ? await send(page, session, { ...change, documents: doc ? [doc.entry] : [] }, fields, doc ? [doc.blob] : [])
      : await send(page, session, change, fields);
    if (body) done(body, early ? 'm_done_documents' : 'm_done_review');
  } }, facilities,
  h('div', { class: 'field' }, h('label', { for: 'm-reason', text: t('m_reason') }), h('p', { class: 'hint', id: 'm-reason-hint', text: t('m_reason_hint') }),
    h('select', { id: 'm-reason', 'aria-describedby': 'm-reason-hint', onchange: (e) => { letter.node.hidden = !e.target.value; } },
      ...[['', t('m_reason_none')], ['moved', t('m_reason_moved')], ['assignment', t('m_reason_assignment')], ['study', t('m_reason_study')]]
        .map(([v, label]) => h('option', { value: v, text: label })))),
  letter.node,
  buttons(h('button', { type: 'submit', text: t('m_ask_change') })));
  loadFacilities(page.family, facilities);

  // A newborn: covered from birth when added within 28 days; the birth certificate is enough.
  const birthCertificate = documentField('m-newborn-certificate', 'birth_certificate', t('m_birth_certificate'));
  const newbornForm = h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const member = { name: valueOf('m-newborn-name'), birth_date: valueOf('m-newborn-birth'), sex: valueOf('m-newborn-sex'),
      relationship: 'child', marital_status: 'single' };
    if (valueOf('m-newborn-nik')) member.nik = valueOf('m-newborn-nik');
    const doc = birthCertificate.ready();
    const change = { type: 'add_member', member, documents: doc ? [doc.entry] : [] };
    const body = await send(page, session, change, { '/member/name': 'm-newborn-name', '/member/birth_date': 'm-newborn-birth',
      '/member/sex': 'm-newborn-sex', '/member/nik': 'm-newborn-nik', '/documents': 'm-newborn-certificate-camera' }, doc ? [doc.blob] : []);
    if (body) done(body, 'm_done_documents');
  } },
  h('p', { class: 'hint', text: t('m_newborn_hint') }),
  textField('m-newborn-name', t('m_newborn_name'), { autocomplete: 'off' }),
  textField('m-newborn-birth', t('birth_date'), { type: 'date', max: page.change_rules.today }),
  selectField('m-newborn-sex', t('sex'), [['', t('choose')], ['F', t('sex_F')], ['M', t('sex_M')]]),
  textField('m-newborn-nik', t('m_newborn_nik'), { inputmode: 'numeric', maxlength: '19', hint: t('m_newborn_nik_hint') }),
  birthCertificate.node,
  buttons(h('button', { type: 'submit', text: t('m_send_for_review') })));

  // A death: the member's cover ends after that month, once an officer has seen the certificate.
  const deathCertificate = documentField('m-death-certificate', 'death_certificate', t('m_death_certificate'));
  const familyCard = documentField('m-death-kk', 'kk', t('m_new_kk'));
  const living = page.members.filter((m) => m.status !== 'ended');
  const deathForm = h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const docs = [deathCertificate.ready(), familyCard.ready()].filter(Boolean);
    const change = { type: 'death', member: Number(valueOf('m-death-member')), date: valueOf('m-death-date'), documents: docs.map((d) => d.entry) };
    const body = await send(page, session, change, { '/member': 'm-death-member', '/date': 'm-death-date', '/documents': 'm-death-certificate-camera' },
      docs.map((d) => d.blob));
    if (body) done(body, 'm_done_documents');
  } },
  selectField('m-death-member', t('m_death_who'), living.map((m) => [String(m.position), m.name])),
  textField('m-death-date', t('m_death_date'), { type: 'date', max: page.change_rules.today }),
  deathCertificate.node,
  h('p', { class: 'hint', text: t('m_new_kk_hint') }),
  familyCard.node,
  buttons(h('button', { type: 'submit', text: t('m_send_for_review') })));

  return [h('h2', { class: 'no-print', text: t('m_change_title') }),
    note ? h('p', { class: 'panel-ok', role: 'status', id: 'm-note', text: note }) : null,
    section(t('m_change_contact'), 'm-contact', contact),
    section(t('m_change_address'), 'm-address', addressForm(page, session, done)),
    section(t('m_change_facility'), 'm-facility', facilityForm),
    section(t('m_change_class'), 'm-class-change', classForm),
    section(t('m_add_newborn'), 'm-newborn', newbornForm),
    section(t('m_report_death'), 'm-death', deathForm)];
}

// The new address: the region lists one level at a time, then RT/RW, postal code and street.
function addressForm(page, session, done) {
  const levels = [['province', 'province'], ['regency', 'regency'], ['district', 'district'], ['village', 'village']];
  const selects = levels.map(([key, label]) => selectField(`m-address-${key}`, t(label), [['', t('choose')]]));
  const fill = async (index, parent) => {
    const select = selects[index].querySelector('select');
    const options = parent ? await regionOptions(parent) : [];
    select.replaceChildren(h('option', { value: '', text: options === null ? t('regions_offline') : t('choose') }),
      ...(options ?? []).map(([code, name]) => h('option', { value: code, text: name })));
    for (const below of selects.slice(index + 1)) below.querySelector('select').replaceChildren(h('option', { value: '', text: t('choose') }));
  };
  selects.forEach((field, index) => field.querySelector('select').addEventListener('change', (e) => {
    if (index + 1 < selects.length) fill(index + 1, e.target.value);
  }));
  fill(0, 'index');
  return h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const address = { line: valueOf('m-address-line'), rt: valueOf('m-address-rt'), rw: valueOf('m-address-rw'),
      village_code: valueOf('m-address-village'), postal_code: valueOf('m-address-postal') };
    const body = await send(page, session, { type: 'address', address }, { '/address/line': 'm-address-line', '/address/rt': 'm-address-rt',
      '/address/rw': 'm-address-rw', '/address/village_code': 'm-address-village', '/address/postal_code': 'm-address-postal' });
    if (body) done(body);
  } },
  ...selects,
  h('div', { class: 'date-input' },
    textField('m-address-rt', t('rt'), { inputmode: 'numeric', maxlength: '3' }),
    textField('m-address-rw', t('rw'), { inputmode: 'numeric', maxlength: '3' })),
  textField('m-address-postal', t('postal_code'), { inputmode: 'numeric', maxlength: '5', autocomplete: 'postal-code' }),
  textField('m-address-line', t('address_line'), { autocomplete: 'street-address' }),
  buttons(h('button', { type: 'submit', text: t('m_ask_change') })));
}

// The facilities of the family's district first, then the rest of its regency.
async function loadFacilities(family, into) {
  const district = family.district_code ?? '';
  const list = async (query) => (await fetch(`/api/v1/facilities?${query}`).then((r) => r.json()).catch(() => ({}))).facilities ?? [];
  const near = district ? await list(`district=${district}`) : [];
  const regency = district ? (await list(`regency=${district.slice(0, 5)}`)).filter((f) => f.district_code !== district) : [];
  const options = [...near, ...regency].filter((f) => f.code !== (family.facility_next ?? family.facility)?.code);
  if (!options.length) return into.replaceChildren(h('p', { text: t('m_no_facilities') }));
  into.replaceChildren(h('fieldset', { class: 'field radios' }, h('legend', { text: t('m_choose_facility') }),
    ...options.map((f, i) => h('label', {}, h('input', { type: 'radio', name: 'm-facility', value: f.code, id: i === 0 ? 'm-facility-0' : undefined }),
      `${f.name} (${t(`facility_kind_${f.type}`)})`))));
}
