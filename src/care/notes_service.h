#pragma once
//! Progress notes: written on a template, pre-filled with the latest measures and the risk
//! status, saved as drafts (optimistic versions), signed and then locked; changes after signing
//! are addenda. A supervisee's signed note waits for their supervisor's co-signature.
//! Psychotherapy notes are their author's alone: to everyone else they do not exist. A group
//! note is written once and filed to each member's record with that member's own part only.

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "access/service.h"
#include "assessment/service.h"
#include "audit/service.h"
#include "care/notes_model.h"
#include "care/notes_rules.h"
#include "crisis/service.h"
#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/result.h"
#include "platform/sql/db.h"

namespace tend::care {

//! What a new note opens with.
struct NotePrefill {
  const NoteTemplate* note_template = nullptr;
  std::map<std::string, std::string> sections;
  std::vector<MeasureSummary> measures;
  RiskSummary risk;
};

//! The caller's notes that wait for them: their drafts unsigned a day after they were started,
//! and notes waiting for their co-signature.
struct NotesToSign {
  std::vector<Note> to_sign;
  std::vector<Note> to_cosign;
};

//! Who supervises whom: a supervisee's signed progress notes wait for the supervisor.
struct Supervision {
  std::string user_id;
  std::string supervisor_id;
  std::string supervisor_name;
};

//! A group note as filed: one note per member.
struct GroupNote {
  std::string group_id;
  std::vector<Note> notes;
};

//! Thread-safe; one per process.
class NoteService {
 public:
  NoteService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys, audit::AuditLog& audit,
              access::AccessService& access, assessment::AssessmentService& assessments,
              crisis::CrisisService& crisis, NoteTemplates templates);

  const NoteTemplates& templates() const { return templates_; }

  //! The sections of `template_id` pre-filled with the latest measures (each instrument's last
  //! result with its band and change since the previous) and the risk status (open alerts,
  //! risk flags of those results, the safety plan on file), for a new note on `client_id`.
  Result<NotePrefill> prefill(const access::Principal& p, const std::string& client_id,
                              const std::string& template_id);
  //! A draft: `{template, kind?, sections?, mse?, appointment_id?, episode_id?}`. A
  //! psychotherapy note is its author's alone from the start.
  Result<Note> create(const access::Principal& p, const std::string& client_id,
                      const boost::json::object& body);
  //! The client's notes the caller may read (progress notes, and their own psychotherapy
  //! notes), newest first, with their addenda.
  Result<std::vector<Note>> for_client(const access::Principal& p, const std::string& client_id);
  //! One note with its addenda. 404 when there is none the caller may read.
  Result<Note> get(const access::Principal& p, const std::string& id);
  //! Saves a draft: `{version, sections?, mse?, member_part?, appointment_id?, episode_id?}`;
  //! sections and examination domains given replace those held. 409 when signed (locked) or
  //! `version` is stale.
  Result<Note> save(const access::Principal& p, const std::string& id,
                    const boost::json::object& body);
  //! The author signs `{version}`: locked from now on; awaiting co-signature when the author
  //! has a supervisor (who must be on the client's care team).
  Result<Note> sign(const access::Principal& p, const std::string& id,
                    const boost::json::object& body);
  //! The supervisor co-signs `{version}`.
  Result<Note> cosign(const access::Principal& p, const std::string& id,
                      const boost::json::object& body);
  //! A change after signing: `{text}`, signed as written.
  Result<Note> add_addendum(const access::Principal& p, const std::string& id,
                            const boost::json::object& body);
  //! Deletes a draft (its author only).
  Status remove(const access::Principal& p, const std::string& id);
  //! The caller's drafts unsigned for a day and the notes waiting for their co-signature.
  Result<NotesToSign> waiting(const access::Principal& p);
  //! A group note: `{template, sections?, mse?, members: [{client_id, appointment_id?, text?}]}`
  //! (2 to 30 members on the caller's care teams), filed as one draft per member.
  Result<GroupNote> write_group(const access::Principal& p, const boost::json::object& body);

  //! Sets (`{supervisor_id}`) or clears (`{supervisor_id: null}`) the supervisor of a clinical
  //! staff member (admins only). Returns the supervisor's id, or empty when cleared.
  Result<std::string> set_supervisor(const access::Principal& p, const std::string& user_id,
                                     const boost::json::object& body);
  //! Every supervision set (admins only), by supervisee id; none for an account without one.
  Result<std::vector<Supervision>> supervisions(const access::Principal& p);

 private:
  //! The note's client, with the caller allowed `action`; 404 when unseen (psychotherapy notes
  //! of another author included).
  struct Owned {
    std::string client_id;
    std::string kind;
    access::Decision decision;
  };
  Result<Owned> owner_of(const access::Principal& p, const std::string& id, access::Action action);
  std::vector<Note> load_many(sql::Conn& c, const std::string& where, const sql::Params& params,
                              const std::string& order);
  std::optional<Note> load(sql::Conn& c, const std::string& id);
  std::string seal_body(const Note& n) const;
  //! Checks that `appointment_id` / `episode_id` (when not empty) belong to `client_id`.
  void check_links(sql::Conn& c, const std::string& client_id, const std::string& appointment_id,
                   const std::string& episode_id, const std::string& prefix,
                   std::vector<FieldError>& errors);
  //! The audit entry for a note: a psychotherapy note's entries name no client, so that the
  //! client's access log never shows that one exists.
  audit::NewEntry note_audit(const access::Principal& p, const std::string& action,
                             const std::string& id, const std::string& client_id,
                             const std::string& kind, const access::Decision& d) const;

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  access::AccessService& access_;
  assessment::AssessmentService& assessments_;
  crisis::CrisisService& crisis_;
  NoteTemplates templates_;
};

}  // namespace tend::care
