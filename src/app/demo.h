#pragma once
//! A synthetic clinic for `tend demo`: staff, clients with varied demographics, care teams.
//! Every name, date and address is invented. Deterministic for a given seed.

#include <cstdint>
#include <string>
#include <vector>

#include "app/app.h"

namespace tend::app {

struct DemoOptions {
  std::uint64_t seed = 1;
  int clients = 200;
  std::string staff_password = "tend-demo-password";  //!< every demo staff account's password
};

struct DemoAccount {
  std::string username;
  std::string role;
  std::string display_name;
};

struct DemoSummary {
  std::vector<DemoAccount> staff;
  DemoAccount portal;  //!< a client's own portal account (same password)
  int clients = 0;
  std::string password;
};

//! Fills an empty database with the demo clinic. Conflict when it already has users.
Result<DemoSummary> generate_demo(App& app, const DemoOptions& options);

}  // namespace tend::app
