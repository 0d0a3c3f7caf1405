#include "uploads.h"

#include <sodium.h>

namespace daftar::server {
namespace {

std::string NewUploadId() {
  unsigned char raw[16];
  randombytes_buf(raw, sizeof raw);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return hex;
}

// Declared bytes of uploads not yet registered nor expired: of one address, or of everyone.
int64_t Reserved(Connection& c, const std::string* client, int64_t now) {
  Statement s = c.Prepare(client ? "SELECT CAST(COALESCE(SUM(length), 0) AS BIGINT) FROM uploads WHERE expires >= ? AND client = ?"
                                 : "SELECT CAST(COALESCE(SUM(length), 0) AS BIGINT) FROM uploads WHERE expires >= ?");
  s.Bind(1, now);
  if (client) s.Bind(2, *client);
  return s.Step() ? s.Int(0) : 0;
}

}  // namespace

bool IsUploadId(std::string_view id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::optional<std::string> UploadStore::Create(const std::string& client, int64_t length, int64_t expires, int64_t now,
                                               std::string& code, int64_t& max_bytes) {
  const std::string id = NewUploadId();
  code.clear();
  const bool done = db_.Write([&](Connection& c) {
    if (Reserved(c, &client, now) + length > limits_.upload_bytes_per_client) {
      code = "upload.quota_exceeded";
      max_bytes = limits_.upload_bytes_per_client;
      return false;
    }
    if (Reserved(c, nullptr, now) + length > limits_.upload_bytes_total) {
      code = "upload.quota_exceeded";
      max_bytes = limits_.upload_bytes_total;
      return false;
    }
    Statement insert = c.Prepare("INSERT INTO uploads (id, client, length, received, expires) VALUES (?,?,?,0,?)");
    insert.Bind(1, id).Bind(2, client).Bind(3, length).Bind(4, expires).Step();
    return insert.ok();
  });
  if (done) return id;
  if (code.empty()) code = "storage.unavailable";
  return std::nullopt;
}

std::optional<UploadStore::Upload> UploadStore::Find(const std::string& id, int64_t now) {
  Statement s = db_.Reader().Prepare("SELECT length, received, expires FROM uploads WHERE id = ? AND expires >= ?");
  s.Bind(1, id).Bind(2, now);
  if (!s.Step()) return std::nullopt;
  return Upload{s.Int(0), s.Int(1), s.Int(2)};
}

UploadStore::Appended UploadStore::Append(const std::string& id, int64_t offset, std::string_view bytes, int64_t now,
                                          Upload& upload) {
  const auto size = static_cast<int64_t>(bytes.size());
  Appended outcome = Appended::kStorageFailed;
  const bool done = db_.Write([&](Connection& c) {
    Statement current = c.Prepare("SELECT length, received, expires FROM uploads WHERE id = ? AND expires >= ?");
    current.Bind(1, id).Bind(2, now);
    if (!current.Step()) {
      outcome = Appended::kNotFound;
      return false;
    }
    upload = {current.Int(0), current.Int(1), current.Int(2)};
    if (offset != upload.offset) {
      outcome = Appended::kOffsetMismatch;
      return false;
    }
    if (upload.offset + size > upload.length) {
      outcome = Appended::kExceedsLength;
      return false;
    }
    if (size == 0) {  // tus 1.0: an empty PATCH changes nothing (and stores no empty piece)
      outcome = Appended::kOk;
      return true;
    }
    // Guarded by the offset this request saw: of two PATCHes at one offset, one lands.
    Statement advance = c.Prepare("UPDATE uploads SET received = received + ? WHERE id = ? AND received = ?");
    advance.Bind(1, size).Bind(2, id).Bind(3, offset).Step();
    if (!advance.ok() || advance.Changes() != 1) {
      outcome = Appended::kOffsetMismatch;
      return false;
    }
    Statement chunk = c.Prepare("INSERT INTO upload_chunks (upload_id, start, bytes) VALUES (?,?,?)");
    chunk.Bind(1, id).Bind(2, offset).BindBlob(3, bytes).Step();
    outcome = chunk.ok() ? Appended::kOk : Appended::kStorageFailed;
    return chunk.ok();
  });
  if (!done) return outcome == Appended::kOk ? Appended::kStorageFailed : outcome;
  upload.offset += size;
  bytes_received_ += bytes.size();
  return Appended::kOk;
}

std::optional<std::string> UploadStore::ReadComplete(const std::string& id, int64_t now,
                                                     std::optional<Upload>& upload) {
  upload = Find(id, now);
  if (!upload || upload->offset != upload->length) return std::nullopt;
  Statement chunks = db_.Reader().Prepare("SELECT start, bytes FROM upload_chunks WHERE upload_id = ? ORDER BY start");
  chunks.Bind(1, id);
  std::string package;
  package.reserve(static_cast<std::size_t>(upload->length));
  while (chunks.Step()) {
    if (chunks.Int(0) != static_cast<int64_t>(package.size())) return std::nullopt;  // never: offsets are guarded
    package += chunks.Text(1);
  }
  if (!chunks.ok() || static_cast<int64_t>(package.size()) != upload->length) return std::nullopt;
  return package;
}

void UploadStore::Remove(const std::string& id) {
  (void)db_.Write([&](Connection& c) {
    Statement chunks = c.Prepare("DELETE FROM upload_chunks WHERE upload_id = ?");
    chunks.Bind(1, id).Step();
    Statement upload = c.Prepare("DELETE FROM uploads WHERE id = ?");
    upload.Bind(1, id).Step();
    return chunks.ok() && upload.ok();
  });
}

void UploadStore::Expire(int64_t now) {
  (void)db_.Write([&](Connection& c) {
    Statement chunks = c.Prepare("DELETE FROM upload_chunks WHERE upload_id IN (SELECT id FROM uploads WHERE expires < ?)");
    chunks.Bind(1, now).Step();
    Statement uploads = c.Prepare("DELETE FROM uploads WHERE expires < ?");
    uploads.Bind(1, now).Step();
    return chunks.ok() && uploads.ok();
  });
}

}  // namespace daftar::server
