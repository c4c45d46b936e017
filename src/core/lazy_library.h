#pragma once

// A shared library loaded at its first use instead of at exec (docs/performance.md, "Startup").
// libcurl (the client), libgit2 and utf8proc (git-history) pull in ~30 libraries that
// `almanac serve` never calls; linked normally, every server pays for mapping and relocating
// them at each start (~20 ms here) and keeps their relocated pages as private memory. Their
// functions are defined instead by small forwarding stubs (client/curl_symbols.cc,
// history/git2_symbols.cc) that find the real function here on first call.

#include <mutex>
#include <string>

namespace almanac {

class LazyLibrary {
 public:
  // `soname` as dlopen takes it ("libcurl.so.4"); `needed_by` names the command in the message
  // printed when it is missing.
  LazyLibrary(const char* soname, const char* needed_by) : soname_(soname), needed_by_(needed_by) {}
  LazyLibrary(const LazyLibrary&) = delete;
  LazyLibrary& operator=(const LazyLibrary&) = delete;

  // The address of `name` in the library, loading it on first use. A library or symbol that
  // cannot be found is an installation error: a message on stderr and exit status 1.
  void* Symbol(const char* name);

 private:
  const char* soname_;
  const char* needed_by_;
  std::once_flag once_;
  void* handle_ = nullptr;
  std::string error_;  // dlerror() of a failed dlopen
};

}  // namespace almanac

// Defines the C function NAME(PARAMS) as a call of the library's own NAME(ARGS); the address
// is looked up once (a function-local static).
#define ALM_LAZY_FUNCTION(library, ret, name, params, args)             \
  extern "C" ret name params {                                          \
    using Fn = ret(*) params;                                           \
    static const Fn fn = reinterpret_cast<Fn>((library).Symbol(#name)); \
    return fn args;                                                     \
  }
