#include "storage.h"

#include <map>
#include <vector>

namespace daftar::server {

Statement::Statement(sqlite3* db, std::string_view sql) {
  rc_ = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int index, int64_t value) {
  if (ok()) rc_ = sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  if (ok()) rc_ = sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  if (ok()) rc_ = sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (ok()) rc_ = sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Statement::Step() {
  if (!ok() || stmt_ == nullptr) return false;
  rc_ = sqlite3_step(stmt_);
  return rc_ == SQLITE_ROW;
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}

bool Statement::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

bool Connection::Exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

namespace {

// Each migration runs once, in order, in the transaction that records it. Never edit a released
// one: add the next.
const char* const kMigrations[] = {
    R"sql(
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
)sql",
    // Hardening: the package's hash beside its idempotency key (a key alone is no credential),
    // the banks' nonces (a signed call is accepted once), and unpaid windows found by date.
    R"sql(
ALTER TABLE registrations ADD COLUMN package_hash BLOB;
CREATE TABLE bank_nonces (
  bank_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (bank_id, nonce)
);
CREATE INDEX bank_nonces_by_time ON bank_nonces(seen_at);
CREATE INDEX registrations_by_window ON registrations(status, latest);
)sql",
};

bool Configure(sqlite3* db) {
  return sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", nullptr,
                      nullptr, nullptr) == SQLITE_OK &&
         sqlite3_busy_timeout(db, 10000) == SQLITE_OK;
}

bool Migrate(Connection& c, std::string& error) {
  c.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  Statement current = c.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  current.Step();
  const int64_t have = current.Int(0);
  const int64_t want = static_cast<int64_t>(std::size(kMigrations));
  for (int64_t v = have; v < want; ++v) {
    if (!c.Exec("BEGIN IMMEDIATE") || !c.Exec(kMigrations[v])) {
      error = "migration " + std::to_string(v + 1) + ": " + c.Error();
      c.Exec("ROLLBACK");
      return false;
    }
    Statement record = c.Prepare("INSERT INTO schema_version VALUES (?)");
    record.Bind(1, v + 1).Step();
    if (!record.ok() || !c.Exec("COMMIT")) {
      error = c.Error();
      c.Exec("ROLLBACK");
      return false;
    }
  }
  return true;
}

}  // namespace

std::unique_ptr<Database> Database::Open(const std::string& path, std::string& error) {
  std::unique_ptr<Database> db(new Database());
  db->path_ = path;
  if (sqlite3_open(path.c_str(), &db->writer_) != SQLITE_OK || !Configure(db->writer_)) {
    error = db->writer_ ? sqlite3_errmsg(db->writer_) : "cannot open " + path;
    return nullptr;
  }
  Connection c(db->writer_);
  if (!Migrate(c, error)) return nullptr;
  db->thread_ = std::thread([raw = db.get()] { raw->WriterLoop(); });
  return db;
}

Database::~Database() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  sqlite3_close(writer_);
}

bool Database::Write(std::function<bool(Connection&)> job) {
  std::future<bool> done;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    queue_.push_back({std::move(job), {}});
    done = queue_.back().done.get_future();
  }
  wake_.notify_one();
  return done.get();
}

void Database::WriterLoop() {
  Connection c(writer_);
  constexpr std::size_t kMaxBatch = 256;
  while (true) {
    std::vector<Job> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every job answered
      const std::size_t take = group_commit_ ? std::min(queue_.size(), kMaxBatch) : 1;
      for (std::size_t i = 0; i < take; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::vector<bool> kept(batch.size());
    bool intact = c.Exec("BEGIN IMMEDIATE");
    for (std::size_t i = 0; intact && i < batch.size(); ++i) {
      intact = c.Exec("SAVEPOINT job");
      kept[i] = intact && batch[i].run(c);
      if (!kept[i]) c.Exec("ROLLBACK TO job");
      c.Exec("RELEASE job");
      // Some errors (a full disk, an I/O error) roll back the whole transaction, not only the
      // job: then no later job may run, since it would run outside any transaction, and no
      // earlier one is kept.
      if (sqlite3_get_autocommit(writer_)) intact = false;
    }
    const bool committed = intact && c.Exec("COMMIT");
    if (!committed && !sqlite3_get_autocommit(writer_)) c.Exec("ROLLBACK");
    ++commits_;
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done.set_value(committed && kept[i]);
  }
}

Connection& Database::Reader() {
  // One connection per thread and database, opened on first use.
  thread_local std::map<const Database*, std::unique_ptr<sqlite3, int (*)(sqlite3*)>> readers;
  auto it = readers.find(this);
  if (it == readers.end()) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
    Configure(db);
    it = readers.emplace(this, std::unique_ptr<sqlite3, int (*)(sqlite3*)>(db, sqlite3_close)).first;
  }
  thread_local std::map<const Database*, Connection> connections;
  return connections.try_emplace(this, it->second.get()).first->second;
}

}  // namespace daftar::server
