// Pool workers (docs/cloud.md, "Cold start"): `almanac pool-worker` is a generic worker started
// ahead of need, already inside its sandbox, that waits on a control socket until the supervisor
// hands it a space: its directory (mounted at /space by the supervisor when sandboxed), its
// listening socket, its hand-off secret and its log, with the `serve` arguments to run. The
// worker then runs `serve` in the same process, without a new exec or new namespaces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace almanac::cloud {

inline constexpr const char* kPoolWorkerCommand = "pool-worker";
// The descriptor the control socket has in a pool worker.
inline constexpr int kPoolControlFd = 3;
// An argument that only reserves room, so that the process title can later name its space.
inline constexpr size_t kPoolTitleRoom = 1024;

// Worker side, on its only thread: says it is ready, waits for a space, places the descriptors
// (listening socket on 3, secret on 4, log on 1 and 2), moves into the space's directory,
// rewrites the process title (`title`, `title_size`: argv's memory) and returns the arguments
// (from "serve" on) to run. nullopt when the supervisor went away before handing one.
std::optional<std::vector<std::string>> AwaitSpace(char* title, size_t title_size);

// In a pool worker that was handed a space: when (steady clock, in µs), else 0.
int64_t HandedAtMicros();

// Supervisor side: hands a space to the worker behind `control_fd` (secret_fd may be -1).
Status SendSpace(int control_fd, const std::string& directory,
                 const std::vector<std::string>& serve_args, int listen_fd, int log_fd,
                 int secret_fd);

// Supervisor side: waits (up to `timeout_ms`) for the worker's ready message; returns its pid as
// this process sees it (from the socket's credentials: SO_PASSCRED must be on `control_fd`).
Result<pid_t> AwaitReady(int control_fd, int timeout_ms);

}  // namespace almanac::cloud
