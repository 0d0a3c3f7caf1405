// The database under the store: SQLite (embedded, the default) or PostgreSQL (several servers on
// one database). Both speak the same SQL, written once with `?` placeholders: the schema and every
// query are shared, and the back ends differ only where they must (the driver, column types in
// DDL, sequences, locks), behind Connection's few dialect methods.
//
// Writes run as jobs: Database::Write(job) runs `job` in a transaction and returns once its
// changes are durable. SQLite groups concurrent jobs into one commit (one writer thread, so
// throughput is not capped at one disk flush per request); PostgreSQL runs each job on a pooled
// connection. Reads go through Reader(), whose statements each run on their own.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace daftar::server {

// One query's driver-side state; see Statement.
class StatementImpl {
 public:
  virtual ~StatementImpl() = default;
  virtual void Bind(int index, int64_t value) = 0;
  virtual void Bind(int index, std::string_view text) = 0;
  virtual void BindBlob(int index, std::string_view bytes) = 0;
  virtual void BindNull(int index) = 0;
  virtual bool Step() = 0;
  [[nodiscard]] virtual bool ok() const = 0;
  [[nodiscard]] virtual bool IsConstraintViolation() const = 0;
  [[nodiscard]] virtual int64_t Int(int column) const = 0;
  [[nodiscard]] virtual std::string Text(int column) const = 0;
  [[nodiscard]] virtual bool IsNull(int column) const = 0;
  [[nodiscard]] virtual int64_t Changes() const = 0;
};

// A query: parameters count from 1 and columns from 0, as in SQLite. Step() runs it (the first
// time) and moves to the next row: true while a row is there, false when done (then check ok()).
class Statement {
 public:
  explicit Statement(std::unique_ptr<StatementImpl> impl) : impl_(std::move(impl)) {}

  Statement& Bind(int index, int64_t value) { return impl_->Bind(index, value), *this; }
  Statement& Bind(int index, std::string_view text) { return impl_->Bind(index, text), *this; }
  Statement& BindBlob(int index, std::string_view bytes) { return impl_->BindBlob(index, bytes), *this; }
  Statement& BindNull(int index) { return impl_->BindNull(index), *this; }
  bool Step() { return impl_->Step(); }
  [[nodiscard]] bool ok() const { return impl_->ok(); }
  [[nodiscard]] bool IsConstraintViolation() const { return impl_->IsConstraintViolation(); }
  [[nodiscard]] int64_t Int(int column) const { return impl_->Int(column); }
  [[nodiscard]] std::string Text(int column) const { return impl_->Text(column); }
  [[nodiscard]] bool IsNull(int column) const { return impl_->IsNull(column); }
  [[nodiscard]] int64_t Changes() const { return impl_->Changes(); }  // rows the statement changed

 private:
  std::unique_ptr<StatementImpl> impl_;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Statement Prepare(std::string_view sql) = 0;
  virtual bool Exec(std::string_view sql) = 0;  // statements without results or parameters
  [[nodiscard]] virtual std::string Error() const = 0;

  // --- where the back ends differ ---
  // `n` new card serials, never handed out before (SQLite: a counter; PostgreSQL: a sequence).
  [[nodiscard]] virtual std::vector<int64_t> NextCardSerials(int n) = 0;
  // Serialises appends to the audit chain until the transaction ends (SQLite has one writer).
  virtual bool LockAuditChain() = 0;
  // Claims the background job `job` for this transaction: false when another server holds it
  // (PostgreSQL: a transaction-level advisory lock; SQLite has one writer, so always true).
  virtual bool ClaimJob(int64_t job) = 0;
  // After rows were copied in with their ids: sequences continue after the highest ones.
  virtual bool ContinueSequences() = 0;
};

class Database {
 public:
  // `url`: "sqlite:PATH" or a libpq connection string ("postgresql://…", "postgresql:///db?host=…").
  // Opens and migrates (safely when several servers start at once); nullptr and `error` on failure.
  static std::unique_ptr<Database> Open(const std::string& url, std::string& error);
  virtual ~Database() = default;

  // Runs `job` in a transaction; `job` returns false to undo its own changes. True once the
  // job's changes are durable. Inside a job use only the connection it is given.
  virtual bool Write(std::function<bool(Connection&)> job) = 0;

  // Statements that each run on their own (any thread).
  virtual Connection& Reader() = 0;

  // SQLite: off makes every job commit on its own (for comparing throughput).
  virtual void SetGroupCommit(bool on) { (void)on; }
  [[nodiscard]] virtual uint64_t commits() const { return 0; }
  [[nodiscard]] virtual std::string Describe() const = 0;  // "sqlite:PATH" or the database name
  // True when other servers may use the same database (PostgreSQL): what one server counts in
  // memory (rate limits) must then be counted here instead.
  [[nodiscard]] virtual bool Shared() const = 0;
};

// The schema, shared by both back ends: each migration runs once, in order, in the transaction
// that records it. Never edit a released one: add the next. Written in SQLite's types; PostgreSQL
// reads INTEGER as BIGINT, INTEGER PRIMARY KEY as BIGSERIAL and BLOB as BYTEA.
struct Migration {
  const char* sql;
  const char* postgres_only = nullptr;  // run after `sql`, on PostgreSQL only
};
[[nodiscard]] const std::vector<Migration>& Migrations();
// Applies the migrations not yet applied on `c` (the caller holds whatever lock the back end needs).
[[nodiscard]] bool Migrate(Connection& c, bool postgres, std::string& error);

// Copies everything a running office keeps from one store into another, empty one (`daftar migrate
// --from … --to …`), in one transaction on the target. Rate counts, throttles, live sign-in codes
// and operators' known devices are not copied: they are short-lived and start afresh.
[[nodiscard]] bool CopyStore(Database& from, Database& to, int64_t& rows, std::string& error);

// Implementations (storage_sqlite.cpp, storage_postgres.cpp).
std::unique_ptr<Database> OpenSqlite(const std::string& path, std::string& error);
std::unique_ptr<Database> OpenPostgres(const std::string& conninfo, std::string& error);

}  // namespace daftar::server
