// libcurl initialisation and handle helpers shared by mail.cpp and webhook.cpp.

#include "platform/notify/curl_support.h"

#include <mutex>

namespace tend::notify::detail {

CURLcode curl_global_once() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result;
}

bool append(Slist& list, const std::string& item) {
  curl_slist* head = curl_slist_append(list.get(), item.c_str());
  if (head == nullptr) return false;  // the old list is untouched and still owned
  (void)list.release();
  list.reset(head);
  return true;
}

std::string curl_error_text(CURLcode code, const char* error_buffer) {
  if (error_buffer != nullptr && error_buffer[0] != '\0') return error_buffer;
  return curl_easy_strerror(code);
}

}  // namespace tend::notify::detail
