#include "cloud/supervisor.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include <fcntl.h>
#include <openssl/rand.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cloud/pool_worker.h"
#include "cloud/sandbox.h"

namespace almanac::cloud {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxQuickCrashes = 5;               // then the worker is given up on
constexpr std::chrono::seconds kStableAfter{30};  // a run this long resets the count
constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{5000};
// How long the pool waits after a hand-over before it starts a replacement: starting one
// (bubblewrap, an exec, the dry run) takes tens of milliseconds of CPU, which would otherwise
// compete with the woken worker's start on the same cores.
constexpr std::chrono::milliseconds kRefillDelay{50};

std::string RandomHex() {
  unsigned char bytes[32];
  RAND_bytes(bytes, sizeof bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

Result<int> ListenUnix(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    return InvalidArgument("The socket path " + path +
                           " is too long for a Unix socket: use a shorter --data directory");
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status(ErrorCode::kUnavailable, "socket() failed");
  ::unlink(path.c_str());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 4096) != 0) {
    int error = errno;
    ::close(fd);
    return Status(ErrorCode::kUnavailable,
                  "Cannot listen on " + path + ": " + std::strerror(error));
  }
  return fd;
}

}  // namespace

struct Supervisor::Worker {
  std::string space;
  uint64_t generation = 0;
  int listen_fd = -1;
  std::string socket_path;
  std::string secret;
  pid_t pid = -1;  // -1 while a restart is pending
  int in_flight = 0;
  Clock::time_point last_used;
  Clock::time_point started;
  int crashes = 0;
  std::optional<Clock::time_point> restart_at;
};

Supervisor::Supervisor(DataDir dir, Launcher launcher, SupervisorOptions options,
                       Stopped on_stopped)
    : dir_(std::move(dir)),
      launcher_(std::move(launcher)),
      options_(options),
      on_stopped_(std::move(on_stopped)) {
  reaper_ = std::thread([this] { Reap(); });
  housekeeper_ = std::thread([this] { Housekeep(); });
  if (options_.pool_size > 0 && !launcher_.PoolPossible()) {
    spdlog::warn(
        "no pool of pre-started workers: mounting a space into a sandbox needs root (each wake "
        "starts a sandbox)");
    options_.pool_size = 0;
  }
  if (options_.pool_size > 0) pool_filler_ = std::thread([this] { FillPool(); });
}

Supervisor::~Supervisor() {
  StopAll();
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
  }
  changed_.notify_all();
  if (pool_filler_.joinable()) pool_filler_.join();
  housekeeper_.join();
  reaper_.join();
}

Status Supervisor::StartLocked(const std::string& space) {
  if (suspended_.contains(space)) {
    return Status(ErrorCode::kUnavailable,
                  "This space is being renamed or deleted: try again in a moment");
  }
  auto worker = std::make_unique<Worker>();
  worker->space = space;
  worker->generation = next_generation_++;
  worker->socket_path = dir_.RunDir() + "/" + std::to_string(worker->generation) + ".sock";
  ALM_ASSIGN_OR_RETURN(worker->listen_fd, ListenUnix(worker->socket_path));
  if (options_.handoff) worker->secret = RandomHex();
  worker->last_used = Clock::now();
  Worker& w = *worker;
  workers_[space] = std::move(worker);
  SpawnLocked(w);
  if (w.pid < 0 && !w.restart_at) {
    StopLocked(space);
    return Status(ErrorCode::kUnavailable, "Cannot start a worker for space " + space);
  }
  return Status::Ok();
}

void Supervisor::SpawnLocked(Worker& worker) {
  worker.restart_at.reset();
  WorkerFds fds;
  fds.listen_fd = worker.listen_fd;
  int pipe_fds[2] = {-1, -1};
  if (!worker.secret.empty()) {
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return;
    [[maybe_unused]] ssize_t n = ::write(pipe_fds[1], worker.secret.data(), worker.secret.size());
    ::close(pipe_fds[1]);
    fds.handoff_secret_fd = pipe_fds[0];
  }
  if (SpawnFromPoolLocked(worker, fds)) {
    if (pipe_fds[0] >= 0) ::close(pipe_fds[0]);
    changed_.notify_all();
    return;
  }
  Result<pid_t> pid = launcher_.Start(worker.space, fds);
  if (pipe_fds[0] >= 0) ::close(pipe_fds[0]);
  if (!pid.ok()) {
    spdlog::error("space {}: cannot start a worker: {}", worker.space, pid.status().message());
    worker.pid = -1;
    return;
  }
  worker.pid = *pid;
  worker.started = Clock::now();
  if (launcher_.options().sandbox) cgroups_[*pid] = worker.space;
  changed_.notify_all();  // the reaper has a child to wait for
}

bool Supervisor::SpawnFromPoolLocked(Worker& worker, const WorkerFds& fds) {
  while (!pool_.empty()) {
    Pooled pooled = std::move(pool_.front());
    pool_.pop_front();
    changed_.notify_all();  // the filler starts another
    Clock::time_point begun = Clock::now();
    std::string phases;
    Status assigned = launcher_.Assign(pooled.process, pooled.mntns_fd, worker.space, fds, &phases);
    ::close(pooled.process.control_fd);  // the hand-over stays queued for the worker
    if (pooled.mntns_fd >= 0) ::close(pooled.mntns_fd);
    if (assigned.ok()) {
      spdlog::info(
          "space {}: handed to pre-started worker {} in {} us ({})", worker.space,
          pooled.process.pid,
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - begun).count(),
          phases);
      worker.pid = pooled.process.pid;
      worker.started = Clock::now();
      last_handover_ = worker.started;
      return true;
    }
    spdlog::warn("space {}: a pool worker could not take it: {}", worker.space, assigned.message());
    if (pool_cgroups_.count(pooled.process.pid) > 0) {
      ::kill(pooled.process.pid, SIGKILL);
      stopping_[pooled.process.pid] = "";
    }
  }
  return false;
}

void Supervisor::FillPool() {
  int failures = 0;
  std::unique_lock lock(mutex_);
  while (!shutting_down_ && !pool_closed_) {
    if (static_cast<int>(pool_.size()) >= options_.pool_size) {
      changed_.wait(lock);
      continue;
    }
    if (Clock::time_point refill_at = last_handover_ + kRefillDelay; Clock::now() < refill_at) {
      changed_.wait_until(lock, refill_at);
      continue;
    }
    lock.unlock();
    Pooled pooled;
    Status problem = Status::Ok();
    Result<PoolProcess> started = launcher_.StartPoolWorker();
    if (started.ok()) {
      pooled.process = *started;
      {
        std::lock_guard registered(mutex_);
        pool_cgroups_[pooled.process.pid] = pooled.process.cgroup;
      }
      changed_.notify_all();  // the reaper has a child to wait for
      Result<pid_t> inner = AwaitReady(pooled.process.control_fd, 10'000);
      if (!inner.ok()) {
        problem = inner.status();
      } else if (launcher_.options().sandbox) {
        std::string ns = "/proc/" + std::to_string(*inner) + "/ns/mnt";
        pooled.mntns_fd = ::open(ns.c_str(), O_RDONLY | O_CLOEXEC);
        if (pooled.mntns_fd < 0) {
          problem = Status(ErrorCode::kUnavailable, "cannot open " + ns);
        }
      }
    } else {
      problem = started.status();
    }
    lock.lock();
    if (problem.ok() && !shutting_down_ && !pool_closed_) {
      failures = 0;
      pool_.push_back(std::move(pooled));
      continue;
    }
    if (started.ok()) {
      ::close(pooled.process.control_fd);  // the worker exits when it sees the socket close
      if (pooled.mntns_fd >= 0) ::close(pooled.mntns_fd);
      if (pool_cgroups_.count(pooled.process.pid) > 0) {
        ::kill(pooled.process.pid, SIGKILL);
        stopping_[pooled.process.pid] = "";
      }
    }
    if (problem.ok()) break;  // shutting down
    spdlog::warn("pool worker: {}", problem.message());
    if (++failures >= 3) {
      spdlog::error("no pool of pre-started workers after 3 failures: each wake starts a sandbox");
      break;
    }
    changed_.wait_for(lock, std::chrono::seconds(1));
  }
}

size_t Supervisor::PoolReady() const {
  std::lock_guard lock(mutex_);
  return pool_.size();
}

void Supervisor::Suspend(const std::string& space) {
  std::unique_lock lock(mutex_);
  suspended_.insert(space);
  auto it = workers_.find(space);
  if (it == workers_.end()) return;
  pid_t pid = it->second->pid;
  StopLocked(space);
  if (pid > 0) {
    changed_.wait_for(lock, std::chrono::seconds(10), [&] { return !stopping_.contains(pid); });
  }
}

void Supervisor::Resume(const std::string& space) {
  std::lock_guard lock(mutex_);
  suspended_.erase(space);
}

void Supervisor::StopLocked(const std::string& space) {
  auto it = workers_.find(space);
  if (it == workers_.end()) return;
  std::unique_ptr<Worker> worker = std::move(it->second);
  workers_.erase(it);
  if (worker->listen_fd >= 0) ::close(worker->listen_fd);
  ::unlink(worker->socket_path.c_str());
  if (worker->pid > 0) {
    ::kill(worker->pid, SIGTERM);
    stopping_[worker->pid] = worker->socket_path;
  }
  if (on_stopped_) on_stopped_(worker->socket_path);
  changed_.notify_all();
}

bool Supervisor::MakeRoomLocked() {
  Worker* oldest = nullptr;
  for (auto& [name, worker] : workers_) {
    if (worker->in_flight == 0 && (!oldest || worker->last_used < oldest->last_used)) {
      oldest = worker.get();
    }
  }
  if (!oldest) return false;
  spdlog::info("space {}: stopped to make room (--max-workers {})", oldest->space,
               options_.max_workers);
  StopLocked(std::string(oldest->space));
  return true;
}

void Supervisor::GrantLocked(Worker& worker) {
  ++worker.in_flight;
  worker.last_used = Clock::now();
}

void Supervisor::Acquire(const std::string& space, Ready ready) {
  std::optional<Result<WorkerLease>> answer;  // set on every path below
  bool answered = false;
  bool woke = false;
  {
    std::unique_lock lock(mutex_);
    if (shutting_down_) {
      answer.emplace(Status(ErrorCode::kUnavailable, "The server is shutting down"));
      answered = true;
    } else {
      auto it = workers_.find(space);
      if (it == workers_.end()) {
        bool full =
            options_.max_workers > 0 && static_cast<int>(workers_.size()) >= options_.max_workers;
        if (full && !MakeRoomLocked()) {
          waiting_.push_back({space, std::move(ready)});
          return;
        }
        Status started = StartLocked(space);
        if (!started.ok()) {
          answer.emplace(std::move(started));
          answered = true;
        }
        woke = true;
        it = workers_.find(space);
      }
      if (!answered) {
        Worker& worker = *it->second;
        GrantLocked(worker);
        uint64_t generation = worker.generation;
        std::string name = space;
        answer.emplace(WorkerLease{
            worker.socket_path, worker.secret,
            std::shared_ptr<void>(static_cast<void*>(this),
                                  [this, name, generation](void*) { Release(name, generation); }),
            woke});
      }
    }
  }
  ready(std::move(*answer));
}

void Supervisor::Release(const std::string& space, uint64_t generation) {
  std::vector<Waiter> granted;
  std::vector<std::pair<Ready, Status>> failed;
  {
    std::lock_guard lock(mutex_);
    auto it = workers_.find(space);
    if (it != workers_.end() && it->second->generation == generation) {
      Worker& worker = *it->second;
      --worker.in_flight;
      worker.last_used = Clock::now();
      // Now idle: the housekeeper must look again only if it sleeps past this one's deadline.
      if (worker.in_flight == 0 && worker.last_used + options_.idle_timeout < housekeeper_wakes_) {
        changed_.notify_all();
      }
    }
    // Requests waiting for a slot, in order: their space may be running by now, or an idle
    // worker may be stopped to make room (started here, so that no one else takes the slot).
    while (!waiting_.empty()) {
      Waiter& next = waiting_.front();
      if (workers_.count(next.space) == 0) {
        bool full = static_cast<int>(workers_.size()) >= options_.max_workers;
        if (full && !MakeRoomLocked()) break;
        if (Status started = StartLocked(next.space); !started.ok()) {
          Ready ready = std::move(next.ready);
          waiting_.pop_front();
          failed.emplace_back(std::move(ready), started);
          continue;
        }
      }
      granted.push_back(std::move(next));
      waiting_.pop_front();
    }
    // No other notify here: a release changes nothing else another thread waits for, and
    // waking the pool filler, housekeeper and reaper at every request costs each proxied
    // request several context switches. Starting and stopping workers (above) notify themselves.
  }
  for (auto& [ready, status] : failed) ready(status);
  for (Waiter& waiter : granted) Acquire(waiter.space, std::move(waiter.ready));
}

void Supervisor::Reap() {
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      std::unique_lock lock(mutex_);
      if (shutting_down_ && stopping_.empty()) return;
      // No children yet: wait until one is started.
      changed_.wait_for(lock, std::chrono::milliseconds(200));
      continue;
    }
    std::lock_guard lock(mutex_);
    if (auto group = cgroups_.find(pid); group != cgroups_.end()) {
      RemoveCgroups(group->second);
      cgroups_.erase(group);
    }
    if (auto pooled = pool_cgroups_.find(pid); pooled != pool_cgroups_.end()) {
      if (!pooled->second.empty()) RemoveCgroups(pooled->second);
      pool_cgroups_.erase(pooled);
      // A pool worker that died before it was handed a space: the filler starts another.
      for (auto it = pool_.begin(); it != pool_.end(); ++it) {
        if (it->process.pid != pid) continue;
        ::close(it->process.control_fd);
        if (it->mntns_fd >= 0) ::close(it->mntns_fd);
        pool_.erase(it);
        spdlog::warn("pool worker {} exited (status {})", pid, status);
        break;
      }
    }
    if (stopping_.erase(pid) > 0) {
      changed_.notify_all();
      continue;
    }
    for (auto& [name, worker] : workers_) {
      if (worker->pid != pid) continue;
      worker->pid = -1;
      Clock::time_point now = Clock::now();
      worker->crashes = now - worker->started >= kStableAfter ? 1 : worker->crashes + 1;
      spdlog::warn("space {}: worker {} exited unexpectedly (status {}), crash {}", name, pid,
                   status, worker->crashes);
      if (worker->in_flight > 0 && worker->crashes <= kMaxQuickCrashes && !shutting_down_) {
        // Requests are waiting on its socket: restart it (after a while if it keeps crashing).
        auto backoff = std::min(kMaxBackoff, kFirstBackoff * (1 << (worker->crashes - 1)));
        worker->restart_at = worker->crashes == 1 ? now : now + backoff;
        if (worker->crashes == 1) SpawnLocked(*worker);
      } else {
        StopLocked(std::string(name));
      }
      break;
    }
    changed_.notify_all();
  }
}

void Supervisor::Housekeep() {
  std::unique_lock lock(mutex_);
  while (!shutting_down_) {
    Clock::time_point now = Clock::now();
    Clock::time_point next = now + std::chrono::seconds(5);
    std::vector<std::string> idle;
    for (auto& [name, worker] : workers_) {
      if (worker->restart_at) {
        if (*worker->restart_at <= now) {
          SpawnLocked(*worker);
        } else {
          next = std::min(next, *worker->restart_at);
        }
        continue;
      }
      if (worker->in_flight > 0 || worker->pid < 0) continue;
      Clock::time_point deadline = worker->last_used + options_.idle_timeout;
      if (deadline <= now) {
        idle.push_back(name);
      } else {
        next = std::min(next, deadline);
      }
    }
    for (const std::string& name : idle) {
      spdlog::info("space {}: idle, worker stopped", name);
      StopLocked(name);
    }
    if (idle.empty()) {
      housekeeper_wakes_ = next;
      changed_.wait_until(lock, next);
      housekeeper_wakes_ = Clock::time_point::min();
    }
  }
}

std::vector<std::pair<std::string, pid_t>> Supervisor::Running() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, pid_t>> out;
  for (const auto& [name, worker] : workers_) out.emplace_back(name, worker->pid);
  std::sort(out.begin(), out.end());
  return out;
}

void Supervisor::StopAll() {
  std::unique_lock lock(mutex_);
  pool_closed_ = true;
  for (Pooled& pooled : pool_) {
    ::close(pooled.process.control_fd);  // the worker exits when it sees the socket close
    if (pooled.mntns_fd >= 0) ::close(pooled.mntns_fd);
    ::kill(pooled.process.pid, SIGTERM);
    stopping_[pooled.process.pid] = "";
  }
  pool_.clear();
  changed_.notify_all();
  std::vector<std::string> names;
  for (const auto& [name, worker] : workers_) names.push_back(name);
  for (const std::string& name : names) StopLocked(name);
  std::vector<Waiter> waiting(std::make_move_iterator(waiting_.begin()),
                              std::make_move_iterator(waiting_.end()));
  waiting_.clear();
  bool all_gone =
      changed_.wait_for(lock, std::chrono::seconds(5), [this] { return stopping_.empty(); });
  if (!all_gone) {
    for (const auto& [pid, path] : stopping_) ::kill(pid, SIGKILL);
    changed_.wait_for(lock, std::chrono::seconds(5), [this] { return stopping_.empty(); });
  }
  lock.unlock();
  for (Waiter& waiter : waiting) {
    waiter.ready(Status(ErrorCode::kUnavailable, "The server is shutting down"));
  }
}

}  // namespace almanac::cloud
