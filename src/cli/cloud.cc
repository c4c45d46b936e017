#include "cli/cloud.h"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/signals.h"
#include "cloud/front_door.h"
#include "cloud/landlock.h"
#include "cloud/launcher.h"
#include "cloud/probe.h"
#include "cloud/sandbox.h"
#include "cloud/space_policy.h"
#include "cloud/space_tables.h"
#include "cloud/spaces.h"
#include "cloud/supervisor.h"
#include "control/store.h"
#include "http/server.h"
#include "http/upstream.h"

namespace almanac::cli {
namespace {

struct CloudFlags {
  std::string data;
  std::string host = "127.0.0.1";
  int port = 8001;
  std::string domain;
  double idle_timeout = 300;
  int max_workers = 0;
  bool no_sandbox = false;
  int worker_threads = 2;
  int worker_memory_mb = 1024;
  int worker_file_mb = 1024;
  int worker_processes = 256;
  int io_threads = 2;
  int pool = 2;
  int space_quota_mb = 1024;
  double write_time_limit = 30;     // seconds one statement of execute-write SQL may run
  std::string signup = "open";      // open | invite
  std::string space;                // delete-space, probe
  std::vector<std::string> spaces;  // create-space
  std::string policy_file;          // set-policy: a file, or - for stdin
  std::string database, table;      // make-public, make-private
  cloud::ProbeChecks probe;
  bool landlock = false;                     // probe-inside
  std::vector<std::string> worker_settings;  // NAME VALUE pairs, flattened
};

CloudFlags flags;
CLI::App* cloud_command = nullptr;
CLI::App* create_space = nullptr;
CLI::App* list_spaces = nullptr;
CLI::App* delete_space = nullptr;
CLI::App* set_policy = nullptr;
CLI::App* show_policy = nullptr;
CLI::App* make_public = nullptr;
CLI::App* make_private = nullptr;
CLI::App* probe_command = nullptr;
CLI::App* probe_inside = nullptr;

int Fail(const std::string& message) {
  std::fprintf(stderr, "Error: %s\n", message.c_str());
  return 1;
}

// The control plane's store, DIR/control.db. With `import_all`, every space on disk is
// recorded in it (spaces made before control.db existed get no owner: their admin token still
// reaches them).
Result<std::unique_ptr<control::ControlStore>> OpenControl(const cloud::Spaces& spaces,
                                                           bool import_all) {
  Result<std::unique_ptr<control::ControlStore>> store =
      control::ControlStore::Open(spaces.dir().ControlDb());
  if (!store.ok() || !import_all) return store;
  Status imported = (*store)->ImportSpaces(spaces.List(), std::time(nullptr));
  if (!imported.ok()) return imported;
  return store;
}

void AddDataOption(CLI::App* command) {
  command->add_option("--data", flags.data, "The data directory (created on first run)")
      ->required();
}

void AddSandboxOptions(CLI::App* command) {
  command->add_flag("--no-sandbox", flags.no_sandbox,
                    "Run workers without the sandbox (development only: prints a warning)");
  command->add_option("--worker-memory", flags.worker_memory_mb, "Memory limit per worker, MB")
      ->capture_default_str()
      ->check(CLI::Range(64, 1 << 20));
  command
      ->add_option("--worker-file-size", flags.worker_file_mb,
                   "Largest file (database) a space may have, MB")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 24));
  command
      ->add_option("--worker-processes", flags.worker_processes, "Processes and threads per worker")
      ->capture_default_str()
      ->check(CLI::Range(16, 1 << 16));
}

std::string SelfExe() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("almanac") : exe.string();
}

void ApplyLimits() {
  cloud::SandboxLimits limits;
  limits.memory_bytes = static_cast<uint64_t>(flags.worker_memory_mb) << 20;
  limits.file_bytes = static_cast<uint64_t>(flags.worker_file_mb) << 20;
  limits.processes = static_cast<uint64_t>(flags.worker_processes);
  cloud::SetSandboxLimits(limits);
}

// Checks the sandbox can be made; prints what it has. False (with the reason printed) if not.
bool CheckSandbox() {
  if (flags.no_sandbox) {
    std::fprintf(stderr,
                 "WARNING: --no-sandbox: workers run unconfined, as this user, with network "
                 "access and every file this user can read. Never use it with untrusted data.\n");
    return true;
  }
  cloud::SandboxReport report = cloud::ProbeSandbox();
  if (!report.problem.empty()) {
    std::fprintf(stderr,
                 "Error: the sandbox cannot be made on this machine: %s.\n"
                 "Fix that, or run with --no-sandbox for development (workers then run "
                 "unconfined).\n",
                 report.problem.c_str());
    return false;
  }
  std::fprintf(
      stderr,
      "Sandbox: bubblewrap namespaces, seccomp, rlimits; landlock %s; cgroups %s; "
      "%s\n",
      report.landlock_abi > 0 ? ("ABI v" + std::to_string(report.landlock_abi)).c_str()
                              : "not available",
      report.cgroup.empty() ? "not used (needs root and controllers)" : report.cgroup.c_str(),
      report.per_space_uids ? "a uid per space" : "workers run as this user");
  return true;
}

int RunServer() {
  // Signals blocked before any thread starts (workers get them unblocked).
  std::atomic<bool> stop_requested{false};
  std::atomic<http::Server*> running{nullptr};
  StopOnSignal stop_on_signal([&stop_requested, &running] {
    stop_requested = true;
    if (http::Server* server = running.load()) server->Stop();
  });
  ::signal(SIGPIPE, SIG_IGN);
  cloud::DataDir dir{std::filesystem::absolute(flags.data).lexically_normal().string()};
  if (!dir.root.empty() && dir.root.size() > 1 && dir.root.back() == '/') dir.root.pop_back();
  cloud::Spaces spaces(dir);
  if (Status s = spaces.Prepare(); !s.ok()) return Fail(s.message());
  Result<std::unique_ptr<control::ControlStore>> store = OpenControl(spaces, true);
  if (!store.ok()) return Fail(store.status().message());
  ApplyLimits();
  if (!CheckSandbox()) return 1;

  cloud::LaunchOptions launch;
  launch.almanac_binary = SelfExe();
  launch.base_url = flags.domain.empty() ? "/{space}/" : "/";
  launch.sandbox = !flags.no_sandbox;
  launch.worker_threads = flags.worker_threads;
  launch.space_quota_mb = flags.space_quota_mb;
  launch.write_time_limit_ms = static_cast<int64_t>(flags.write_time_limit * 1000);
  if (flags.worker_settings.size() % 2 != 0)
    return Fail("--worker-setting needs a NAME and a VALUE");
  for (size_t i = 0; i + 1 < flags.worker_settings.size(); i += 2) {
    launch.settings.emplace_back(flags.worker_settings[i], flags.worker_settings[i + 1]);
  }
  http::UpstreamPool upstream;
  cloud::SupervisorOptions supervision;
  supervision.idle_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(flags.idle_timeout * 1000));
  supervision.max_workers = flags.max_workers;
  supervision.handoff = true;
  supervision.pool_size = flags.pool;
  cloud::Supervisor supervisor(dir, cloud::Launcher(dir, launch), supervision,
                               [&upstream](const std::string& path) { upstream.Forget(path); });
  cloud::AccountOptions account_options;
  account_options.domain = flags.domain;
  account_options.signup =
      flags.signup == "invite" ? cloud::SignupMode::kInvite : cloud::SignupMode::kOpen;
  account_options.suspend_space = [&supervisor](const std::string& space) {
    supervisor.Suspend(space);
  };
  account_options.resume_space = [&supervisor](const std::string& space) {
    supervisor.Resume(space);
  };
  cloud::AccountPages accounts(**store, spaces, account_options);
  cloud::FrontDoor front_door(spaces, supervisor, upstream, accounts,
                              {flags.domain, int64_t{flags.space_quota_mb} << 20});

  http::ServerOptions options;
  options.io_threads = flags.io_threads;
  // The front door's handler never blocks (its slow account writes run elsewhere): each thread
  // keeps its connections, and their proxied exchanges, to itself.
  options.context_per_thread = true;
  options.max_body_bytes = 1 << 20;  // the account pages' forms; space bodies stream
  options.gzip_level = 0;            // the workers compress (Accept-Encoding is passed on to them)
  http::Server server(options, front_door);
  Result<uint16_t> port = server.ListenTcp(flags.host, static_cast<uint16_t>(flags.port));
  if (!port.ok()) return Fail(port.status().message());
  std::string display_host =
      flags.host.find(':') != std::string::npos ? "[" + flags.host + "]" : flags.host;
  std::printf("Almanac cloud serving on http://%s:%u/ (data in %s%s)\n", display_host.c_str(),
              static_cast<unsigned>(*port), dir.root.c_str(),
              flags.domain.empty() ? "" : (", spaces at NAME." + flags.domain).c_str());
  std::fflush(stdout);
  running = &server;
  if (!stop_requested) server.Run();
  // Connections made on the server's threads belong to its io_context, destroyed with it.
  upstream.CloseIdle();
  stop_on_signal.Finish();
  supervisor.StopAll();
  return 0;
}

int RunProbeOutside() {
  ::signal(SIGPIPE, SIG_IGN);
  cloud::DataDir dir{std::filesystem::absolute(flags.data).lexically_normal().string()};
  cloud::Spaces spaces(dir);
  if (!spaces.Exists(flags.space)) return Fail("No space named " + flags.space);
  ApplyLimits();
  if (!CheckSandbox()) return 1;
  cloud::LaunchOptions launch;
  launch.almanac_binary = SelfExe();
  launch.sandbox = !flags.no_sandbox;
  cloud::Launcher launcher(dir, launch);
  std::vector<std::string> inner = {launch.almanac_binary, "cloud", "probe-inside"};
  if (launch.sandbox) inner.push_back("--landlock");
  const cloud::ProbeChecks& c = flags.probe;
  for (const std::string& path : c.read_paths) inner.insert(inner.end(), {"--read", path});
  for (const std::string& path : c.write_paths) inner.insert(inner.end(), {"--write", path});
  if (c.connect_port) inner.insert(inner.end(), {"--connect", std::to_string(c.connect_port)});
  if (c.udp) inner.push_back("--udp");
  if (c.ptrace) inner.push_back("--ptrace");
  if (c.forks) inner.insert(inner.end(), {"--forks", std::to_string(c.forks)});
  if (c.allocate_mb) inner.insert(inner.end(), {"--allocate-mb", std::to_string(c.allocate_mb)});
  if (c.fill_mb) inner.insert(inner.end(), {"--fill-mb", std::to_string(c.fill_mb)});
  std::fflush(stdout);
  Result<pid_t> pid = launcher.Run(flags.space, inner, cloud::WorkerFds{}, STDOUT_FILENO);
  if (!pid.ok()) return Fail(pid.status().message());
  int status = 0;
  ::waitpid(*pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

// set-policy, show-policy, make-public, make-private: the space's policy file.
int RunPolicyCommand() {
  cloud::Spaces spaces(cloud::DataDir{flags.data});
  if (!spaces.Exists(flags.space)) return Fail("No space named " + flags.space);
  std::string directory = spaces.dir().PolicyDir(flags.space);
  Result<cloud::SpacePolicy> policy = cloud::ReadSpacePolicy(directory);
  if (show_policy->parsed()) {
    if (!policy.ok()) return Fail(policy.status().message());
    std::printf("%s", cloud::SpacePolicyJson(*policy).c_str());
    return 0;
  }
  if (set_policy->parsed()) {
    std::stringstream text;
    if (flags.policy_file == "-") {
      text << std::cin.rdbuf();
    } else {
      std::ifstream in(flags.policy_file);
      if (!in) return Fail("Cannot read " + flags.policy_file);
      text << in.rdbuf();
    }
    policy = cloud::ParseSpacePolicy(text.str());
  } else if (policy.ok()) {
    // Refused rather than done silently: a table that is not there, one that is not public.
    if (make_public->parsed()) {
      Status exists =
          cloud::CheckTableExists(spaces.dir().SpaceDir(flags.space), flags.database, flags.table);
      if (!exists.ok()) return Fail(exists.message());
    } else if (!policy->public_tables.contains({flags.database, flags.table})) {
      return Fail(flags.database + "/" + flags.table + " is not public in " + flags.space);
    }
    policy->SetPublic(flags.database, flags.table, make_public->parsed());
  }
  if (!policy.ok()) return Fail(policy.status().message());
  Status written = cloud::WriteSpacePolicy(directory, *policy);
  return written.ok() ? 0 : Fail(written.message());
}

void AddPolicyCommands(CLI::App* c) {
  set_policy = c->add_subcommand(
      "set-policy", "Replace a space's policy (JSON, e.g. {\"public_tables\": [\"data/t\"]})");
  show_policy = c->add_subcommand("show-policy", "Print a space's policy");
  make_public =
      c->add_subcommand("make-public", "Let everyone, signed in or not, view a table of a space");
  make_private = c->add_subcommand("make-private", "Make a public table of a space private again");
  for (CLI::App* command : {set_policy, show_policy, make_public, make_private}) {
    command->set_help_flag("--help", "Show this message and exit");
    command->add_option("name", flags.space, "The space's name")->required();
    AddDataOption(command);
  }
  for (CLI::App* command : {make_public, make_private}) {
    command->add_option("database", flags.database, "The database (its file name without .db)")
        ->required();
    command->add_option("table", flags.table, "The table")->required();
  }
  set_policy->add_option("file", flags.policy_file, "The policy file, or - for standard input")
      ->required();
}

void AddProbeChecks(CLI::App* command) {
  cloud::ProbeChecks& c = flags.probe;
  command->add_option("--read", c.read_paths, "A file that must not be readable");
  command->add_option("--write", c.write_paths, "A file that must not be creatable");
  command->add_option("--connect", c.connect_port, "A TCP port on 127.0.0.1 to try");
  command->add_flag("--udp", c.udp, "Try to open a UDP socket");
  command->add_flag("--ptrace", c.ptrace, "Try to ptrace a child");
  command->add_option("--forks", c.forks, "Try to run this many processes at once");
  command->add_option("--allocate-mb", c.allocate_mb, "Try to allocate this much memory");
  command->add_option("--fill-mb", c.fill_mb, "Try to write a file this large");
}

}  // namespace

CLI::App* AddCloudCommand(CLI::App& app) {
  cloud_command = app.add_subcommand(
      "cloud", "Hosting mode: private spaces, each served by its own sandboxed worker");
  CLI::App* c = cloud_command;
  c->set_help_flag("--help", "Show this message and exit");
  c->require_subcommand(0, 1);
  c->add_option("--data", flags.data, "The data directory (created on first run)");
  c->add_option("-h,--host", flags.host, "Host to listen on")->capture_default_str();
  c->add_option("-p,--port", flags.port, "Port to listen on; 0 picks a free port")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  c->add_option("--domain", flags.domain,
                "Serve each space at NAME.DOMAIN (default: at /NAME/ on this host)");
  c->add_option("--idle-timeout", flags.idle_timeout,
                "Seconds without requests before a space's worker is stopped")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 1e7));
  c->add_option("--max-workers", flags.max_workers,
                "Workers running at once (0: no limit); the least recently used stops first")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
  c->add_option("--worker-threads", flags.worker_threads, "Threads per worker")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  c->add_option("--worker-setting", flags.worker_settings,
                "A setting for every worker: NAME VALUE, as serve's --setting (repeatable)")
      ->expected(2)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  c->add_option("--pool", flags.pool,
                "Workers kept started and sandboxed ahead of need, handed a space when one wakes "
                "(0: each wake starts a worker)")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  c->add_option("--space-quota-mb", flags.space_quota_mb,
                "Disk a space's databases may use together, MB (uploads and writes past it are "
                "refused)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 24));
  c->add_option("--write-time-limit", flags.write_time_limit,
                "Seconds one statement of a space's execute-write SQL may run before it is "
                "stopped and rolled back")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 1e6));
  c->add_option("--signup", flags.signup,
                "Who may make an account: open (anyone) or invite (with an invitation link only)")
      ->capture_default_str()
      ->check(CLI::IsMember({"open", "invite"}));
  c->add_option("--io-threads", flags.io_threads, "Front door threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  AddSandboxOptions(c);

  create_space = c->add_subcommand(
      "create-space", "Create spaces; prints the admin token (NAME TOKEN lines for several)");
  create_space->set_help_flag("--help", "Show this message and exit");
  create_space->add_option("name", flags.spaces, "The space's name ([a-z0-9-], 1-63)")->required();
  AddDataOption(create_space);
  list_spaces = c->add_subcommand("list-spaces", "List the spaces");
  list_spaces->set_help_flag("--help", "Show this message and exit");
  AddDataOption(list_spaces);
  delete_space = c->add_subcommand("delete-space", "Delete a space and all its databases");
  delete_space->set_help_flag("--help", "Show this message and exit");
  delete_space->add_option("name", flags.space, "The space's name")->required();
  AddDataOption(delete_space);
  AddPolicyCommands(c);

  probe_command = c->add_subcommand(
      "probe", "Run the sandbox probe as a worker of SPACE would run (for tests and checks)");
  probe_command->set_help_flag("--help", "Show this message and exit");
  AddDataOption(probe_command);
  probe_command->add_option("--space", flags.space, "The space whose sandbox to use")->required();
  AddSandboxOptions(probe_command);
  AddProbeChecks(probe_command);
  probe_inside = c->add_subcommand("probe-inside", "");  // run by `probe`, inside the sandbox
  probe_inside->group("");
  probe_inside->add_flag("--landlock", flags.landlock, "Apply the workers' Landlock rules first");
  AddProbeChecks(probe_inside);
  return cloud_command;
}

int RunCloud() {
  if (create_space->parsed()) {
    cloud::Spaces spaces(cloud::DataDir{flags.data});
    if (Status s = spaces.Prepare(); !s.ok()) return Fail(s.message());
    Result<std::unique_ptr<control::ControlStore>> store = OpenControl(spaces, false);
    if (!store.ok()) return Fail(store.status().message());
    // Recorded after the files exist, all in one transaction (the bench makes 10,000 at once).
    std::vector<std::string> created;
    auto record = [&]() -> Status {
      return (*store)->ImportSpaces(created, std::time(nullptr), "cli");
    };
    for (const std::string& name : flags.spaces) {
      Result<std::string> token = spaces.Create(name);
      if (!token.ok()) {
        (void)record();
        return Fail(token.status().message());
      }
      created.push_back(name);
      if (flags.spaces.size() == 1) {
        std::printf("%s\n", token->c_str());
      } else {
        std::printf("%s %s\n", name.c_str(), token->c_str());
      }
    }
    if (Status recorded = record(); !recorded.ok()) return Fail(recorded.message());
    return 0;
  }
  if (list_spaces->parsed()) {
    cloud::Spaces spaces(cloud::DataDir{flags.data});
    for (const std::string& name : spaces.List()) std::printf("%s\n", name.c_str());
    return 0;
  }
  if (delete_space->parsed()) {
    cloud::Spaces spaces(cloud::DataDir{flags.data});
    Status s = spaces.Delete(flags.space);
    if (!s.ok()) return Fail(s.message());
    Result<std::unique_ptr<control::ControlStore>> store = OpenControl(spaces, false);
    if (!store.ok()) return Fail(store.status().message());
    if (Status removed = (*store)->RemoveSpace(flags.space); !removed.ok()) {
      return Fail(removed.message());
    }
    (void)(*store)->Audit("cli", flags.space, "space-delete", "{}", std::time(nullptr));
    return 0;
  }
  if (set_policy->parsed() || show_policy->parsed() || make_public->parsed() ||
      make_private->parsed()) {
    return RunPolicyCommand();
  }
  if (probe_command->parsed()) return RunProbeOutside();
  if (probe_inside->parsed()) {
    if (flags.landlock) {
      Result<int> abi = cloud::RestrictToDirectories({".", "/tmp"});
      if (!abi.ok()) return Fail(abi.status().message());
    }
    return cloud::RunProbe(flags.probe);
  }
  if (flags.data.empty()) return Fail("--data DIR is needed: the directory holding the spaces");
  return RunServer();
}

}  // namespace almanac::cli
