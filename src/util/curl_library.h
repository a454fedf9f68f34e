// libcurl, loaded when first needed. Only backups to S3/Azure and the
// upgrade check speak HTTP; linked, libcurl and the 25 libraries it pulls in
// were resolved at the start of every command (about 6 ms of a 15 ms
// `ketcd --version`), and a machine without libcurl could not run ketcd at all.
#pragma once

#include <curl/curl.h>

#include "util/status.h"

namespace ketcd {

// The functions ketcd calls, under libcurl's own names without the prefix.
struct CurlLibrary {
  CURLcode (*global_init)(long);
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  void (*easy_reset)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
};

// The system's libcurl (libcurl.so.4), loaded and globally initialised
// once; an error names the package to install.
Result<const CurlLibrary*> Curl();

// `soname` loaded and resolved (not initialised): Curl()'s work, apart for tests.
Result<CurlLibrary> LoadCurlLibrary(const char* soname);

}  // namespace ketcd
