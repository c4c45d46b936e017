// InstallCrashReport: on a fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) the process
// writes "almanac: fatal signal N (NAME), backtrace:" and the stack of the thread that faulted
// to standard error, then dies of the same signal (exit status and core dump as without it).
// Call it first in main(). Does nothing in sanitizer builds, which print better reports.
#pragma once

namespace almanac::cli {

void InstallCrashReport();

}  // namespace almanac::cli
