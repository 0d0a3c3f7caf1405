#include "storage.h"

#include <algorithm>

namespace daftar::server {

std::unique_ptr<Database> Database::Open(const std::string& url, std::string& error) {
  const auto starts = [&](std::string_view prefix) { return url.rfind(prefix, 0) == 0; };
  if (starts("postgresql:") || starts("postgres:") || url.find("dbname=") != std::string::npos) {
    return OpenPostgres(url, error);
  }
  return OpenSqlite(starts("sqlite:") ? url.substr(7) : url, error);
}

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {R"sql(
CREATE TABLE registrations (
  id INTEGER PRIMARY KEY,
  reference TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_date TEXT NOT NULL,
  segment TEXT NOT NULL,
  class TEXT NOT NULL,
  head_name TEXT NOT NULL,
  va TEXT UNIQUE,
  bill_amount INTEGER,
  earliest TEXT,
  latest TEXT,
  warnings TEXT NOT NULL,
  first_status TEXT NOT NULL,
  decision TEXT,
  idempotency_key TEXT UNIQUE,
  package BLOB NOT NULL
);
CREATE INDEX registrations_by_status ON registrations(status);
CREATE TABLE members (
  registration_id INTEGER NOT NULL REFERENCES registrations(id),
  position INTEGER NOT NULL,
  nik_hash BLOB UNIQUE,
  nik_masked TEXT,
  name TEXT NOT NULL,
  relationship TEXT NOT NULL,
  card_number TEXT UNIQUE,
  PRIMARY KEY (registration_id, position)
);
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO counters VALUES ('card_serial', 0);
CREATE TABLE payments (
  id INTEGER PRIMARY KEY,
  registration_id INTEGER NOT NULL UNIQUE REFERENCES registrations(id),
  bank_id TEXT NOT NULL,
  bank_ref TEXT NOT NULL,
  amount INTEGER NOT NULL,
  paid_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  receipt TEXT NOT NULL,
  UNIQUE (bank_id, bank_ref)
);
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  event TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev BLOB NOT NULL,
  hash BLOB NOT NULL
);
)sql"},
      // Hardening: the package's hash beside its idempotency key (a key alone is no credential),
      // the banks' nonces (a signed call is accepted once), and unpaid windows found by date.
      {R"sql(
ALTER TABLE registrations ADD COLUMN package_hash BLOB;
CREATE TABLE bank_nonces (
  bank_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (bank_id, nonce)
);
CREATE INDEX bank_nonces_by_time ON bank_nonces(seen_at);
CREATE INDEX registrations_by_window ON registrations(status, latest);
)sql"},
      // PostgreSQL: card serials from a sequence (many servers draw from it without waiting on
      // each other), starting after every serial the counter ever gave (`daftar migrate --from`).
      {"SELECT 1",
       "CREATE SEQUENCE IF NOT EXISTS card_serial_sequence;"
       "SELECT setval('card_serial_sequence', (SELECT value FROM counters WHERE name = 'card_serial') + 1, false);"},
      // Resumable uploads in the database, so that an upload begun on one server can be resumed
      // on any other. The bytes arrive as chunks, one row per PATCH.
      {R"sql(
CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  client TEXT NOT NULL,
  length INTEGER NOT NULL,
  received INTEGER NOT NULL,
  expires INTEGER NOT NULL
);
CREATE INDEX uploads_by_client ON uploads(client);
CREATE INDEX uploads_by_expiry ON uploads(expires);
CREATE TABLE upload_chunks (
  upload_id TEXT NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
  start INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (upload_id, start)
);
)sql"},
      // Rate limits shared by several servers: requests per address, route and minute.
      {R"sql(
CREATE TABLE rate_counts (
  client TEXT NOT NULL,
  bucket TEXT NOT NULL,
  minute INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (client, bucket, minute)
);
)sql"},
      // The population registry check and the operators. A registration's district (for the
      // operators' queue), what the family must correct, and where its registry check stands;
      // the durable verification jobs (claimed by a lease any server may take over once it ran
      // out); each member's registry result (the registry's request id and field flags only);
      // the packages a correction replaced; operator accounts and their sessions.
      {R"sql(
ALTER TABLE registrations ADD COLUMN district_code TEXT;
ALTER TABLE registrations ADD COLUMN corrections TEXT;
ALTER TABLE registrations ADD COLUMN population_check TEXT NOT NULL DEFAULT 'not_configured';
CREATE INDEX registrations_by_district ON registrations(district_code);
CREATE TABLE verification_jobs (
  registration_id INTEGER NOT NULL PRIMARY KEY REFERENCES registrations(id),
  due INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  lease_until INTEGER NOT NULL,
  last_error TEXT,
  then_review INTEGER NOT NULL
);
CREATE INDEX verification_jobs_by_due ON verification_jobs(due);
CREATE TABLE registry_checks (
  registration_id INTEGER NOT NULL REFERENCES registrations(id),
  position INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  result TEXT NOT NULL,
  fields TEXT NOT NULL,
  checked_at TEXT NOT NULL,
  PRIMARY KEY (registration_id, position)
);
CREATE TABLE replaced_packages (
  registration_id INTEGER NOT NULL REFERENCES registrations(id),
  version INTEGER NOT NULL,
  package BLOB NOT NULL,
  replaced_at TEXT NOT NULL,
  PRIMARY KEY (registration_id, version)
);
CREATE TABLE operators (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  password_hash TEXT,
  setup_hash BLOB UNIQUE,
  setup_expires INTEGER,
  created_at TEXT NOT NULL
);
CREATE TABLE operator_sessions (
  token_hash BLOB NOT NULL PRIMARY KEY,
  operator_id INTEGER NOT NULL REFERENCES operators(id),
  csrf TEXT NOT NULL,
  expires INTEGER NOT NULL
);
)sql"},
      // First-level health facilities (FKTP), loaded by operators (`daftar facilities import`).
      {R"sql(
CREATE TABLE facilities (
  code TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  regency_code TEXT NOT NULL,
  district_code TEXT NOT NULL,
  accepting INTEGER NOT NULL,
  capacity INTEGER NOT NULL,
  members INTEGER NOT NULL
);
CREATE INDEX facilities_by_district ON facilities(district_code);
CREATE INDEX facilities_by_regency ON facilities(regency_code);
)sql"},
      // Monthly contributions: a family pays many times, each payment for one or more months.
      // A month is paid once (its primary key); the first payment paid the month it was made in.
      // SQLite cannot drop a constraint, so the payments table is rebuilt.
      {R"sql(
CREATE TABLE payments_new (
  id INTEGER PRIMARY KEY,
  registration_id INTEGER NOT NULL REFERENCES registrations(id),
  bank_id TEXT NOT NULL,
  bank_ref TEXT NOT NULL,
  amount INTEGER NOT NULL,
  paid_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  receipt TEXT NOT NULL,
  UNIQUE (bank_id, bank_ref)
);
INSERT INTO payments_new SELECT id, registration_id, bank_id, bank_ref, amount, paid_at, received_at, receipt FROM payments;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;
CREATE INDEX payments_by_registration ON payments(registration_id);
CREATE TABLE paid_months (
  registration_id INTEGER NOT NULL REFERENCES registrations(id),
  month TEXT NOT NULL,
  amount INTEGER NOT NULL,
  paid_at TEXT NOT NULL,
  bank_id TEXT NOT NULL,
  bank_ref TEXT NOT NULL,
  PRIMARY KEY (registration_id, month)
);
INSERT INTO paid_months SELECT registration_id, substr(paid_at, 1, 7), amount, paid_at, bank_id, bank_ref FROM payments;
)sql",
       "SELECT setval(pg_get_serial_sequence('payments', 'id'), COALESCE((SELECT MAX(id) FROM payments), 0) + 1, false);"},
      // Messages to families: where to reach each family (from its application), and the durable
      // outbox the notification job sends from (claimed with a lease, like verification jobs).
      // `dedupe` names the event and channel, so one event is queued once.
      {R"sql(
CREATE TABLE contacts (
  registration_id INTEGER NOT NULL PRIMARY KEY REFERENCES registrations(id),
  phone TEXT,
  email TEXT,
  language TEXT NOT NULL
);
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  dedupe TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,
  recipient TEXT NOT NULL,
  template TEXT NOT NULL,
  params TEXT NOT NULL,
  language TEXT NOT NULL,
  created_at TEXT NOT NULL,
  due INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  lease_until INTEGER NOT NULL,
  sent_at TEXT,
  last_error TEXT
);
CREATE INDEX outbox_by_due ON outbox(sent_at, due);
)sql"},
      // The calendar job: how far today's roll over the paying families has come (one row), and
      // what it recorded for each family, once each: a month's bill, a suspension, a reminder.
      {R"sql(
CREATE TABLE calendar_roll (
  id INTEGER PRIMARY KEY,
  day TEXT NOT NULL,
  last_id INTEGER NOT NULL
);
INSERT INTO calendar_roll VALUES (1, '', 0);
CREATE TABLE account_events (
  registration_id INTEGER NOT NULL REFERENCES registrations(id),
  kind TEXT NOT NULL,
  period TEXT NOT NULL,
  amount INTEGER NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (registration_id, kind, period)
);
CREATE INDEX registrations_by_status_id ON registrations(status, id);
)sql"},
      // 11: members sign in with a code, and change what the rules let them change.
      {R"sql(
ALTER TABLE members ADD COLUMN birth_date TEXT;
CREATE TABLE member_challenges (
  challenge_hash BLOB PRIMARY KEY,
  subject_hash BLOB NOT NULL,
  registration_id INTEGER REFERENCES registrations(id),
  position INTEGER NOT NULL,
  purpose TEXT NOT NULL,
  change_id INTEGER,
  code_hash BLOB NOT NULL,
  created INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  tries INTEGER NOT NULL
);
CREATE INDEX member_challenges_by_subject ON member_challenges(subject_hash, created);
CREATE TABLE member_sessions (
  token_hash BLOB PRIMARY KEY,
  registration_id INTEGER NOT NULL REFERENCES registrations(id),
  position INTEGER NOT NULL,
  expires INTEGER NOT NULL
);
CREATE TABLE family_changes (
  id INTEGER PRIMARY KEY,
  registration_id INTEGER NOT NULL REFERENCES registrations(id),
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  requested_date TEXT NOT NULL,
  effective TEXT NOT NULL,
  detail TEXT NOT NULL,
  requested_by INTEGER NOT NULL
);
CREATE INDEX family_changes_by_registration ON family_changes(registration_id, id);
)sql"},
      // 12: members join and leave a family after registration ("YYYY-MM": the first and last
      // month each is covered; NULL: from registration, and still covered; a newborn covered from
      // birth owes its share of months already paid by cover_pay_by), a month is paid in parts
      // (the rest when someone joins it), and a change that carries documents keeps its sealed
      // package for the operator who reviews it. A family can learn that a member is registered
      // already when it gives the NIK, the birth date and the KK number together (kk_hash).
      {R"sql(
ALTER TABLE members ADD COLUMN covered_from TEXT;
ALTER TABLE members ADD COLUMN covered_until TEXT;
ALTER TABLE members ADD COLUMN cover_pay_by TEXT;
ALTER TABLE registrations ADD COLUMN kk_hash BLOB;
CREATE TABLE paid_months_parts (
  registration_id INTEGER NOT NULL REFERENCES registrations(id),
  month TEXT NOT NULL,
  part INTEGER NOT NULL,
  amount INTEGER NOT NULL,
  paid_at TEXT NOT NULL,
  bank_id TEXT NOT NULL,
  bank_ref TEXT NOT NULL,
  PRIMARY KEY (registration_id, month, part)
);
INSERT INTO paid_months_parts SELECT registration_id, month, 0, amount, paid_at, bank_id, bank_ref FROM paid_months;
DROP TABLE paid_months;
ALTER TABLE paid_months_parts RENAME TO paid_months;
CREATE TABLE change_packages (
  change_id INTEGER PRIMARY KEY REFERENCES family_changes(id),
  package BLOB NOT NULL
);
CREATE INDEX family_changes_by_status ON family_changes(status, id);
)sql"},
      // 13: what guards sign-in against guessing and flooding, each limit one row updated under
      // its own lock (so replicas cannot both read a count and both pass it): allowances of codes
      // and password tries by card, number, e-mail, name or device (`throttles`); the one live
      // sign-in code of each card or NIK, which every challenge asked for it meanwhile accepts
      // and whose tries all of them share (`member_codes`); and where an operator signed in
      // before (`operator_trust`: a device cookie's hash, or a name and address), which a flood
      // of wrong passwords from elsewhere does not slow down.
      {R"sql(
CREATE TABLE throttles (
  key BLOB PRIMARY KEY,
  window_start INTEGER NOT NULL,
  count INTEGER NOT NULL,
  last_at INTEGER NOT NULL
);
CREATE INDEX throttles_by_last ON throttles(last_at);
CREATE TABLE member_codes (
  subject_hash BLOB PRIMARY KEY,
  code_hash BLOB NOT NULL,
  registration_id INTEGER REFERENCES registrations(id),
  position INTEGER NOT NULL,
  created INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  tries INTEGER NOT NULL
);
CREATE TABLE operator_trust (
  key BLOB PRIMARY KEY,
  operator_id INTEGER NOT NULL REFERENCES operators(id),
  expires INTEGER NOT NULL
);
)sql"},
  };
  return kMigrations;
}

namespace {

// SQLite's column types as PostgreSQL's, for DDL only.
std::string ForPostgres(std::string sql) {
  const auto replace = [&](std::string_view from, std::string_view to) {
    for (std::size_t at = sql.find(from); at != std::string::npos; at = sql.find(from, at + to.size())) {
      sql.replace(at, from.size(), to);
    }
  };
  replace("INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY");
  replace("INTEGER", "BIGINT");
  replace("BLOB", "BYTEA");
  return sql;
}

}  // namespace

bool Migrate(Connection& c, bool postgres, std::string& error) {
  if (!c.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")) {
    error = c.Error();
    return false;
  }
  int64_t have = 0;
  {  // finished before any migration runs: an open read would keep a table from being dropped
    Statement current = c.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
    current.Step();
    have = current.Int(0);
  }
  const auto& migrations = Migrations();
  for (int64_t v = have; v < static_cast<int64_t>(migrations.size()); ++v) {
    const Migration& m = migrations[static_cast<std::size_t>(v)];
    const std::string sql = postgres ? ForPostgres(m.sql) : m.sql;
    bool ok = c.Exec(postgres ? "BEGIN" : "BEGIN IMMEDIATE") && c.Exec(sql);
    if (ok && postgres && m.postgres_only) ok = c.Exec(m.postgres_only);
    std::string why = ok ? "" : c.Error();
    if (ok) {
      Statement record = c.Prepare("INSERT INTO schema_version VALUES (?)");
      record.Bind(1, v + 1).Step();
      ok = record.ok();
    }
    if (!ok || !c.Exec("COMMIT")) {
      error = "migration " + std::to_string(v + 1) + ": " + (why.empty() ? c.Error() : why);
      c.Exec("ROLLBACK");
      return false;
    }
  }
  return true;
}

namespace {

// Each table a copy carries, with its columns' kinds: i integer, t text, b bytes. In an order
// that satisfies the foreign keys.
struct CopiedTable {
  const char* name;
  std::vector<std::pair<const char*, char>> columns;
};
const CopiedTable kCopied[] = {
    {"registrations", {{"id", 'i'}, {"reference", 't'}, {"status", 't'}, {"created_at", 't'}, {"created_date", 't'},
                       {"segment", 't'}, {"class", 't'}, {"head_name", 't'}, {"va", 't'}, {"bill_amount", 'i'},
                       {"earliest", 't'}, {"latest", 't'}, {"warnings", 't'}, {"first_status", 't'}, {"decision", 't'},
                       {"idempotency_key", 't'}, {"package", 'b'}, {"package_hash", 'b'}, {"district_code", 't'},
                       {"corrections", 't'}, {"population_check", 't'}, {"kk_hash", 'b'}}},
    {"members", {{"registration_id", 'i'}, {"position", 'i'}, {"nik_hash", 'b'}, {"nik_masked", 't'}, {"name", 't'},
                 {"relationship", 't'}, {"card_number", 't'}, {"birth_date", 't'}, {"covered_from", 't'}, {"covered_until", 't'},
                 {"cover_pay_by", 't'}}},
    {"counters", {{"name", 't'}, {"value", 'i'}}},
    {"payments", {{"id", 'i'}, {"registration_id", 'i'}, {"bank_id", 't'}, {"bank_ref", 't'}, {"amount", 'i'},
                  {"paid_at", 't'}, {"received_at", 't'}, {"receipt", 't'}}},
    {"audit", {{"seq", 'i'}, {"at", 't'}, {"event", 't'}, {"subject", 't'}, {"detail", 't'}, {"prev", 'b'}, {"hash", 'b'}}},
    {"bank_nonces", {{"bank_id", 't'}, {"nonce", 't'}, {"seen_at", 'i'}}},
    {"uploads", {{"id", 't'}, {"client", 't'}, {"length", 'i'}, {"received", 'i'}, {"expires", 'i'}}},
    {"upload_chunks", {{"upload_id", 't'}, {"start", 'i'}, {"bytes", 'b'}}},
    {"verification_jobs", {{"registration_id", 'i'}, {"due", 'i'}, {"attempts", 'i'}, {"lease_until", 'i'},
                           {"last_error", 't'}, {"then_review", 'i'}}},
    {"registry_checks", {{"registration_id", 'i'}, {"position", 'i'}, {"request_id", 't'}, {"result", 't'},
                         {"fields", 't'}, {"checked_at", 't'}}},
    {"replaced_packages", {{"registration_id", 'i'}, {"version", 'i'}, {"package", 'b'}, {"replaced_at", 't'}}},
    {"operators", {{"id", 'i'}, {"name", 't'}, {"role", 't'}, {"password_hash", 't'}, {"setup_hash", 'b'},
                   {"setup_expires", 'i'}, {"created_at", 't'}}},
    {"operator_sessions", {{"token_hash", 'b'}, {"operator_id", 'i'}, {"csrf", 't'}, {"expires", 'i'}}},
    {"paid_months", {{"registration_id", 'i'}, {"month", 't'}, {"part", 'i'}, {"amount", 'i'}, {"paid_at", 't'}, {"bank_id", 't'},
                     {"bank_ref", 't'}}},
    {"contacts", {{"registration_id", 'i'}, {"phone", 't'}, {"email", 't'}, {"language", 't'}}},
    {"outbox", {{"id", 'i'}, {"dedupe", 't'}, {"channel", 't'}, {"recipient", 't'}, {"template", 't'}, {"params", 't'},
                {"language", 't'}, {"created_at", 't'}, {"due", 'i'}, {"attempts", 'i'}, {"lease_until", 'i'},
                {"sent_at", 't'}, {"last_error", 't'}}},
    {"account_events", {{"registration_id", 'i'}, {"kind", 't'}, {"period", 't'}, {"amount", 'i'}, {"at", 't'}}},
    {"member_challenges", {{"challenge_hash", 'b'}, {"subject_hash", 'b'}, {"registration_id", 'i'}, {"position", 'i'},
                           {"purpose", 't'}, {"change_id", 'i'}, {"code_hash", 'b'}, {"created", 'i'}, {"expires", 'i'},
                           {"tries", 'i'}}},
    {"member_sessions", {{"token_hash", 'b'}, {"registration_id", 'i'}, {"position", 'i'}, {"expires", 'i'}}},
    {"family_changes", {{"id", 'i'}, {"registration_id", 'i'}, {"type", 't'}, {"status", 't'}, {"requested_at", 't'},
                        {"requested_date", 't'}, {"effective", 't'}, {"detail", 't'}, {"requested_by", 'i'}}},
    {"change_packages", {{"change_id", 'i'}, {"package", 'b'}}},
    {"facilities", {{"code", 't'}, {"name", 't'}, {"type", 't'}, {"regency_code", 't'}, {"district_code", 't'},
                    {"accepting", 'i'}, {"capacity", 'i'}, {"members", 'i'}}},
};

}  // namespace

bool CopyStore(Database& from, Database& to, int64_t& rows, std::string& error) {
  rows = 0;
  const bool copied = to.Write([&](Connection& target) {
    Statement existing = target.Prepare("SELECT COUNT(*) FROM registrations");
    if (!existing.Step() || existing.Int(0) != 0) {
      error = "the target already holds registrations: copy into an empty database only";
      return false;
    }
    if (!target.Exec("DELETE FROM counters")) {  // the schema's initial row; the source's comes instead
      error = target.Error();
      return false;
    }
    for (const CopiedTable& table : kCopied) {
      std::string names, marks;
      for (const auto& [column, kind] : table.columns) {
        names += (names.empty() ? "" : ", ") + std::string(column);
        marks += marks.empty() ? "?" : ",?";
      }
      Statement read = from.Reader().Prepare("SELECT " + names + " FROM " + table.name);
      while (read.Step()) {
        Statement write = target.Prepare("INSERT INTO " + std::string(table.name) + " (" + names + ") VALUES (" + marks + ")");
        for (int i = 0; i < static_cast<int>(table.columns.size()); ++i) {
          const char kind = table.columns[static_cast<std::size_t>(i)].second;
          if (read.IsNull(i)) {
            write.BindNull(i + 1);
          } else if (kind == 'i') {
            write.Bind(i + 1, read.Int(i));
          } else if (kind == 'b') {
            write.BindBlob(i + 1, read.Text(i));
          } else {
            write.Bind(i + 1, read.Text(i));
          }
        }
        write.Step();
        if (!write.ok()) {
          error = std::string(table.name) + ": " + target.Error();
          return false;
        }
        ++rows;
      }
      if (!read.ok()) {
        error = std::string("reading ") + table.name + " failed";
        return false;
      }
    }
    if (!target.ContinueSequences()) {
      error = target.Error();
      return false;
    }
    return true;
  });
  if (!copied && error.empty()) error = "the target could not commit";
  return copied;
}

}  // namespace daftar::server
