// SQLite: WAL, synchronous=FULL, and one writer thread that groups concurrent jobs into a single
// durable commit, so throughput is not capped at one disk flush per request.
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "storage.h"

namespace daftar::server {
namespace {

class SqliteStatement final : public StatementImpl {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  }
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  void Bind(int index, int64_t value) override {
    if (ok()) rc_ = sqlite3_bind_int64(stmt_, index, value);
  }
  void Bind(int index, std::string_view text) override {
    if (ok()) rc_ = sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void BindBlob(int index, std::string_view bytes) override {
    if (ok()) rc_ = sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  }
  void BindNull(int index) override {
    if (ok()) rc_ = sqlite3_bind_null(stmt_, index);
  }
  bool Step() override {
    if (!ok() || stmt_ == nullptr) return false;
    rc_ = sqlite3_step(stmt_);
    if (rc_ == SQLITE_DONE) changes_ = sqlite3_changes(db_);
    return rc_ == SQLITE_ROW;
  }
  [[nodiscard]] bool ok() const override { return rc_ == SQLITE_ROW || rc_ == SQLITE_DONE || rc_ == SQLITE_OK; }
  [[nodiscard]] bool IsConstraintViolation() const override { return (rc_ & 0xff) == SQLITE_CONSTRAINT; }
  [[nodiscard]] int64_t Int(int column) const override { return sqlite3_column_int64(stmt_, column); }
  [[nodiscard]] std::string Text(int column) const override {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
  }
  [[nodiscard]] bool IsNull(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  [[nodiscard]] int64_t Changes() const override { return changes_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
  int64_t changes_ = 0;
};

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  Statement Prepare(std::string_view sql) override { return Statement(std::make_unique<SqliteStatement>(db_, sql)); }
  bool Exec(std::string_view sql) override {
    return sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  [[nodiscard]] std::string Error() const override { return sqlite3_errmsg(db_); }

  std::vector<int64_t> NextCardSerials(int n) override {
    Statement counter = Prepare("UPDATE counters SET value = value + ? WHERE name = 'card_serial' RETURNING value");
    counter.Bind(1, int64_t{n});
    if (!counter.Step()) return {};
    const int64_t last = counter.Int(0);
    counter.Step();
    std::vector<int64_t> serials;
    for (int64_t s = last - n + 1; s <= last; ++s) serials.push_back(s);
    return serials;
  }
  bool LockAuditChain() override { return true; }  // one writer: appends are already serial
  bool ContinueSequences() override { return true; }  // INTEGER PRIMARY KEY continues by itself
  bool ClaimJob(int64_t) override { return true; }

 private:
  sqlite3* db_;
};

bool Configure(sqlite3* db) {
  return sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", nullptr,
                      nullptr, nullptr) == SQLITE_OK &&
         sqlite3_busy_timeout(db, 10000) == SQLITE_OK;
}

// Readers: one connection per thread, opened on first use (WAL: readers never wait for the writer).
class SqliteReaders final : public Connection {
 public:
  explicit SqliteReaders(std::string path) : path_(std::move(path)) {}
  Statement Prepare(std::string_view sql) override { return Mine().Prepare(sql); }
  bool Exec(std::string_view sql) override { return Mine().Exec(sql); }
  [[nodiscard]] std::string Error() const override { return Mine().Error(); }
  std::vector<int64_t> NextCardSerials(int) override { return {}; }  // writers only
  bool LockAuditChain() override { return false; }
  bool ContinueSequences() override { return false; }
  bool ClaimJob(int64_t) override { return false; }

 private:
  SqliteConnection& Mine() const {
    struct Handle {
      sqlite3* db = nullptr;
      std::unique_ptr<SqliteConnection> connection;
      ~Handle() { sqlite3_close(db); }
    };
    thread_local std::map<const SqliteReaders*, Handle> mine;
    Handle& h = mine[this];
    if (!h.connection) {
      sqlite3_open_v2(path_.c_str(), &h.db, SQLITE_OPEN_READWRITE, nullptr);
      Configure(h.db);
      h.connection = std::make_unique<SqliteConnection>(h.db);
    }
    return *h.connection;
  }
  std::string path_;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, sqlite3* writer)
      : path_(std::move(path)), writer_(writer), readers_(path_), thread_([this] { WriterLoop(); }) {}

  ~SqliteDatabase() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    sqlite3_close(writer_);
  }

  bool Write(std::function<bool(Connection&)> job) override {
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

  Connection& Reader() override { return readers_; }
  void SetGroupCommit(bool on) override { group_commit_ = on; }
  [[nodiscard]] uint64_t commits() const override { return commits_; }
  [[nodiscard]] std::string Describe() const override { return "sqlite:" + path_; }
  [[nodiscard]] bool Shared() const override { return false; }

 private:
  struct Job {
    std::function<bool(Connection&)> run;
    std::promise<bool> done;
  };

  void WriterLoop() {
    SqliteConnection c(writer_);
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

  const std::string path_;
  sqlite3* writer_;
  SqliteReaders readers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::atomic<bool> group_commit_{true};
  std::atomic<uint64_t> commits_{0};
  std::thread thread_;  // last: it starts once everything above is ready
};

}  // namespace

std::unique_ptr<Database> OpenSqlite(const std::string& path, std::string& error) {
  sqlite3* writer = nullptr;
  if (sqlite3_open(path.c_str(), &writer) != SQLITE_OK || !Configure(writer)) {
    error = writer ? sqlite3_errmsg(writer) : "cannot open " + path;
    sqlite3_close(writer);
    return nullptr;
  }
  SqliteConnection c(writer);
  if (!Migrate(c, /*postgres=*/false, error)) {
    sqlite3_close(writer);
    return nullptr;
  }
  return std::make_unique<SqliteDatabase>(path, writer);
}

}  // namespace daftar::server
