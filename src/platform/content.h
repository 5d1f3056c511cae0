#pragma once
//! The files under content/ (instruments, and other data a service can extend), built into
//! the binary so one file is the whole installation.

#include <string_view>
#include <vector>

namespace tend::content {

struct File {
  std::string_view path;  //!< relative to content/, e.g. "instruments/phq-9.json"
  std::string_view text;
};

//! Every embedded file, sorted by path.
const std::vector<File>& embedded();

}  // namespace tend::content
