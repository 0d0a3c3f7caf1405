#include "uploads.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "checked_json.h"
#include "daftar/json_depth.h"

namespace daftar::server {
namespace {

namespace fs = std::filesystem;

std::string NewUploadId() {
  unsigned char raw[16];
  randombytes_buf(raw, sizeof raw);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return hex;
}

int64_t IntegerOf(const json& value) { return value.is_number_integer() ? value.get<int64_t>() : 0; }

}  // namespace

bool IsUploadId(std::string_view id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

UploadStore::UploadStore(std::string dir, const Limits& limits) : dir_(std::move(dir)), limits_(limits) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  for (const auto& file : fs::directory_iterator(dir_, ec)) {
    const std::string id = file.path().stem().string();
    if (file.path().extension() != ".json" || !IsUploadId(id)) continue;
    const std::optional<std::string> text = ReadFile(file.path().string());
    const json info = text && !NestedDeeperThan(*text) ? json::parse(*text, nullptr, false) : json();
    Entry entry;
    entry.client = TextOf(Field(info, "client"));
    entry.upload.length = IntegerOf(Field(info, "length"));
    entry.upload.expires = IntegerOf(Field(info, "expires"));
    entry.upload.offset = static_cast<int64_t>(fs::file_size(Path(id), ec));
    if (ec) continue;  // no data file: Expire() removes the leftover
    reserved_by_client_[entry.client] += entry.upload.length;
    reserved_total_ += entry.upload.length;
    index_.emplace(id, std::move(entry));
  }
}

std::string UploadStore::Path(const std::string& id) const { return (fs::path(dir_) / id).string(); }

std::optional<std::string> UploadStore::Create(const std::string& client, int64_t length, int64_t expires,
                                               std::string& code, int64_t& max_bytes) {
  const std::string id = NewUploadId();
  {
    std::lock_guard lock(mutex_);
    int64_t& mine = reserved_by_client_[client];
    if (mine + length > limits_.upload_bytes_per_client || reserved_total_ + length > limits_.upload_bytes_total) {
      code = "upload.quota_exceeded";
      max_bytes = mine + length > limits_.upload_bytes_per_client ? limits_.upload_bytes_per_client
                                                                  : limits_.upload_bytes_total;
      return std::nullopt;
    }
    mine += length;
    reserved_total_ += length;
    Entry& entry = index_[id];
    entry.client = client;
    entry.upload = {length, 0, expires};
  }
  // Nobody knows the id yet: the files are made without any lock.
  const std::string info = json{{"length", length}, {"expires", expires}, {"client", client}}.dump();
  std::string error;
  const int fd = ::open(Path(id).c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  const bool made = fd >= 0 && ::close(fd) == 0 && WriteFileAtomically(Path(id) + ".json", info, 0600, false, error);
  if (!made) {
    Remove(id);
    code = "storage.unavailable";
    return std::nullopt;
  }
  return id;
}

std::optional<UploadStore::Upload> UploadStore::Find(const std::string& id, int64_t now) {
  std::lock_guard lock(mutex_);
  const auto it = index_.find(id);
  if (it == index_.end() || it->second.upload.expires < now) return std::nullopt;
  return it->second.upload;
}

UploadStore::Appended UploadStore::Append(const std::string& id, int64_t offset, std::string_view bytes, int64_t now,
                                          Upload& upload) {
  std::shared_ptr<std::mutex> file_lock;
  {
    std::lock_guard lock(mutex_);
    const auto it = index_.find(id);
    if (it == index_.end() || it->second.upload.expires < now) return Appended::kNotFound;
    file_lock = it->second.lock;
  }
  // One writer per upload; other uploads, and the index, go on meanwhile.
  std::lock_guard file_guard(*file_lock);
  {
    std::lock_guard lock(mutex_);
    const auto it = index_.find(id);
    if (it == index_.end()) return Appended::kNotFound;  // removed while we waited
    upload = it->second.upload;
  }
  if (offset != upload.offset) return Appended::kOffsetMismatch;
  if (upload.offset + static_cast<int64_t>(bytes.size()) > upload.length) return Appended::kExceedsLength;
  // Appended and flushed before the new offset is announced: an offset the client saw is on disk.
  const int fd = ::open(Path(id).c_str(), O_WRONLY | O_APPEND);
  bool written = fd >= 0;
  for (std::size_t at = 0; written && at < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + at, bytes.size() - at);
    written = n > 0;
    if (written) at += static_cast<std::size_t>(n);
  }
  written = written && ::fdatasync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!written) {
    // Whatever part reached the file is cut off again: the offset stays what was announced.
    if (::truncate(Path(id).c_str(), upload.offset) != 0) {
      // The file now holds a partial write; forget the upload rather than serve a wrong offset.
      Remove(id);
    }
    return Appended::kStorageFailed;
  }
  std::lock_guard lock(mutex_);
  const auto it = index_.find(id);
  if (it != index_.end()) it->second.upload.offset += static_cast<int64_t>(bytes.size());
  upload.offset += static_cast<int64_t>(bytes.size());
  bytes_received_ += bytes.size();
  return Appended::kOk;
}

std::optional<std::string> UploadStore::ReadComplete(const std::string& id, int64_t now,
                                                     std::optional<Upload>& upload) {
  std::shared_ptr<std::mutex> file_lock;
  {
    std::lock_guard lock(mutex_);
    const auto it = index_.find(id);
    if (it == index_.end() || it->second.upload.expires < now) return std::nullopt;
    upload = it->second.upload;
    file_lock = it->second.lock;
  }
  if (upload->offset != upload->length) return std::nullopt;
  std::lock_guard file_guard(*file_lock);
  std::optional<std::string> package = ReadFile(Path(id));
  if (!package || static_cast<int64_t>(package->size()) != upload->length) return std::nullopt;
  return package;
}

void UploadStore::Forget(const std::string& id) {
  const auto it = index_.find(id);
  if (it == index_.end()) return;
  reserved_by_client_[it->second.client] -= it->second.upload.length;
  if (reserved_by_client_[it->second.client] <= 0) reserved_by_client_.erase(it->second.client);
  reserved_total_ -= it->second.upload.length;
  index_.erase(it);
}

void UploadStore::Remove(const std::string& id) {
  {
    std::lock_guard lock(mutex_);
    Forget(id);
  }
  std::error_code ec;
  fs::remove(Path(id), ec);
  fs::remove(Path(id) + ".json", ec);
}

void UploadStore::Expire(int64_t now) {
  std::vector<std::string> expired;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, entry] : index_) {
      if (entry.upload.expires < now) expired.push_back(id);
    }
    for (const std::string& id : expired) Forget(id);
  }
  std::error_code ec;
  for (const std::string& id : expired) {
    fs::remove(Path(id), ec);
    fs::remove(Path(id) + ".json", ec);
  }
  // Leftovers of a crash between the two files of an upload.
  std::vector<fs::path> orphans;
  for (const auto& file : fs::directory_iterator(dir_, ec)) {
    const std::string id = file.path().stem().string();
    std::lock_guard lock(mutex_);
    if (IsUploadId(id) && index_.count(id) == 0) orphans.push_back(file.path());
  }
  for (const fs::path& orphan : orphans) fs::remove(orphan, ec);
}

uint64_t UploadStore::bytes_received() const {
  std::lock_guard lock(mutex_);
  return bytes_received_;
}

}  // namespace daftar::server
