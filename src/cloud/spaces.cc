#include "cloud/spaces.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hex.h"

namespace almanac::cloud {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 16> kReserved = {
    "www",  "api",  "admin",  "app",    "static", "cloud",  "login",   "logout",
    "auth", "root", "spaces", "health", "status", "assets", "control", "run"};

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  return HexEncode(digest, length);
}

Status MakeDir(const std::string& path, mode_t mode) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Status(ErrorCode::kUnavailable, "Cannot create " + path + ": " + ec.message());
  ::chmod(path.c_str(), mode);
  return Status::Ok();
}

// What identifies one version of a key file: a rewrite (rename, as Create does, or in place)
// changes at least one of these.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  int64_t modified_ns = 0;
  int64_t changed_ns = 0;

  static FileIdentity Of(const struct stat& st) {
    return {st.st_dev, st.st_ino, st.st_size,
            int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec,
            int64_t{st.st_ctim.tv_sec} * 1000000000 + st.st_ctim.tv_nsec};
  }
  bool operator==(const FileIdentity&) const = default;
};

// How long after its last change a key file is trusted not to change unseen.
constexpr int64_t kSettledSeconds = 2;

bool SameSecret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

// A key file as last read, and the last token that matched it (so that a client sending the
// same token again is not hashed again).
struct Spaces::KeyCache {
  struct Entry {
    FileIdentity file;
    std::string stored_hash;
    std::string accepted_token;
  };
  std::mutex mutex;
  std::unordered_map<std::string, Entry> entries;
};

Spaces::Spaces(DataDir dir) : dir_(std::move(dir)), keys_(std::make_unique<KeyCache>()) {}

Spaces::~Spaces() = default;

std::string DataDir::SpaceDir(std::string_view name) const {
  return SpacesDir() + "/" + std::string(name);
}

std::string DataDir::KeyFile(std::string_view name) const {
  // Built in one allocation: the front door asks for it at every request with a token.
  std::string path;
  path.reserve(root.size() + kKeysSubdir.size() + name.size() + 5);
  path += root;
  path += kKeysSubdir;
  path += '/';
  path += name;
  path += ".key";
  return path;
}

std::string DataDir::PolicyDir(std::string_view name) const {
  return root + "/policy/" + std::string(name);
}

Status ValidateSpaceName(std::string_view name) {
  if (name.empty() || name.size() > 63) {
    return InvalidArgument("A space name has 1 to 63 characters");
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return InvalidArgument("A space name has only lower-case letters, digits and '-'");
    }
  }
  if (name.front() == '-' || name.back() == '-') {
    return InvalidArgument("A space name does not start or end with '-'");
  }
  if (std::find(kReserved.begin(), kReserved.end(), name) != kReserved.end()) {
    return InvalidArgument("'" + std::string(name) + "' is reserved");
  }
  return Status::Ok();
}

Status Spaces::Prepare() const {
  ALM_RETURN_IF_ERROR(MakeDir(dir_.root, 0711));
  ALM_RETURN_IF_ERROR(MakeDir(dir_.SpacesDir(), 0711));
  ALM_RETURN_IF_ERROR(MakeDir(dir_.root + "/policy", 0711));
  ALM_RETURN_IF_ERROR(MakeDir(dir_.KeysDir(), 0700));
  ::chmod((dir_.root + "/control").c_str(), 0700);
  ALM_RETURN_IF_ERROR(MakeDir(dir_.RunDir(), 0700));
  return MakeDir(dir_.LogsDir(), 0700);
}

Result<std::string> Spaces::Create(std::string_view name) const {
  ALM_RETURN_IF_ERROR(ValidateSpaceName(name));
  ALM_RETURN_IF_ERROR(Prepare());
  if (Exists(name)) {
    return Status(ErrorCode::kInvalidArgument, "Space " + std::string(name) + " already exists");
  }
  ALM_RETURN_IF_ERROR(MakeDir(dir_.SpaceDir(name), 0700));
  ALM_RETURN_IF_ERROR(PreparePolicyDir(name));
  unsigned char random[32];
  RAND_bytes(random, sizeof random);
  std::string token = "alm_" + HexEncode(random, sizeof random);
  std::string key_file = dir_.KeyFile(name);
  std::string temporary = key_file + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << Sha256Hex(token) << "\n";
    if (!out) return Status(ErrorCode::kUnavailable, "Cannot write " + temporary);
  }
  ::chmod(temporary.c_str(), 0600);
  std::error_code ec;
  fs::rename(temporary, key_file, ec);
  if (ec) return Status(ErrorCode::kUnavailable, "Cannot write " + key_file + ": " + ec.message());
  return token;
}

Status Spaces::Delete(std::string_view name) const {
  ALM_RETURN_IF_ERROR(ValidateSpaceName(name));
  if (!Exists(name)) return NotFound("No space named " + std::string(name));
  std::error_code ec;
  fs::remove(dir_.KeyFile(name), ec);
  fs::remove_all(dir_.SpaceDir(name), ec);
  if (!ec) fs::remove_all(dir_.PolicyDir(name), ec);
  if (ec) return Status(ErrorCode::kUnavailable, "Cannot delete space: " + ec.message());
  return Status::Ok();
}

Status Spaces::Rename(std::string_view from, std::string_view to) const {
  ALM_RETURN_IF_ERROR(ValidateSpaceName(from));
  ALM_RETURN_IF_ERROR(ValidateSpaceName(to));
  if (!Exists(from)) return NotFound("No space named " + std::string(from));
  std::error_code ec;
  if (Exists(to) || fs::exists(dir_.SpaceDir(to), ec) || fs::exists(dir_.PolicyDir(to), ec)) {
    return Status(ErrorCode::kConflict, "A space named " + std::string(to) + " already exists");
  }
  auto move = [&](const std::string& old_path, const std::string& new_path) -> Status {
    if (!fs::exists(old_path, ec)) return Status::Ok();
    fs::rename(old_path, new_path, ec);
    if (ec) return Status(ErrorCode::kUnavailable, "Cannot rename the space: " + ec.message());
    return Status::Ok();
  };
  ALM_RETURN_IF_ERROR(move(dir_.SpaceDir(from), dir_.SpaceDir(to)));
  ALM_RETURN_IF_ERROR(move(dir_.PolicyDir(from), dir_.PolicyDir(to)));
  std::string logs = dir_.LogsDir() + "/";
  ALM_RETURN_IF_ERROR(move(logs + std::string(from) + ".log", logs + std::string(to) + ".log"));
  return move(dir_.KeyFile(from), dir_.KeyFile(to));
}

Status Spaces::PreparePolicyDir(std::string_view name) const {
  return MakeDir(dir_.PolicyDir(name), 0755);
}

std::vector<std::string> Spaces::List() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_.KeysDir(), ec)) {
    std::string file = entry.path().filename().string();
    if (file.size() > 4 && file.ends_with(".key")) names.push_back(file.substr(0, file.size() - 4));
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool Spaces::Exists(std::string_view name) const {
  if (!ValidateSpaceName(name).ok()) return false;
  struct stat st {};
  return ::stat(dir_.KeyFile(name).c_str(), &st) == 0;
}

bool Spaces::CheckToken(std::string_view name, std::string_view token) const {
  if (!ValidateSpaceName(name).ok()) return false;
  // Stat at every call, so that a running front door sees a deleted space or a new key at once;
  // the file is read again only when it changed.
  std::string path = dir_.KeyFile(name);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  FileIdentity file = FileIdentity::Of(st);
  // File times tick coarsely (a few ms): a file changed within the last seconds could change
  // again without its times moving, so it is not remembered until it has settled.
  bool settled = std::time(nullptr) - st.st_ctim.tv_sec >= kSettledSeconds;
  std::string key(name);
  std::string stored;
  {
    std::lock_guard lock(keys_->mutex);
    auto found = keys_->entries.find(key);
    if (found != keys_->entries.end() && found->second.file == file) {
      if (!found->second.accepted_token.empty() &&
          SameSecret(found->second.accepted_token, token)) {
        return true;
      }
      stored = found->second.stored_hash;
    }
  }
  bool stable = settled;
  if (stored.empty()) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char text[128];
    ssize_t n = ::read(fd, text, sizeof text);
    // Kept only if what was read is the file that was stat'ed (it may have been replaced).
    stable = stable && ::fstat(fd, &st) == 0 && FileIdentity::Of(st) == file;
    ::close(fd);
    if (n <= 0) return false;
    stored.assign(text, static_cast<size_t>(n));
    while (!stored.empty() && std::isspace(static_cast<unsigned char>(stored.back()))) {
      stored.pop_back();
    }
  }
  bool matches = SameSecret(stored, Sha256Hex(token));
  if (stable && !stored.empty()) {
    std::lock_guard lock(keys_->mutex);
    if (keys_->entries.size() >= kKeyCacheEntries && !keys_->entries.contains(key)) {
      keys_->entries.erase(keys_->entries.begin());
    }
    KeyCache::Entry& entry = keys_->entries[key];
    if (!(entry.file == file)) {
      entry = KeyCache::Entry{file, stored, ""};
    }
    if (matches) entry.accepted_token = std::string(token);
  }
  return matches;
}

}  // namespace almanac::cloud
