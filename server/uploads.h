// Resumable uploads (tus 1.0) in the database, so that any server can resume an upload another
// began: a row per upload (declared length, bytes received, expiry, the address that made it)
// and a row per chunk received. Every change is a guarded update in one transaction, so two
// PATCHes racing for the same offset (on one server or two) cannot both land.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config.h"
#include "storage.h"

namespace daftar::server {

class UploadStore {
 public:
  UploadStore(Database& db, const Limits& limits) : db_(db), limits_(limits) {}

  struct Upload {
    int64_t length = 0;   // declared by Upload-Length
    int64_t offset = 0;   // bytes received and durable
    int64_t expires = 0;  // unix seconds
  };

  // A new upload of `length` bytes for `client`. Refused (nullopt, `code` and its `max_bytes`)
  // when the bytes its address, or everyone, holds in uploads not yet registered would pass the
  // quota; `code` is storage.unavailable when the database failed.
  std::optional<std::string> Create(const std::string& client, int64_t length, int64_t expires, int64_t now,
                                    std::string& code, int64_t& max_bytes);

  // The upload `id` unless unknown or expired at `now`.
  std::optional<Upload> Find(const std::string& id, int64_t now);

  enum class Appended { kOk, kNotFound, kOffsetMismatch, kExceedsLength, kStorageFailed };
  // Appends at `offset` (which must be the current one), durable before it answers; `upload` is
  // the state after (or the current one, for the offset and length answers).
  Appended Append(const std::string& id, int64_t offset, std::string_view bytes, int64_t now, Upload& upload);

  // The whole package of a finished upload; nullopt if unknown, expired or incomplete (`upload`
  // then says how far it got, or is empty if unknown).
  std::optional<std::string> ReadComplete(const std::string& id, int64_t now, std::optional<Upload>& upload);

  void Remove(const std::string& id);
  void Expire(int64_t now);

  [[nodiscard]] uint64_t bytes_received() const { return bytes_received_; }  // by this server

 private:
  Database& db_;
  const Limits& limits_;
  std::atomic<uint64_t> bytes_received_{0};
};

// True for the 32 lowercase hex digits of an upload id.
[[nodiscard]] bool IsUploadId(std::string_view id);

}  // namespace daftar::server
