#include "cli/signals.h"

#include <pthread.h>
#include <signal.h>

namespace almanac::cli {
namespace {

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

StopOnSignal::StopOnSignal(std::function<void()> stop) {
  sigset_t set = StopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  waiter_ = std::thread([set, stop = std::move(stop), finished = finished_]() noexcept {
    int signal = 0;
    sigwait(&set, &signal);
    if (!*finished) stop();
  });
}

StopOnSignal::~StopOnSignal() { Finish(); }

void StopOnSignal::Finish() {
  if (!waiter_.joinable()) return;
  // Wake the waiter if no signal came (the server stopped by itself); it then does nothing.
  *finished_ = true;
  pthread_kill(waiter_.native_handle(), SIGTERM);
  waiter_.join();
}

}  // namespace almanac::cli
