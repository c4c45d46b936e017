#include "cli/crash_report.h"

#include <cstring>

#include <execinfo.h>
#include <signal.h>
#include <unistd.h>

namespace almanac::cli {
namespace {

constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

void WriteAll(const char* text) {
  size_t left = std::strlen(text);
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, text, left);
    if (n <= 0) return;
    text += n;
    left -= static_cast<size_t>(n);
  }
}

// Only async-signal-safe calls from here on (backtrace() was called once at install time, so
// it does not load libgcc_s inside the handler).
void OnFatalSignal(int signal) {
  char number[16];
  int i = static_cast<int>(sizeof number) - 1;
  number[i] = '\0';
  int value = signal;
  do {
    number[--i] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 && i > 0);
  WriteAll("almanac: fatal signal ");
  WriteAll(number + i);
  WriteAll(" (");
  WriteAll(sigabbrev_np(signal) ? sigabbrev_np(signal) : "?");
  WriteAll("), backtrace:\n");
  void* frames[64];
  int depth = ::backtrace(frames, 64);
  ::backtrace_symbols_fd(frames, depth, STDERR_FILENO);
  // SA_RESETHAND restored the default action: returning re-runs the faulting instruction (or,
  // for a signal sent by kill/abort, raising it again) and the process dies of it.
  ::raise(signal);
}

}  // namespace

void InstallCrashReport() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return;
#else
  void* warm[1];
  ::backtrace(warm, 1);
  // Its own stack, so that a stack overflow can still be reported.
  static char alternate_stack[64 * 1024];
  stack_t stack{};
  stack.ss_sp = alternate_stack;
  stack.ss_size = sizeof alternate_stack;
  ::sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_handler = OnFatalSignal;
  action.sa_flags = SA_RESETHAND | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (int signal : kFatalSignals) ::sigaction(signal, &action, nullptr);
#endif
}

}  // namespace almanac::cli
