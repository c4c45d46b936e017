// Landlock, applied by a worker to itself once inside its sandbox (the last layer: it holds
// even if a mount of the sandbox were wrong). Read and execute everywhere; write, create and
// remove only beneath `writable`; with ABI v3 truncate, v4 TCP bind and connect (refused
// outright), v6 abstract Unix sockets and signals scoped to the worker. Best effort: rights the
// running kernel does not know are left out; no Landlock at all is reported, not an error.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace almanac::cloud {

// The Landlock ABI version of the running kernel (0: none).
int LandlockAbi();

// Restricts the calling process (and its future children) as described above. Returns the ABI
// used (0 when the kernel has no Landlock).
Result<int> RestrictToDirectories(const std::vector<std::string>& writable);

}  // namespace almanac::cloud
