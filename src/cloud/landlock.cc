#include "cloud/landlock.h"

#include <cerrno>
#include <cstdint>
#include <cstring>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace almanac::cloud {
namespace {

// Debian 12's kernel headers know ABI v2 only: the later fields and bits are spelled out here.
struct RulesetAttr {
  uint64_t handled_access_fs = 0;
  uint64_t handled_access_net = 0;  // ABI v4
  uint64_t scoped = 0;              // ABI v6
};

struct __attribute__((packed)) PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};

constexpr uint32_t kCreateRulesetVersion = 1u << 0;
constexpr int kRulePathBeneath = 1;

constexpr uint64_t kExecute = 1ull << 0;
constexpr uint64_t kWriteFile = 1ull << 1;
constexpr uint64_t kReadFile = 1ull << 2;
constexpr uint64_t kReadDir = 1ull << 3;
constexpr uint64_t kAbi1Fs = (1ull << 13) - 1;      // execute ... make_sym
constexpr uint64_t kRefer = 1ull << 13;             // v2
constexpr uint64_t kTruncate = 1ull << 14;          // v3
constexpr uint64_t kIoctlDev = 1ull << 15;          // v5
constexpr uint64_t kNetBindTcp = 1ull << 0;         // v4
constexpr uint64_t kNetConnectTcp = 1ull << 1;      // v4
constexpr uint64_t kScopeAbstractUnix = 1ull << 0;  // v6
constexpr uint64_t kScopeSignal = 1ull << 1;        // v6

uint64_t FsRights(int abi) {
  uint64_t rights = kAbi1Fs;
  if (abi >= 2) rights |= kRefer;
  if (abi >= 3) rights |= kTruncate;
  if (abi >= 5) rights |= kIoctlDev;
  return rights;
}

Status Failed(const char* what) {
  return Status(ErrorCode::kUnavailable,
                std::string("landlock: ") + what + ": " + std::strerror(errno));
}

}  // namespace

int LandlockAbi() {
  long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, kCreateRulesetVersion);
  return abi < 0 ? 0 : static_cast<int>(abi);
}

Result<int> RestrictToDirectories(const std::vector<std::string>& writable) {
  int abi = LandlockAbi();
  if (abi <= 0) return 0;
  RulesetAttr attr;
  attr.handled_access_fs = FsRights(abi);
  size_t size = sizeof(uint64_t);
  if (abi >= 4) {
    attr.handled_access_net = kNetBindTcp | kNetConnectTcp;  // no rule: no TCP at all
    size = 2 * sizeof(uint64_t);
  }
  if (abi >= 6) {
    attr.scoped = kScopeAbstractUnix | kScopeSignal;
    size = sizeof attr;
  }
  int ruleset = static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, size, 0));
  if (ruleset < 0) return Failed("create_ruleset");
  auto allow = [ruleset](const std::string& path, uint64_t rights) -> Status {
    int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) return Failed(("open " + path).c_str());
    PathBeneathAttr rule{rights, fd};
    long rc = ::syscall(SYS_landlock_add_rule, ruleset, kRulePathBeneath, &rule, 0);
    ::close(fd);
    return rc == 0 ? Status::Ok() : Failed(("add_rule " + path).c_str());
  };
  Status s = allow("/", kExecute | kReadFile | kReadDir);
  for (const std::string& path : writable) {
    if (s.ok()) s = allow(path, FsRights(abi));
  }
  if (s.ok() && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) s = Failed("no_new_privs");
  if (s.ok() && ::syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) s = Failed("restrict_self");
  ::close(ruleset);
  if (!s.ok()) return s;
  return abi;
}

}  // namespace almanac::cloud
