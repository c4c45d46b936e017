#include "db/trace.h"

#include <chrono>

namespace almanac::db {
namespace {

thread_local RequestTrace* current_trace = nullptr;

}  // namespace

void RequestTrace::Add(TraceEntry entry) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.push_back(std::move(entry));
}

std::vector<TraceEntry> RequestTrace::entries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_;
}

TraceScope::TraceScope(RequestTrace* trace) : previous_(current_trace) { current_trace = trace; }

TraceScope::~TraceScope() { current_trace = previous_; }

RequestTrace* CurrentTrace() { return current_trace; }

double TraceClockSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace almanac::db
