#include "core/lazy_library.h"

#include <cstdio>
#include <cstdlib>

#include <dlfcn.h>

namespace almanac {

void* LazyLibrary::Symbol(const char* name) {
  std::call_once(once_, [this] {
    handle_ = ::dlopen(soname_, RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) error_ = ::dlerror();
  });
  if (handle_ == nullptr) {
    std::fprintf(stderr, "Error: %s needs %s, which could not be loaded: %s\n", needed_by_, soname_,
                 error_.c_str());
    std::exit(1);
  }
  void* symbol = ::dlsym(handle_, name);
  if (symbol == nullptr) {
    std::fprintf(stderr, "Error: %s has no function %s (%s is needed by %s)\n", soname_, name,
                 soname_, needed_by_);
    std::exit(1);
  }
  return symbol;
}

}  // namespace almanac
