#pragma once
//! What the SMTP and webhook senders share of libcurl: process-wide initialisation and owning
//! handles. Internal to src/platform/notify.

#include <curl/curl.h>

#include <memory>
#include <string>

namespace tend::notify::detail {

//! Calls curl_global_init(CURL_GLOBAL_DEFAULT) the first time (std::call_once) and returns its
//! result every time. Thread-safe. Never undone: senders may run until the process exits.
CURLcode curl_global_once();

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
//! An owned curl easy handle. One per transfer, so senders are thread-safe.
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
//! An owned curl string list (recipients, headers, resolve entries).
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

//! Appends a copy of `item` to `list`; false when curl could not allocate.
bool append(Slist& list, const std::string& item);

//! curl's own description of a failure: the error buffer's text when curl filled it, else
//! curl_easy_strerror(code).
std::string curl_error_text(CURLcode code, const char* error_buffer);

}  // namespace tend::notify::detail
