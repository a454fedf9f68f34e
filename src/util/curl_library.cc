#include "util/curl_library.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace ketcd {
namespace {

template <typename Function>
bool Resolve(void* handle, const char* name, Function*& function) {
  function = reinterpret_cast<Function*>(dlsym(handle, name));
  return function != nullptr;
}

}  // namespace

Result<CurlLibrary> LoadCurlLibrary(const char* soname) {
  // Never unloaded: libcurl keeps global state (its TLS library's) for the process.
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Unavailable(std::string("HTTP needs libcurl (Debian package libcurl4), which could not be loaded: ") +
                       (why != nullptr ? why : soname));
  }
  CurlLibrary curl{};
  const bool complete = Resolve(handle, "curl_global_init", curl.global_init) &&
                        Resolve(handle, "curl_easy_init", curl.easy_init) &&
                        Resolve(handle, "curl_easy_cleanup", curl.easy_cleanup) &&
                        Resolve(handle, "curl_easy_reset", curl.easy_reset) &&
                        Resolve(handle, "curl_easy_setopt", curl.easy_setopt) &&
                        Resolve(handle, "curl_easy_perform", curl.easy_perform) &&
                        Resolve(handle, "curl_easy_getinfo", curl.easy_getinfo) &&
                        Resolve(handle, "curl_easy_strerror", curl.easy_strerror) &&
                        Resolve(handle, "curl_slist_append", curl.slist_append) &&
                        Resolve(handle, "curl_slist_free_all", curl.slist_free_all);
  if (!complete) {
    const std::string why = dlerror();
    dlclose(handle);
    return Unavailable(std::string(soname) + " is not a usable libcurl: " + why);
  }
  return curl;
}

Result<const CurlLibrary*> Curl() {
  // curl_global_init is not thread-safe; this static's initialisation is.
  static const Result<CurlLibrary> loaded = []() -> Result<CurlLibrary> {
    Result<CurlLibrary> curl = LoadCurlLibrary("libcurl.so.4");
    if (curl.ok() && curl->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      return Unavailable("libcurl could not start");
    }
    return curl;
  }();
  if (!loaded.ok()) return loaded.status();
  return &*loaded;
}

}  // namespace ketcd
