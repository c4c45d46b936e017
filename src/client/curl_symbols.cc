// The libcurl functions the client calls, loaded at the client's first request instead of at
// every start of the binary (core/lazy_library.h). Only http_client.cc calls them.
#define CURL_DISABLE_TYPECHECK  // curl_easy_setopt as a function, not curl's checking macro
#include <cstdarg>

#include <curl/curl.h>

#include "core/lazy_library.h"

namespace {
almanac::LazyLibrary curl_library(ALM_CURL_SONAME, "almanac client");
}  // namespace

ALM_LAZY_FUNCTION(curl_library, CURLcode, curl_global_init, (long flags), (flags))
ALM_LAZY_FUNCTION(curl_library, CURL*, curl_easy_init, (void), ())
ALM_LAZY_FUNCTION(curl_library, CURLcode, curl_easy_perform, (CURL * curl), (curl))
ALM_LAZY_FUNCTION(curl_library, void, curl_easy_cleanup, (CURL * curl), (curl))
ALM_LAZY_FUNCTION(curl_library, void, curl_easy_reset, (CURL * curl), (curl))
ALM_LAZY_FUNCTION(curl_library, const char*, curl_easy_strerror, (CURLcode code), (code))
ALM_LAZY_FUNCTION(curl_library, curl_slist*, curl_slist_append,
                  (curl_slist * list, const char* text), (list, text))
ALM_LAZY_FUNCTION(curl_library, void, curl_slist_free_all, (curl_slist * list), (list))
ALM_LAZY_FUNCTION(curl_library, CURLHcode, curl_easy_header,
                  (CURL * easy, const char* name, size_t index, unsigned int origin, int request,
                   curl_header** hout),
                  (easy, name, index, origin, request, hout))

// The two variadic functions take exactly one argument after the option, and every kind it can
// be (long, curl_off_t, a data or function pointer) travels in one 64-bit register on the
// ABIs Debian builds for: it is passed on unchanged as a pointer-sized word.
static_assert(sizeof(void*) == sizeof(long) && sizeof(curl_off_t) == sizeof(void*));

extern "C" CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...) {
  using Fn = CURLcode (*)(CURL*, CURLoption, ...);
  static const Fn fn = reinterpret_cast<Fn>(curl_library.Symbol("curl_easy_setopt"));
  va_list args;
  va_start(args, option);
  void* value = va_arg(args, void*);
  va_end(args);
  return fn(curl, option, value);
}

extern "C" CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...) {
  using Fn = CURLcode (*)(CURL*, CURLINFO, ...);
  static const Fn fn = reinterpret_cast<Fn>(curl_library.Symbol("curl_easy_getinfo"));
  va_list args;
  va_start(args, info);
  void* out = va_arg(args, void*);
  va_end(args);
  return fn(curl, info, out);
}
