#include "cli/serve.h"

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "api/context.h"
#include "auth/handoff.h"
#include "auth/permissions.h"
#include "auth/session.h"
#include "auth/space_roles.h"
#include "changes/change_log.h"
#include "cli/cli_util.h"
#include "cli/create_token.h"
#include "cli/one_request.h"
#include "cli/signals.h"
#include "cloud/landlock.h"
#include "cloud/pool_worker.h"
#include "cloud/space_policy.h"
#include "config/config.h"
#include "config/document.h"
#include "config/settings.h"
#include "core/hex.h"
#include "core/idle_memory.h"
#include "core/task_pool.h"
#include "db/database.h"
#include "db/disk_quota.h"
#include "db/user_sql_caps.h"
#include "format/json_value.h"
#include "http/encoding.h"
#include "http/server.h"
#include "links/tracking.h"
#include "ui/assets.h"
#include "ui/renderer.h"
#include "ui/view.h"
#include "web/app.h"
#include "write/execute_write.h"

namespace almanac::cli {
namespace {

struct ServeFlags {
  std::vector<std::string> files;
  std::vector<std::string> immutable;
  std::string host = "127.0.0.1";
  int port = 8001;
  std::string uds;             // a Unix socket path to listen on instead of TCP
  int fd = -1;                 // an inherited listening socket to serve instead of TCP
  int handoff_secret_fd = -1;  // hosting mode: trust only the front door's signed identity
  bool landlock = false;       // hosting mode: writes only beneath the current directory and /tmp
  std::string space_policy;    // hosting mode: the space's policy file (cloud/space_policy.h)
  int space_quota_mb = 0;      // hosting mode: what the databases' directory may use (0: no quota)
  bool memory = false;
  bool create = false;
  std::vector<std::string> settings;  // NAME VALUE pairs, flattened
  std::string config_file;
  std::string metadata_file;
  bool cors = false;
  std::string secret;
  bool root = false;
  bool default_deny = false;
  int io_threads = 0;  // 0: one per SQL thread (requests are handled on the I/O threads)
  int keep_alive_timeout = 5;
  int idle_release_ms = 10000;
  int request_timeout = 10;
  std::string template_dir;
  std::vector<std::string> static_mounts;  // MOUNT:DIRECTORY
  bool crossdb = false;                    // attach the file databases to _memory
  std::vector<std::string> extensions;     // --load-extension PATH[:ENTRYPOINT]
  std::string inspect_file;                // counts precomputed by `almanac inspect`
  std::string get;                         // --get PATH: answer one request and exit
  bool get_headers = false;
  std::string get_token;
  std::string get_actor;            // JSON
  int slow_lane_ms = 20;            // 0: no slow lane
  int sqlite_heap_limit_mb = 1024;  // 0: no ceiling
  int sql_value_limit_mb = 16;
  int64_t write_time_limit_ms = 0;  // one statement of execute-write SQL (0: no limit)
  int gzip_level = 1;               // 0: no compression (1: fastest, as nginx)
  int gzip_min_bytes = 1024;
};

ServeFlags flags;

// PrewarmServe's dry run: the paths it asks for in turn (the output is dropped).
std::vector<std::string> warm_paths;
// The built-in assets, made by PrewarmServe ahead of a pool worker's space.
std::optional<ui::Assets> prebuilt_assets;

// How many threads this process has (from /proc/self/status; 0 when unknown).
int ThreadCount() {
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (!status) return 0;
  char line[256];
  int threads = 0;
  while (std::fgets(line, sizeof line, status)) {
    if (std::sscanf(line, "Threads: %d", &threads) == 1) break;
  }
  std::fclose(status);
  return threads;
}

// How stale a worker's view of its space's policy may be.
constexpr std::chrono::milliseconds kSpacePolicyCheckInterval{100};

// From the kernel (getrandom), not OpenSSL: starting OpenSSL's random generator costs a worker
// ~200 KB and a few milliseconds at every start.
std::string RandomSecret() {
  unsigned char bytes[32];
  size_t filled = 0;
  while (filled < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + filled, sizeof bytes - filled, 0);
    if (n > 0) filled += static_cast<size_t>(n);
  }
  return HexEncode(bytes, sizeof bytes);
}

// The demo database built beside the binary (build/demo.db), or an installed copy.
std::optional<std::string> DemoDatabase() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  for (const auto& candidate : {exe.parent_path() / "demo.db",
                                exe.parent_path() / ".." / "share" / "almanac" / "demo.db"}) {
    if (std::filesystem::exists(candidate)) return candidate.string();
  }
  return std::nullopt;
}

// A pool worker's start, phase by phase (logged once it listens; bench/cloud.py reads it).
class StartPhases {
 public:
  StartPhases()
      : enabled_(cloud::HandedAtMicros() > 0),
        last_(cloud::HandedAtMicros()),
        last_cpu_(CpuMicros()) {}
  // Each phase's wall time, then (as "NAME cpu") the CPU time this thread spent in it: the
  // difference is time spent waiting for a core.
  void Mark(const char* name) {
    if (!enabled_) return;
    int64_t now = NowMicros();
    int64_t cpu = CpuMicros();
    char part[96];
    std::snprintf(part, sizeof part, "%s%s %.2f, %s cpu %.2f", text_.empty() ? "" : ", ", name,
                  static_cast<double>(now - last_) / 1000.0, name,
                  static_cast<double>(cpu - last_cpu_) / 1000.0);
    text_ += part;
    last_ = now;
    last_cpu_ = cpu;
  }
  static int64_t CpuMicros() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
  }
  const std::string& text() const { return text_; }

  static int64_t NowMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

 private:
  bool enabled_;
  int64_t last_;
  int64_t last_cpu_;
  std::string text_;
};

// In a pool worker, logs when its first request arrived and how long the handler took for it
// (the rest of a cold start after the worker listens; bench/cloud.py reads it).
class FirstRequestLog : public http::Handler {
 public:
  explicit FirstRequestLog(http::Handler& inner) : inner_(inner) {}
  http::BodyMode BodyModeFor(const http::Request& head) const override {
    return inner_.BodyModeFor(head);
  }
  http::Response Handle(http::Request& request) override {
    if (logged_.exchange(true)) return inner_.Handle(request);
    int64_t arrived = StartPhases::NowMicros();
    http::Response response = inner_.Handle(request);
    int64_t answered = StartPhases::NowMicros();
    std::fprintf(stderr,
                 "pool worker: first request %.2f ms after it was handed the space, handled in "
                 "%.2f ms\n",
                 static_cast<double>(arrived - cloud::HandedAtMicros()) / 1000.0,
                 static_cast<double>(answered - arrived) / 1000.0);
    return response;
  }
  http::Response Error(int status, std::string message) const override {
    return inner_.Error(status, std::move(message));
  }

 private:
  http::Handler& inner_;
  std::atomic<bool> logged_{false};
};

}  // namespace

CLI::App* AddServeCommand(CLI::App& app) {
  CLI::App* serve = app.add_subcommand("serve", "Serve SQLite databases as a website and JSON API");
  serve->set_help_flag("--help", "Show this message and exit");
  serve->add_option("files", flags.files,
                    "SQLite database files to serve (none: the bundled demo database)");
  serve->add_option("-i,--immutable", flags.immutable,
                    "Database files to open in immutable mode (read-only, never changes)");
  serve->add_option("-h,--host", flags.host, "Host to listen on (0.0.0.0 for all interfaces)")
      ->capture_default_str();
  serve->add_option("-p,--port", flags.port, "Port to listen on; 0 picks a free port")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  serve->add_option("--uds", flags.uds, "Listen on this Unix domain socket instead of TCP");
  serve
      ->add_option("--fd", flags.fd,
                   "Serve an inherited listening socket (file descriptor N) instead of TCP")
      ->check(CLI::Range(0, 1 << 20));
  serve
      ->add_option("--handoff-secret-fd", flags.handoff_secret_fd,
                   "Hosting mode: read a secret from file descriptor N and trust only identity "
                   "headers signed with it (no tokens, no cookies)")
      ->check(CLI::Range(0, 1 << 20));
  serve
      ->add_flag("--landlock", flags.landlock,
                 "Hosting mode: confine this process with Landlock (writes only beneath the "
                 "current directory and /tmp, no TCP)")
      ->group("");
  serve
      ->add_option("--space-policy", flags.space_policy,
                   "Hosting mode: deny viewing by default and apply this policy file (public "
                   "tables), reloaded when it changes")
      ->group("");
  serve
      ->add_option("--space-quota-mb", flags.space_quota_mb,
                   "Hosting mode: the files beside the databases may use this many MB together")
      ->check(CLI::Range(1, 1 << 24))
      ->group("");
  serve->add_flag("--memory", flags.memory, "Serve an in-memory database named _memory");
  serve->add_flag("--create", flags.create, "Create database files that do not exist");
  serve->add_flag("--crossdb", flags.crossdb,
                  "Attach the database files (up to 10, read-only) to /_memory for joins across "
                  "them");
  serve
      ->add_option("--load-extension", flags.extensions,
                   "Load a SQLite extension into every connection: PATH or PATH:ENTRYPOINT "
                   "(repeatable; SQL can still never load one)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  serve->add_option("--inspect-file", flags.inspect_file,
                    "Table counts of immutable databases precomputed by `almanac inspect`");
  serve->add_option("-s,--setting", flags.settings, "Setting NAME VALUE (repeatable)")
      ->expected(2)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  serve->add_option("-c,--config", flags.config_file, "Config file (YAML or JSON)");
  serve->add_option("-m,--metadata", flags.metadata_file, "Metadata file (YAML or JSON)");
  serve->add_flag("--cors", flags.cors, "Send CORS headers (Access-Control-Allow-Origin: *)");
  serve->add_option("--secret", flags.secret,
                    "Secret for signing tokens and cookies (default: $ALMANAC_SECRET, else "
                    "$DATASETTE_SECRET, else random)");
  serve->add_flag("--root", flags.root,
                  "Print a one-time URL that signs you in as root (open it in a browser)");
  serve->add_option("--template-dir", flags.template_dir,
                    "Directory of templates overriding the built-in ones (same file names)");
  serve
      ->add_option("--static", flags.static_mounts,
                   "Serve static files from a directory: MOUNT:DIRECTORY serves /MOUNT/...")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  serve->add_flag("--default-deny", flags.default_deny, "Deny viewing unless the config allows it");
  serve
      ->add_option("--io-threads", flags.io_threads,
                   "Threads serving requests (default: the num_sql_threads setting)")
      ->check(CLI::Range(1, 64));
  serve
      ->add_option("--keep-alive-timeout", flags.keep_alive_timeout,
                   "Seconds an idle keep-alive connection stays open")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  serve
      ->add_option("--idle-release-ms", flags.idle_release_ms,
                   "Milliseconds without requests before the server gives back memory (its read "
                   "connections, parsed templates, freed heap)")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600000));
  serve
      ->add_option("--request-timeout", flags.request_timeout,
                   "Seconds a client has to send a request's headers")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  serve->add_option("--get", flags.get,
                    "Answer one GET request for this path without opening a port, print the "
                    "body and exit (1 unless the status is 200)");
  serve->add_flag("--headers", flags.get_headers, "Include the status and headers in --get output");
  serve->add_option("--token", flags.get_token, "API token to send with the --get request");
  serve->add_option("--actor", flags.get_actor,
                    "Actor to sign in as for the --get request (JSON: '{\"id\": \"root\"}')");
  serve
      ->add_option("--slow-lane-ms", flags.slow_lane_ms,
                   "A read whose SQL runs longer than this on an I/O thread is moved to the slow "
                   "lane's threads (0: never)")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600000));
  serve
      ->add_option("--sqlite-heap-limit-mb", flags.sqlite_heap_limit_mb,
                   "SQLite's memory for the whole server; a query past it fails (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
  serve
      ->add_option("--write-time-limit-ms", flags.write_time_limit_ms,
                   "The longest one statement of /-/execute-write SQL may run (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  serve
      ->add_option("--sql-value-limit-mb", flags.sql_value_limit_mb,
                   "The largest string or blob users' SQL may build (results: 4 times this)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  serve
      ->add_option("--gzip-level", flags.gzip_level,
                   "gzip level for HTML, JSON and CSV when the client accepts it (0: never)")
      ->capture_default_str()
      ->check(CLI::Range(0, 9));
  serve
      ->add_option("--gzip-min-bytes", flags.gzip_min_bytes,
                   "Answers smaller than this are sent uncompressed")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 30));
  return serve;
}

void PrewarmServe() {
  [[maybe_unused]] std::string discarded = RandomSecret();
  // OpenSSL's HMAC, which checks the identity header of every request a space's worker gets:
  // its first use loads OpenSSL's configuration and providers (milliseconds).
  {
    std::string secret(32, 'w');
    auth::Actor root{format::JsonValue::MakeObject()};
    root.data.Set("id", format::JsonValue::String("root"));
    auto now = static_cast<int64_t>(std::time(nullptr));
    std::string header = auth::SignIdentity(secret, root, now);
    [[maybe_unused]] Result<auth::MaybeActor> checked = auth::VerifyIdentity(secret, &header, now);
  }
  // A dry run of serving on a small database of its own: every part a space's first requests
  // go through (SQLite, settings, databases, permissions, thread pools, routing, JSON and
  // templates) runs once here, so that their code is paged in and their one-time set-ups are
  // done before a space arrives. Everything it starts is stopped and joined before it returns.
  db::ConfigureSqliteForServing();
  char path[] = "/tmp/almanac-warm-XXXXXX.db";
  int fd = ::mkstemps(path, 3);
  if (fd < 0) return;
  ::close(fd);
  sqlite3* warm = nullptr;
  if (sqlite3_open(path, &warm) == SQLITE_OK) {
    sqlite3_exec(warm,
                 "create table t (id integer primary key, name text, score real);"
                 "insert into t (name, score) values ('a', 1.5), ('b', 2.5), ('c', null);",
                 nullptr, nullptr, nullptr);
  }
  sqlite3_close(warm);
  std::string name = std::filesystem::path(path).stem().string();
  int saved_stdout = ::dup(1);
  int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (saved_stdout >= 0 && null_fd >= 0) {
    std::fflush(stdout);
    ::dup2(null_fd, 1);
    flags.files = {path};
    flags.get = "/-/versions.json";
    warm_paths = {"/",
                  "/" + name,
                  "/" + name + "/t",
                  "/" + name + "/t.json?_size=2",
                  "/" + name + "/t/1",
                  "/" + name + ".json?sql=select+*+from+t",
                  "/-/static/app.css"};
    [[maybe_unused]] int code = RunServe();
    flags = ServeFlags{};
    warm_paths.clear();
    // RunServe blocked the stop signals for its signal thread (gone now): while it waits for a
    // space, SIGTERM ends a pool worker as it did before the dry run.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
    std::fflush(stdout);
    ::dup2(saved_stdout, 1);
  }
  if (saved_stdout >= 0) ::close(saved_stdout);
  if (null_fd >= 0) ::close(null_fd);
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    ::unlink((std::string(path) + suffix).c_str());
  }
  Result<ui::Assets> assets = ui::Assets::Load("", {});
  if (assets.ok()) prebuilt_assets.emplace(std::move(assets).value());
}

// Free heap memory a busy server keeps for its next requests (core/idle_memory.h).
constexpr size_t kBusyTrimThreshold = 8 << 20;

int RunServe() {
  StartPhases phases;
  db::ConfigureSqliteForServing();
  if (flags.get.empty()) {
    if (flags.get_headers) return Fail("--headers can only be used with --get");
    if (!flags.get_token.empty()) return Fail("--token can only be used with --get");
    if (!flags.get_actor.empty()) return Fail("--actor can only be used with --get");
  }
  // First, on the only thread: Landlock confines the calling thread and what it starts later.
  // (A pool worker's dry run joined every thread it started: checked, since a thread started
  // before this would not be confined.)
  if (flags.landlock) {
    if (int threads = ThreadCount(); threads != 1) {
      return Fail("--landlock: the process already has " + std::to_string(threads) +
                  " threads, which Landlock would not confine");
    }
    Result<int> abi = cloud::RestrictToDirectories({".", "/tmp"});
    if (!abi.ok()) return Fail(abi.status().message());
  }
  phases.Mark("landlock");
  // SIGINT/SIGTERM stop the server gracefully. Blocked from here on, before any thread (SQL
  // pool, writers, I/O) starts, so that none of them is killed by the signal instead.
  std::atomic<bool> stop_requested{false};
  std::atomic<http::Server*> running{nullptr};
  std::atomic<changes::ChangeLogs*> change_logs_running{nullptr};
  StopOnSignal stop_on_signal([&stop_requested, &running, &change_logs_running] {
    if (!flags.get.empty()) std::_Exit(130);  // --get: nothing to finish gracefully
    stop_requested = true;
    // Event streams end first: the server waits for the requests in progress.
    if (changes::ChangeLogs* logs = change_logs_running.load()) logs->StopAll();
    if (http::Server* server = running.load()) server->Stop();
  });
  // Settings: defaults, then the config file's `settings:`, then --setting.
  format::JsonValue config_doc = format::JsonValue::MakeObject();
  format::JsonValue metadata_doc = format::JsonValue::MakeObject();
  if (!flags.config_file.empty()) {
    Result<format::JsonValue> doc = config::LoadDocument(flags.config_file);
    if (!doc.ok()) return Fail(doc.status().message());
    config_doc = std::move(doc).value();
  }
  if (!flags.metadata_file.empty()) {
    Result<format::JsonValue> doc = config::LoadDocument(flags.metadata_file);
    if (!doc.ok()) return Fail(doc.status().message());
    metadata_doc = std::move(doc).value();
  }
  config::Settings settings;
  if (const format::JsonValue* block = config_doc.Find("settings"); block && block->is_object()) {
    for (const auto& [name, value] : block->as_object()) {
      std::string text = value.is_string() ? value.as_string()
                         : value.is_bool() ? (value.as_bool() ? "true" : "false")
                                           : format::ToJsonText(value);
      Status s = settings.Set(name, text);
      if (!s.ok()) return Fail(s.message());
    }
  }
  if (flags.settings.size() % 2 != 0) {
    return Fail("--setting needs a NAME and a VALUE: --setting " + flags.settings.back() +
                " VALUE");
  }
  for (size_t i = 0; i + 1 < flags.settings.size(); i += 2) {
    Status s = settings.Set(flags.settings[i], flags.settings[i + 1]);
    if (!s.ok()) return Fail(s.message());
  }
  config::Config config =
      config::Config::FromDocuments(std::move(config_doc), std::move(metadata_doc));
  phases.Mark("settings");

  // Datasette's inspect data: {"<db name>": {"tables": {"<table>": {"count": N}}}}.
  format::JsonValue inspected = format::JsonValue::MakeObject();
  if (!flags.inspect_file.empty()) {
    Result<format::JsonValue> doc = config::LoadDocument(flags.inspect_file);
    if (!doc.ok()) return Fail(doc.status().message());
    inspected = std::move(doc).value();
  }
  auto inspected_counts = [&inspected](const std::string& name) {
    std::map<std::string, int64_t> counts;
    const format::JsonValue* db = inspected.Find(name);
    const format::JsonValue* tables = db ? db->Find("tables") : nullptr;
    if (!tables || !tables->is_object()) return counts;
    for (const auto& [table, info] : tables->as_object()) {
      const format::JsonValue* count = info.Find("count");
      if (count && count->is_int()) counts[table] = count->as_int();
    }
    return counts;
  };

  db::Registry registry;
  auto add = [&](std::string path, bool immutable, bool memory) -> Status {
    db::DatabaseOptions options;
    options.name = memory ? "_memory" : registry.UniqueNameFor(path);
    options.path = std::move(path);
    options.immutable = immutable;
    options.memory = memory;
    options.create = flags.create;
    options.cache_size_kb = settings.cache_size_kb;
    options.extensions = flags.extensions;
    if (immutable) options.inspected_counts = inspected_counts(options.name);
    if (memory && flags.crossdb) {
      // Datasette attaches the first SQLITE_LIMIT_ATTACHED (10) file databases.
      for (const auto& other : registry.all()) {
        if (other->is_memory() || options.attach.size() >= 10) continue;
        options.attach.push_back({other->name(), other->path(), !other->is_mutable()});
      }
    }
    ALM_ASSIGN_OR_RETURN(std::unique_ptr<db::Database> database, db::Database::Open(options));
    return registry.Add(std::move(database));
  };
  std::vector<std::string> files = flags.files;
  if (files.empty() && flags.immutable.empty() && !flags.memory && !flags.crossdb) {
    std::optional<std::string> demo = DemoDatabase();
    if (!demo) return Fail("no database given and the demo database (demo.db) was not found");
    files.push_back(*demo);
  }
  for (const std::string& file : files) {
    Status s = add(file, false, false);
    if (!s.ok()) return Fail(s.message());
  }
  for (const std::string& file : flags.immutable) {
    Status s = add(file, true, false);
    if (!s.ok()) return Fail(s.message());
  }
  if (flags.memory || flags.crossdb) {
    Status s = add("_memory", false, true);
    if (!s.ok()) return Fail(s.message());
  }
  phases.Mark("databases");

  // Change logs and links indexes, for the databases whose config turns them on.
  links::Tracking tracking;
  Status tracked = links::StartTracking(
      registry, [&config](std::string_view name) { return config.DatabaseConfig(name); }, tracking);
  if (!tracked.ok()) return Fail(tracked.message());
  changes::ChangeLogs& change_logs = tracking.change_logs;
  change_logs_running = &change_logs;
  std::unique_ptr<std::atomic<changes::ChangeLogs*>, void (*)(std::atomic<changes::ChangeLogs*>*)>
      forget_change_logs(&change_logs_running,
                         [](std::atomic<changes::ChangeLogs*>* logs) { logs->store(nullptr); });

  std::string secret = flags.secret;
  if (secret.empty()) secret = SecretFromEnvironment();
  if (secret.empty()) secret = RandomSecret();

  // Hosting mode: the secret arrives on a descriptor (never on the command line).
  std::string handoff_secret;
  if (flags.handoff_secret_fd >= 0) {
    char buffer[256];
    ssize_t n;
    while ((n = ::read(flags.handoff_secret_fd, buffer, sizeof buffer)) > 0) {
      handoff_secret.append(buffer, static_cast<size_t>(n));
    }
    ::close(flags.handoff_secret_fd);
    while (!handoff_secret.empty() &&
           std::isspace(static_cast<unsigned char>(handoff_secret.back()))) {
      handoff_secret.pop_back();
    }
    if (handoff_secret.size() < 16) {
      return Fail("--handoff-secret-fd: no secret (16 bytes at least) could be read");
    }
  }
  // The front door hands its space admins over as root.
  bool root_enabled = flags.root || !handoff_secret.empty();
  // A space's worker shows anonymous visitors only what its policy makes public.
  bool default_deny = flags.default_deny || !flags.space_policy.empty();
  auth::PermissionEngine permissions(config, settings, {default_deny, root_enabled});
  // Hosting mode: a member's role, named by the front door alone, allows that role's actions.
  if (!handoff_secret.empty()) permissions.AddSource(auth::MakeSpaceRoleSource());
  std::shared_ptr<cloud::SpacePolicyFile> space_policy;
  if (!flags.space_policy.empty()) {
    space_policy =
        std::make_shared<cloud::SpacePolicyFile>(flags.space_policy, kSpacePolicyCheckInterval);
    permissions.AddSource(cloud::MakeSpacePolicySource(space_policy));
  }
  write::SetExecuteWriteTimeLimit(std::chrono::milliseconds(flags.write_time_limit_ms));
  if (flags.space_quota_mb > 0) {
    db::SetDiskQuota(int64_t{flags.space_quota_mb} << 20,
                     "This space is full: its databases may use " +
                         std::to_string(flags.space_quota_mb) +
                         " MB together. Delete rows or tables to make room.");
  }
  // --root: a one-time token (Datasette's secrets.token_hex(32)) signs the browser in as root.
  std::string root_token = flags.root ? RandomSecret() : std::string();
  auth::Authenticator authenticator(
      secret, {settings.allow_signed_tokens, settings.max_signed_tokens_ttl}, root_token);
  if (!handoff_secret.empty()) authenticator.RequireHandoff(handoff_secret);
  db::SetUserSqlCaps(
      {int64_t{flags.sql_value_limit_mb} << 20, int64_t{flags.sql_value_limit_mb} << 22});
  if (!db::SetSqliteHeapLimit(int64_t{flags.sqlite_heap_limit_mb} << 20)) {
    std::fprintf(stderr, "Warning: this SQLite cannot enforce --sqlite-heap-limit-mb\n");
  }
  phases.Mark("auth");
  TaskPool pool(static_cast<size_t>(settings.num_sql_threads), "sql");
  // The slow lane's threads yield the CPU to the I/O threads (nice +5: they still get a third of a
  // core each against a busy I/O thread).
  TaskPool slow_lane(static_cast<size_t>(settings.num_sql_threads), "slow",
                     [] { ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 5); });
  api::Instance instance{registry,    settings,        config,
                         permissions, ALMANAC_VERSION, &authenticator,
                         &pool,       &change_logs,    &tracking.link_indexes};
  instance.hidden_means_absent = !flags.space_policy.empty();
  if (space_policy) {
    instance.table_is_public = [space_policy](std::string_view database, std::string_view table) {
      return space_policy->Current()->IsPublic(database, table);
    };
    instance.policy_generation = [space_policy] { return space_policy->Generation(); };
    instance.space_queries =
        [space_policy](std::string_view database) -> std::shared_ptr<const format::JsonValue> {
      std::shared_ptr<const cloud::SpacePolicy> policy = space_policy->Current();
      const format::JsonValue* queries = policy->QueriesOf(database);
      if (!queries) return nullptr;
      return {policy, queries};  // shares the policy's ownership: a reload may replace it
    };
  }
  // When the server goes idle, each pool thread that ran a task gives back its read
  // connections and the memory it freed (see options.on_idle below).
  for (TaskPool* lane : {&pool, &slow_lane}) {
    lane->SetIdleHook([] {
      db::Database::CloseThreadReaders();
      GiveBackFreeMemory();
    });
  }
  phases.Mark("threads");
  std::vector<ui::StaticMount> mounts;
  for (const std::string& spec : flags.static_mounts) {
    Result<ui::StaticMount> mount = ui::ParseStaticMount(spec);
    if (!mount.ok()) return Fail(mount.status().message());
    mounts.push_back(std::move(mount).value());
  }
  Result<ui::Assets> assets = prebuilt_assets && flags.template_dir.empty() && mounts.empty()
                                  ? Result<ui::Assets>(std::move(*prebuilt_assets))
                                  : ui::Assets::Load(flags.template_dir, std::move(mounts));
  prebuilt_assets.reset();
  if (!assets.ok()) return Fail(assets.status().message());
  ui::Renderer renderer(std::move(assets).value());
  web::AppOptions app_options;
  app_options.cors = flags.cors;
  if (flags.slow_lane_ms > 0) {
    app_options.slow_lane = &slow_lane;
    app_options.fast_lane = std::chrono::milliseconds(flags.slow_lane_ms);
  }
  web::App app(instance, app_options, renderer);
  phases.Mark("assets");
  if (!flags.get.empty()) {
    OneRequest one{flags.get, flags.get_headers, flags.get_token, ""};
    if (!flags.get_actor.empty()) {
      Result<format::JsonValue> actor = format::ParseJson(flags.get_actor);
      if (!actor.ok() || !actor->is_object()) return Fail("--actor must be a JSON object");
      one.actor_cookie = auth::MakeActorCookie(secret, *actor);
    }
    int code = AnswerOneRequest(app, one, stdout);
    for (const std::string& path : warm_paths) {
      one.target = path;
      AnswerOneRequest(app, one, stdout);
    }
    stop_on_signal.Finish();
    slow_lane.Shutdown();
    pool.Shutdown();
    return code;
  }

  http::ServerOptions options;
  options.io_threads = flags.io_threads > 0 ? flags.io_threads : settings.num_sql_threads;
  options.max_body_bytes = settings.max_post_body_bytes;
  options.keep_alive_timeout = std::chrono::seconds(flags.keep_alive_timeout);
  options.request_timeout = std::chrono::seconds(flags.request_timeout);
  options.gzip_level = flags.gzip_level;
  options.gzip_min_bytes = static_cast<size_t>(flags.gzip_min_bytes);
  // Once the server has had no request for --idle-release-ms, it keeps only what it still uses
  // (docs/performance.md, "Per-worker footprint"): the shared caches are dropped, then every
  // thread, I/O and pool, gives back its read connections (they open again on its next request)
  // and the memory it freed. Not sooner: a page after the release costs a few ms more, which
  // someone clicking through pages should not pay on every click.
  options.idle_after = std::chrono::milliseconds(flags.idle_release_ms);
  options.on_idle = [&pool, &slow_lane] {
    ui::ForgetIdleTemplates();
    http::ForgetIdleDeflaters();
    pool.RunIdleHook();
    slow_lane.RunIdleHook();
  };
  options.on_idle_each_io_thread = [] {
    db::Database::CloseThreadReaders();
    GiveBackFreeMemory();
  };
  // ... and not between requests while it is busy: glibc's default (trim the heap whenever
  // 128 KB are free at its top) made a loaded server give pages back and fault them in again
  // on nearly every request (madvise, brk, page faults: ~10% of a table page's CPU).
  SetBusyTrimThreshold(kBusyTrimThreshold);
  FirstRequestLog first_request_log(app);
  http::Server server(options, cloud::HandedAtMicros() > 0
                                   ? static_cast<http::Handler&>(first_request_log)
                                   : static_cast<http::Handler&>(app));
  std::string where;
  if (!flags.uds.empty()) {
    Status s = server.ListenUnix(flags.uds);
    if (!s.ok()) return Fail(s.message());
    where = "unix:" + flags.uds;
  } else if (flags.fd >= 0) {
    Status s = server.ListenFd(flags.fd);
    if (!s.ok()) return Fail(s.message());
    where = "file descriptor " + std::to_string(flags.fd);
  }
  uint16_t port = 0;
  if (where.empty()) {
    Result<uint16_t> bound = server.ListenTcp(flags.host, static_cast<uint16_t>(flags.port));
    if (!bound.ok()) return Fail(bound.status().message());
    port = *bound;
  }

  std::string display_host =
      flags.host.find(':') != std::string::npos ? "[" + flags.host + "]" : flags.host;
  std::string base = where.empty() ? "http://" + display_host + ":" + std::to_string(port) : "";
  if (flags.root && !base.empty()) {
    // Printed before the "serving on" line, as Datasette prints it before Uvicorn's.
    std::printf("Open this URL to sign in as root (it works once):\n%s%s-/auth-token?token=%s\n",
                base.c_str(), settings.base_url.c_str(), root_token.c_str());
  }
  // The address as it was ("http://127.0.0.1:8001"), with the base_url prefix when one is set.
  std::string prefix = settings.base_url == "/" || !where.empty() ? "" : settings.base_url;
  std::printf("Almanac %s serving on %s%s\n", ALMANAC_VERSION,
              where.empty() ? base.c_str() : where.c_str(), prefix.c_str());
  std::fflush(stdout);
  phases.Mark("listen");
  if (int64_t handed = cloud::HandedAtMicros(); handed > 0) {
    std::fprintf(stderr, "pool worker: serving %.2f ms after it was handed the space (%s)\n",
                 static_cast<double>(StartPhases::NowMicros() - handed) / 1000.0,
                 phases.text().c_str());
  }
  running = &server;
  if (!stop_requested) server.Run();  // else a signal came before the server was running
  stop_on_signal.Finish();
  slow_lane.Shutdown();
  pool.Shutdown();
  return 0;
}

}  // namespace almanac::cli
