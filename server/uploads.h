// Resumable uploads (tus 1.0) on disk: DATA/uploads/ID holds the bytes so far and ID.json its
// declared length, expiry and the address that created it. An index in memory answers quotas
// and lookups; each upload has its own lock, so no lock is ever held across another upload's
// disk I/O. A crash loses nothing: the index is rebuilt from the files at start.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "config.h"

namespace daftar::server {

class UploadStore {
 public:
  UploadStore(std::string dir, const Limits& limits);

  struct Upload {
    int64_t length = 0;   // declared by Upload-Length
    int64_t offset = 0;   // bytes on disk
    int64_t expires = 0;  // unix seconds
  };

  // A new upload of `length` bytes for `client`. Refused (nullopt, `code` and its `max_bytes`)
  // when the bytes its address, or everyone, holds in unfinished uploads would pass the quota.
  std::optional<std::string> Create(const std::string& client, int64_t length, int64_t expires, std::string& code,
                                    int64_t& max_bytes);

  // The upload `id` unless unknown or expired at `now`.
  std::optional<Upload> Find(const std::string& id, int64_t now);

  enum class Appended { kOk, kNotFound, kOffsetMismatch, kExceedsLength, kStorageFailed };
  // Appends at `offset` (which must be the current one), flushed to disk before it answers;
  // `upload` is the state after (or the current one, for the offset mismatch answer).
  Appended Append(const std::string& id, int64_t offset, std::string_view bytes, int64_t now, Upload& upload);

  // The whole package of a finished upload; nullopt if unknown, expired or incomplete (`upload`
  // then says how far it got).
  std::optional<std::string> ReadComplete(const std::string& id, int64_t now, std::optional<Upload>& upload);

  void Remove(const std::string& id);
  void Expire(int64_t now);

  [[nodiscard]] uint64_t bytes_received() const;

 private:
  struct Entry {
    std::string client;
    Upload upload;
    std::shared_ptr<std::mutex> lock = std::make_shared<std::mutex>();  // the file's own lock
  };
  std::string Path(const std::string& id) const;
  void Forget(const std::string& id);  // with mutex_ held

  const std::string dir_;
  const Limits& limits_;
  mutable std::mutex mutex_;  // the index and the counters; never held across disk I/O
  std::map<std::string, Entry> index_;
  std::map<std::string, int64_t> reserved_by_client_;  // declared bytes of unfinished uploads
  int64_t reserved_total_ = 0;
  uint64_t bytes_received_ = 0;
};

// True for the 32 lowercase hex digits of an upload id.
[[nodiscard]] bool IsUploadId(std::string_view id);

}  // namespace daftar::server
