// The sandbox probe: run inside a worker's sandbox (`almanac cloud probe`), it attempts what a
// hostile tenant would — read other spaces and the front door's files, write outside its
// directory, open network sockets, ptrace, fork without end, allocate without end, write a
// file without end — and prints one JSON line per attempt: {"check", "allowed", "detail"}.
// The tests run it sandboxed (every attempt must fail) and with --no-sandbox (every attempt
// must succeed, proving that the probe itself works).
#pragma once

#include <string>
#include <vector>

namespace almanac::cloud {

struct ProbeChecks {
  std::vector<std::string> read_paths;   // files that must not be readable
  std::vector<std::string> write_paths;  // files that must not be creatable
  int connect_port = 0;                  // a TCP port on 127.0.0.1 that must not be reachable
  bool udp = false;                      // try to send a UDP datagram to 127.0.0.1
  bool ptrace = false;                   // try to attach to a child of its own
  int forks = 0;                         // try to have this many processes at once
  int allocate_mb = 0;                   // try to allocate and touch this much memory
  int fill_mb = 0;                       // try to write a file of this size in the space
};

// Runs the checks; returns 0 (the answers are on stdout).
int RunProbe(const ProbeChecks& checks);

}  // namespace almanac::cloud
