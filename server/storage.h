// SQLite storage: WAL, synchronous=FULL, versioned migrations, and one writer thread that groups
// concurrent write transactions into a single durable commit, so throughput is not capped at one
// disk flush per request. A caller's Write() returns only after its changes are on disk.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace daftar::server {

// A prepared statement; columns and parameters count from 0 and 1 as in SQLite.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);
  bool Step();  // true while a row is available; false when done (check ok())
  [[nodiscard]] bool ok() const { return rc_ == SQLITE_ROW || rc_ == SQLITE_DONE || rc_ == SQLITE_OK; }
  [[nodiscard]] int rc() const { return rc_; }
  [[nodiscard]] bool IsConstraintViolation() const { return (rc_ & 0xff) == SQLITE_CONSTRAINT; }
  [[nodiscard]] int64_t Int(int column) const;
  [[nodiscard]] std::string Text(int column) const;
  [[nodiscard]] bool IsNull(int column) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

class Connection {
 public:
  explicit Connection(sqlite3* db) : db_(db) {}
  Statement Prepare(std::string_view sql) { return Statement(db_, sql); }
  bool Exec(const char* sql);  // statements without results
  [[nodiscard]] std::string Error() const { return sqlite3_errmsg(db_); }
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_;
};

class Database {
 public:
  // Opens (creating if needed) and migrates the database; nullptr and `error` on failure.
  static std::unique_ptr<Database> Open(const std::string& path, std::string& error);
  ~Database();

  // Runs `job` in a transaction, grouped with other writers' jobs; `job` returns false to undo
  // its own changes (the others' stay). Returns true once the job's changes are durable.
  bool Write(std::function<bool(Connection&)> job);

  // A read connection for the calling thread (WAL: readers never wait for the writer).
  Connection& Reader();

  // Off: every job commits on its own (for comparing throughput).
  void SetGroupCommit(bool on) { group_commit_ = on; }
  [[nodiscard]] uint64_t commits() const { return commits_; }

 private:
  Database() = default;
  void WriterLoop();
  struct Job {
    std::function<bool(Connection&)> run;
    std::promise<bool> done;
  };

  std::string path_;
  sqlite3* writer_ = nullptr;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::atomic<bool> group_commit_{true};
  std::atomic<uint64_t> commits_{0};
  std::thread thread_;
};

}  // namespace daftar::server
