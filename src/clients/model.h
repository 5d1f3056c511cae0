#pragma once
//! A client's record: who they are, how to reach them, and what they agreed to.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tend::clients {

//! Consent to be contacted, per channel. Nothing is sent on a channel without it.
struct ContactConsent {
  bool email = false;
  bool sms = false;
  bool phone = false;
  bool voicemail = false;
  bool post = false;
};

struct EmergencyContact {
  std::optional<std::string> name;
  std::optional<std::string> relationship;
  std::optional<std::string> phone;
};

struct Address {
  std::optional<std::string> line1, line2, city, region, postal_code, country;
};

struct Client {
  std::string id;
  std::string mrn;          //!< medical record number, unique in the service
  std::string given_name;   //!< legal given name
  std::string family_name;  //!< legal family name
  std::optional<std::string> preferred_name;
  std::optional<std::string> pronouns;
  std::string date_of_birth;  //!< YYYY-MM-DD
  std::optional<std::string> gender_identity;
  std::optional<std::string> sex;  //!< sex recorded at birth: female | male | intersex | unknown
  std::optional<std::string> language;  //!< BCP 47 tag ("en", "es-MX")
  bool interpreter_needed = false;
  std::optional<std::string> email;
  std::optional<std::string> phone;
  ContactConsent consent;
  EmergencyContact emergency_contact;
  Address address;
  std::optional<std::string> race;  //!< optional, self-described, for equity reporting
  std::optional<std::string> ethnicity;
  std::optional<std::string> funding_note;  //!< free text; encrypted at rest
  std::string status = "active";            //!< active | archived
  std::optional<std::int64_t> archived_at_ms;
  std::int64_t version = 1;  //!< bumped by every change (optimistic concurrency)
  std::string created_by;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

//! One row of a search result: enough to pick the right person, no more.
struct ClientSummary {
  std::string id;
  std::string mrn;
  std::string given_name;
  std::string family_name;
  std::optional<std::string> preferred_name;
  std::optional<std::string> pronouns;
  std::string date_of_birth;
  std::string status;
  bool on_my_team = false;
};

struct SearchQuery {
  std::optional<std::string> q;              //!< name prefix (given, family or preferred)
  std::optional<std::string> date_of_birth;  //!< exact YYYY-MM-DD
  std::optional<std::string> identifier;     //!< exact MRN
  bool include_archived = false;
  bool mine = false;                  //!< only clients on the caller's care team
  int limit = 25;                     //!< 1..100
  std::optional<std::string> cursor;  //!< from a previous page's next_cursor
};

struct SearchPage {
  std::vector<ClientSummary> items;
  std::optional<std::string> next_cursor;
};

}  // namespace tend::clients
