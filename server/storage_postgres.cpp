// PostgreSQL through libpq, for several servers on one database.
//
// Why libpq and not SOCI (both from Debian): measured with tools/bench-pg-drivers.sh on this
// project's 2-core machine (2026-11-25), a private PostgreSQL 15 on a Unix socket, 20 000
// single-row inserts each in its own transaction, then 20 000 lookups by key, two alternating
// rounds: libpq 2 410 and 2 536 inserts/s, 7 433 and 6 919 lookups/s; SOCI 2 413 and 2 240
// inserts/s, 6 978 and 6 566 lookups/s. Equal within the noise, libpq slightly ahead: both speak
// the same protocol and the round trip dominates. So the rest decides: SOCI would add a library
// and its own SQLite back end (ours groups commits, which SOCI cannot express), it reports errors
// as exceptions where this code base uses values, and what this store needs from PostgreSQL
// itself, SQLSTATE codes (a unique violation is a duplicate NIK or a replay) and the connection's
// state after a failover (to reconnect), is reached through its back-end-specific types anyway.
// libpq gives all of it directly, in this one file.
#include <libpq-fe.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>

#include "storage.h"

namespace daftar::server {
namespace {

constexpr Oid kByteaOid = 17, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kBoolOid = 16;
constexpr int64_t kMigrationLock = 0x44616674'61720001;  // "Daftar", 1: one server migrates at a time
constexpr int64_t kAuditLock = 0x44616674'61720002;      // appends to the audit chain, one at a time
constexpr int64_t kJobLocks = 0x44616674'61721000;       // + a job's number: one server runs it at a time

// `?` placeholders as `$1`, `$2`, …, outside quoted text.
std::string Numbered(std::string_view sql) {
  std::string out;
  int n = 0;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += "$" + std::to_string(++n);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Connections, opened as needed up to a limit and reused; a broken one is closed and replaced,
// which is how the servers reconnect after the database restarts or a standby is promoted.
class Pool {
 public:
  Pool(std::string conninfo, std::size_t limit) : conninfo_(std::move(conninfo)), limit_(limit) {}
  ~Pool() {
    for (PGconn* c : idle_) PQfinish(c);
  }

  PGconn* Acquire(std::string& error) {
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [&] { return !idle_.empty() || open_ < limit_; });
    if (!idle_.empty()) {
      PGconn* c = idle_.back();
      idle_.pop_back();
      return c;
    }
    ++open_;
    lock.unlock();
    PGconn* c = PQconnectdb(conninfo_.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      error = PQerrorMessage(c);
      PQfinish(c);
      lock.lock();
      --open_;
      freed_.notify_one();
      return nullptr;
    }
    PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);  // "already exists, skipping"
    return c;
  }

  void Release(PGconn* c) {
    std::lock_guard lock(mutex_);
    if (PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) == PQTRANS_IDLE) {
      idle_.push_back(c);
    } else {
      PQfinish(c);
      --open_;
    }
    freed_.notify_one();
  }

  [[nodiscard]] const std::string& conninfo() const { return conninfo_; }

 private:
  const std::string conninfo_;
  const std::size_t limit_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<PGconn*> idle_;
  std::size_t open_ = 0;
};

// A statement runs once, on its connection (inside a write job) or on one borrowed from the pool
// for just that call (a read); the whole result is kept, so statements never hold a connection.
class PgStatement final : public StatementImpl {
 public:
  PgStatement(PGconn* conn, Pool* pool, std::string_view sql, std::string* error)
      : conn_(conn), pool_(pool), sql_(Numbered(sql)), error_(error) {}
  ~PgStatement() override { PQclear(result_); }

  void Bind(int index, int64_t value) override { Set(index, std::to_string(value), 0, 0); }
  void Bind(int index, std::string_view text) override { Set(index, std::string(text), 0, 0); }
  void BindBlob(int index, std::string_view bytes) override { Set(index, std::string(bytes), 1, kByteaOid); }
  void BindNull(int index) override {
    Set(index, {}, 0, 0);
    null_[static_cast<std::size_t>(index - 1)] = true;
  }

  bool Step() override {
    if (!executed_) {
      executed_ = true;
      Execute();
      row_ = 0;
    } else {
      ++row_;
    }
    return ok_ && result_ != nullptr && row_ < PQntuples(result_);
  }
  [[nodiscard]] bool ok() const override { return ok_; }
  [[nodiscard]] bool IsConstraintViolation() const override { return sqlstate_.rfind("23", 0) == 0; }
  [[nodiscard]] int64_t Int(int column) const override {
    if (!Has(column)) return 0;
    const char* v = PQgetvalue(result_, row_, column);
    const auto big_endian = [&](int bytes) {
      uint64_t x = 0;
      for (int i = 0; i < bytes; ++i) x = (x << 8) | static_cast<unsigned char>(v[i]);
      // Sign-extend the narrower integers.
      if (bytes < 8 && (x >> (bytes * 8 - 1)) != 0) x |= ~uint64_t{0} << (bytes * 8);
      return static_cast<int64_t>(x);
    };
    switch (PQftype(result_, column)) {
      case kInt8Oid: return big_endian(8);
      case kInt4Oid: return big_endian(4);
      case kInt2Oid: return big_endian(2);
      case kBoolOid: return v[0] != 0;
      default: return std::strtoll(std::string(v, static_cast<std::size_t>(PQgetlength(result_, row_, column))).c_str(), nullptr, 10);
    }
  }
  [[nodiscard]] std::string Text(int column) const override {
    if (!Has(column)) return {};
    return {PQgetvalue(result_, row_, column), static_cast<std::size_t>(PQgetlength(result_, row_, column))};
  }
  [[nodiscard]] bool IsNull(int column) const override { return !Has(column) || PQgetisnull(result_, row_, column); }
  [[nodiscard]] int64_t Changes() const override { return result_ ? std::atoll(PQcmdTuples(result_)) : 0; }

 private:
  void Set(int index, std::string value, int format, Oid type) {
    const auto i = static_cast<std::size_t>(index - 1);
    if (values_.size() <= i) {
      values_.resize(i + 1);
      formats_.resize(i + 1);
      types_.resize(i + 1);
      null_.resize(i + 1);
    }
    values_[i] = std::move(value);
    formats_[i] = format;
    types_[i] = type;
    null_[i] = false;
  }

  [[nodiscard]] bool Has(int column) const {
    return ok_ && result_ != nullptr && row_ < PQntuples(result_) && column < PQnfields(result_);
  }

  void Execute() {
    std::vector<const char*> values(values_.size());
    std::vector<int> lengths(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i) {
      values[i] = null_[i] ? nullptr : values_[i].data();
      lengths[i] = static_cast<int>(values_[i].size());
    }
    // A read borrows a connection for this call; if it had died with the database, the read
    // runs once more on a fresh one (reads change nothing, so this is safe).
    for (int attempt = 0; attempt < (conn_ ? 1 : 2); ++attempt) {
      PGconn* conn = conn_;
      std::string borrow_error;
      if (conn == nullptr) conn = pool_->Acquire(borrow_error);
      if (conn == nullptr) {
        ok_ = false;
        if (error_) *error_ = borrow_error;
        return;
      }
      PQclear(result_);
      result_ = PQexecParams(conn, sql_.c_str(), static_cast<int>(values.size()), types_.data(), values.data(),
                             lengths.data(), formats_.data(), /*binary results=*/1);
      const ExecStatusType status = PQresultStatus(result_);
      ok_ = status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
      if (!ok_) {
        const char* state = PQresultErrorField(result_, PG_DIAG_SQLSTATE);
        sqlstate_ = state ? state : "";
        if (error_) *error_ = PQresultErrorMessage(result_);
      }
      const bool stale = PQstatus(conn) != CONNECTION_OK;
      if (conn_ == nullptr) pool_->Release(conn);
      if (ok_ || !stale) return;
    }
  }

  PGconn* const conn_;  // the write job's connection, or null: borrow from `pool_`
  Pool* const pool_;
  const std::string sql_;
  std::string* const error_;
  std::vector<std::string> values_;
  std::vector<int> formats_;
  std::vector<Oid> types_;
  std::vector<bool> null_;
  PGresult* result_ = nullptr;
  bool executed_ = false, ok_ = true;
  int row_ = -1;
  std::string sqlstate_;
};

class PgConnection final : public Connection {
 public:
  PgConnection(PGconn* conn, Pool* pool) : conn_(conn), pool_(pool) {}
  Statement Prepare(std::string_view sql) override {
    return Statement(std::make_unique<PgStatement>(conn_, pool_, sql, conn_ ? &error_ : nullptr));
  }
  bool Exec(std::string_view sql) override {
    if (conn_ == nullptr) return false;  // the reader runs prepared statements only
    PGresult* r = PQexec(conn_, std::string(sql).c_str());
    const ExecStatusType status = PQresultStatus(r);
    const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!ok) error_ = PQresultErrorMessage(r);
    PQclear(r);
    return ok;
  }
  [[nodiscard]] std::string Error() const override { return error_; }

  std::vector<int64_t> NextCardSerials(int n) override {
    Statement s = Prepare("SELECT nextval('card_serial_sequence') FROM generate_series(1, CAST(? AS INTEGER))");
    s.Bind(1, int64_t{n});
    std::vector<int64_t> serials;
    while (s.Step()) serials.push_back(s.Int(0));
    if (!s.ok() || static_cast<int>(serials.size()) != n) return {};
    return serials;
  }
  bool LockAuditChain() override {
    Statement s = Prepare("SELECT pg_advisory_xact_lock(?)");
    s.Bind(1, kAuditLock);
    s.Step();
    return s.ok();
  }

  bool ClaimJob(int64_t job) override {
    Statement s = Prepare("SELECT pg_try_advisory_xact_lock(?)");
    s.Bind(1, kJobLocks + job);
    return s.Step() && s.Int(0) == 1;
  }
  bool ContinueSequences() override {
    return Exec(
        "SELECT setval('card_serial_sequence', (SELECT value FROM counters WHERE name = 'card_serial') + 1, false);"
        "SELECT setval(pg_get_serial_sequence('registrations', 'id'), COALESCE((SELECT MAX(id) FROM registrations), 0) + 1, false);"
        "SELECT setval(pg_get_serial_sequence('payments', 'id'), COALESCE((SELECT MAX(id) FROM payments), 0) + 1, false);"
        "SELECT setval(pg_get_serial_sequence('audit', 'seq'), COALESCE((SELECT MAX(seq) FROM audit), 0) + 1, false);"
        "SELECT setval(pg_get_serial_sequence('operators', 'id'), COALESCE((SELECT MAX(id) FROM operators), 0) + 1, false);"
        "SELECT setval(pg_get_serial_sequence('outbox', 'id'), COALESCE((SELECT MAX(id) FROM outbox), 0) + 1, false);"
        "SELECT setval(pg_get_serial_sequence('family_changes', 'id'), COALESCE((SELECT MAX(id) FROM family_changes), 0) + 1, false);");
  }

  // Ends the job's transaction: true only if PostgreSQL says COMMIT (after an error inside the
  // transaction it answers ROLLBACK to a COMMIT).
  bool Commit() {
    PGresult* r = PQexec(conn_, "COMMIT");
    const bool committed = PQresultStatus(r) == PGRES_COMMAND_OK && std::strcmp(PQcmdStatus(r), "COMMIT") == 0;
    if (!committed) error_ = PQresultErrorMessage(r);
    PQclear(r);
    return committed;
  }

 private:
  PGconn* conn_;
  Pool* pool_;
  std::string error_;
};

class PgDatabase final : public Database {
 public:
  explicit PgDatabase(std::string conninfo) : pool_(std::move(conninfo), kPoolSize), reader_(nullptr, &pool_) {}

  bool Write(std::function<bool(Connection&)> job) override {
    // A pooled connection may have died with the database (a restart, a failover): found at
    // BEGIN, before the job ran, so trying once more on a fresh connection is safe.
    for (int attempt = 0; attempt < 2; ++attempt) {
      std::string error;
      PGconn* conn = pool_.Acquire(error);
      if (conn == nullptr) return false;
      PgConnection c(conn, &pool_);
      if (!c.Exec("BEGIN")) {
        const bool stale = PQstatus(conn) != CONNECTION_OK;
        pool_.Release(conn);
        if (stale) continue;
        return false;
      }
      bool done = job(c);
      if (done) {
        done = c.Commit();
      } else {
        c.Exec("ROLLBACK");
      }
      pool_.Release(conn);
      return done;
    }
    return false;
  }

  Connection& Reader() override { return reader_; }
  [[nodiscard]] bool Shared() const override { return true; }
  [[nodiscard]] std::string Describe() const override {
    PQconninfoOption* options = PQconninfoParse(pool_.conninfo().c_str(), nullptr);
    std::string name = "postgresql";
    for (PQconninfoOption* o = options; o && o->keyword; ++o) {
      if (std::strcmp(o->keyword, "dbname") == 0 && o->val) name += " database " + std::string(o->val);
    }
    PQconninfoFree(options);
    return name;
  }

  bool MigrateOnce(std::string& error) {
    PGconn* conn = pool_.Acquire(error);
    if (conn == nullptr) return false;
    PgConnection c(conn, &pool_);
    // Several servers may start at once: one migrates, the others wait, then find nothing to do.
    Statement lock = c.Prepare("SELECT pg_advisory_lock(?)");
    lock.Bind(1, kMigrationLock);
    lock.Step();
    bool ok = lock.ok() && Migrate(c, /*postgres=*/true, error);
    Statement unlock = c.Prepare("SELECT pg_advisory_unlock(?)");
    unlock.Bind(1, kMigrationLock);
    unlock.Step();
    if (!lock.ok()) error = c.Error();
    pool_.Release(conn);
    return ok;
  }

 private:
  static constexpr std::size_t kPoolSize = 16;
  Pool pool_;
  PgConnection reader_;
};

}  // namespace

std::unique_ptr<Database> OpenPostgres(const std::string& conninfo, std::string& error) {
  auto db = std::make_unique<PgDatabase>(conninfo);
  if (!db->MigrateOnce(error)) return nullptr;
  return db;
}

}  // namespace daftar::server
