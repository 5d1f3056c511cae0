#pragma once
//! Values of diagnoses and the medication list: the code list diagnoses are chosen from, a
//! client's diagnoses with their history, and psychiatric medications with theirs.
//! Plain data, no behaviour.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tend::care {

//! One entry of the code list (ICD-10-CM, content/codes/icd10cm.tsv).
struct Code {
  std::string code;       //!< with the dot: "F32.A", "Z63.0"; a category: "F32"
  bool billable = false;  //!< valid for coding; false for a category header
  std::string title;      //!< CMS's long title
};

//! A change of a diagnosis, as recorded (the first is its making: from empty).
struct DiagnosisChange {
  std::string from_status;  //!< empty for the first
  std::string to_status;
  std::string from_rank;  //!< empty for the first
  std::string to_rank;
  std::string note;  //!< decrypted; empty when none
  std::string by;    //!< user id
  std::int64_t at_ms = 0;
};

//! A diagnosis on a client's record.
struct Diagnosis {
  std::string id;
  std::string client_id;
  std::string code;
  std::string title;                   //!< as the code list gave it when diagnosed
  std::string rank = "secondary";      //!< primary | secondary
  std::string status = "provisional";  //!< provisional | confirmed | resolved | ruled_out |
                                       //!< entered_in_error
  std::string diagnosed_on;            //!< "YYYY-MM-DD"
  std::string diagnosed_by;            //!< user id of the clinician
  std::string diagnosed_by_name;
  std::string note;                      //!< decrypted
  std::vector<DiagnosisChange> history;  //!< oldest first
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t version = 1;
};

//! A start, dose change or stop of a medication, as recorded.
struct MedicationChange {
  std::string kind;  //!< start | dose | stop
  std::string on;    //!< "YYYY-MM-DD", the day it took effect
  std::string dose;
  std::string frequency;
  std::string reason;  //!< decrypted
  std::string by;      //!< user id of the prescriber
  std::string by_name;
  std::int64_t at_ms = 0;
};

//! A psychiatric medication, current (no stop date) or past.
struct Medication {
  std::string id;
  std::string client_id;
  std::string name;  //!< decrypted; free text ("sertraline")
  std::string dose;  //!< "50 mg"
  std::string route;
  std::string frequency;  //!< "once daily"
  std::string started_on;
  std::optional<std::string> stopped_on;
  std::string reason;                     //!< decrypted; why it was started
  std::vector<MedicationChange> changes;  //!< oldest first
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t version = 1;
};

}  // namespace tend::care
