#include "app/demo.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <random>

#include "app/demo_check_ins.h"
#include "app/demo_diagnoses.h"
#include "app/demo_messages.h"

namespace tend::app {

namespace {

// Invented people. Names are common given and family names from many backgrounds, combined at
// random, so no record describes a real person.
struct Culture {
  const char* language;
  std::vector<const char*> female;
  std::vector<const char*> male;
  std::vector<const char*> family;
  const char* ethnicity;
};

const std::vector<Culture>& cultures() {
  static const std::vector<Culture> v = {
      {"en",
       {"Emma", "Olivia", "Grace", "Hannah", "Chloe", "Abigail", "Megan", "Rachel"},
       {"Liam", "Noah", "Ethan", "Owen", "Caleb", "Dylan", "Ryan", "Tyler"},
       {"Smith", "Johnson", "Walker", "Bennett", "Foster", "Hughes", "Sullivan", "Parker"},
       "Not Hispanic or Latino"},
      {"es",
       {"Sofía", "Valentina", "Camila", "Lucía", "Mariana", "Gabriela", "Ximena"},
       {"Mateo", "Santiago", "Diego", "Alejandro", "Javier", "Emiliano", "Carlos"},
       {"García", "Hernández", "López", "Martínez", "Ramírez", "Flores", "Torres", "Castillo"},
       "Hispanic or Latino"},
      {"vi",
       {"Linh", "Mai", "Thảo", "Hương", "Ngọc"},
       {"Minh", "Huy", "Quang", "Tuấn", "Khoa"},
       {"Nguyễn", "Trần", "Lê", "Phạm", "Võ"},
       "Not Hispanic or Latino"},
      {"ar",
       {"Layla", "Noor", "Yasmin", "Amira", "Rania"},
       {"Omar", "Karim", "Yusuf", "Samir", "Tariq"},
       {"Haddad", "Khalil", "Mansour", "Nasser", "Saleh"},
       "Not Hispanic or Latino"},
      {"zh",
       {"Mei", "Xiu", "Ling", "Yan", "Hui"},
       {"Wei", "Jian", "Hao", "Lei", "Bo"},
       {"Chen", "Wang", "Liu", "Zhang", "Huang"},
       "Not Hispanic or Latino"},
      {"so",
       {"Hodan", "Ayaan", "Fadumo", "Sahra"},
       {"Abdi", "Mohamed", "Hassan", "Farah"},
       {"Warsame", "Abdullahi", "Hirsi", "Omar"},
       "Not Hispanic or Latino"},
      {"en",
       {"Aaliyah", "Imani", "Jasmine", "Keisha", "Zora"},
       {"Darnell", "Malik", "Andre", "Jamal", "Terrence"},
       {"Washington", "Jefferson", "Banks", "Okafor", "Mensah"},
       "Not Hispanic or Latino"},
      {"pt",
       {"Ana", "Beatriz", "Larissa", "Juliana"},
       {"João", "Pedro", "Rafael", "Thiago"},
       {"Silva", "Santos", "Oliveira", "Souza"},
       "Hispanic or Latino"},
      {"en",
       {"Aroha", "Kiri", "Talia"},
       {"Tama", "Nikau", "Keoni"},
       {"Kahale", "Makoa", "Tipene"},
       "Not Hispanic or Latino"},
  };
  return v;
}

const std::array<const char*, 9> k_race_by_culture = {"White",
                                                      "White",
                                                      "Asian",
                                                      "White",
                                                      "Asian",
                                                      "Black or African American",
                                                      "Black or African American",
                                                      "White",
                                                      "Native Hawaiian or Other Pacific Islander"};

struct Place {
  const char* city;
  const char* region;
  const char* postal;
};
constexpr std::array<Place, 6> k_places = {{{"Riverside", "North County", "97001"},
                                            {"Millbrook", "North County", "97003"},
                                            {"Harbor Point", "Coastal District", "97101"},
                                            {"East Valley", "Valley Region", "97205"},
                                            {"Hillcrest", "Valley Region", "97210"},
                                            {"Cedar Falls", "Rural East", "97330"}}};

constexpr std::array<const char*, 8> k_streets = {"Maple Ave",  "Oak St",   "River Rd", "Elm Ct",
                                                  "Harbor Way", "Cedar Ln", "Hill St",  "Pine Dr"};
constexpr std::array<const char*, 5> k_relationships = {"mother", "partner", "sister", "friend",
                                                        "son"};
constexpr std::array<const char*, 5> k_funding = {"Medicaid", "Private insurance (employer plan)",
                                                  "Sliding scale fee", "University student plan",
                                                  "County mental health grant"};

struct StaffSpec {
  const char* username;
  access::Role role;
  const char* name;
};
constexpr std::array<StaffSpec, 9> k_staff = {{
    {"admin", access::Role::Admin, "Morgan Reyes"},
    {"c.okafor", access::Role::Clinician, "Chidi Okafor, PhD"},
    {"s.lindqvist", access::Role::Clinician, "Sofia Lindqvist, LCSW"},
    {"m.haddad", access::Role::Clinician, "Maya Haddad, PsyD"},
    {"j.nguyen", access::Role::Prescriber, "Jun Nguyen, MD"},
    {"r.tanaka", access::Role::CareManager, "Rin Tanaka, RN"},
    {"d.walker", access::Role::PeerSupport, "Dana Walker"},
    {"l.park", access::Role::FrontDesk, "Lee Park"},
    {"p.raman", access::Role::Analyst, "Priya Raman"},
}};

template <class T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& v) {
  return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
}
template <class T, std::size_t N>
const T& pick(std::mt19937_64& rng, const std::array<T, N>& v) {
  return v[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}
bool chance(std::mt19937_64& rng, double p) {
  return std::bernoulli_distribution(p)(rng);
}

std::string phone(std::mt19937_64& rng) {
  // 555-01xx numbers are reserved for fiction.
  return "+1 541 555 01" + std::to_string(10 + std::uniform_int_distribution<int>(0, 89)(rng));
}

std::string ascii_handle(std::string s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalpha(ch)) out += static_cast<char>(std::tolower(ch));
  }
  return out.empty() ? "client" : out;
}

}  // namespace

namespace {

//! Item answers (0..3 each) adding up to `total` over `items` items; the suicide item (the last
//! of the PHQ-9) is kept at 0 unless `last_item` says otherwise.
assessment::Answers spread(std::mt19937_64& rng, int total, int items, int last_item = -1) {
  assessment::Answers a;
  std::vector<int> v(static_cast<std::size_t>(items), 0);
  const int fixed = last_item >= 0 ? 1 : 0;
  if (last_item >= 0) v.back() = last_item;
  int left = std::clamp(total - std::max(0, last_item), 0, 3 * (items - fixed));
  while (left > 0) {
    auto& x = v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1 - fixed)(rng)];
    if (x < 3) {
      ++x;
      --left;
    }
  }
  for (int i = 0; i < items; ++i) a["q" + std::to_string(i + 1)] = v[static_cast<std::size_t>(i)];
  return a;
}

//! A course of PHQ-9 and GAD-7 results every two weeks: most clients improve, some do not, a
//! few get worse; some are on a schedule that is now overdue.
void demo_measures(App& app, std::mt19937_64& rng, const access::Principal& by,
                   const std::string& client_id, bool always) {
  // The portal's client always has results: their plan's objectives show progress from them.
  if (!chance(rng, 0.65) && !always) return;
  const int n = std::uniform_int_distribution<int>(2, 8)(rng);
  const double course = std::discrete_distribution<int>({65, 25, 10})(rng);  // better, same, worse
  const double slope = course == 0 ? -1.6 : course == 1 ? -0.3 : 0.9;
  const int phq0 = std::uniform_int_distribution<int>(8, 22)(rng);
  const int gad0 = std::clamp(phq0 + std::uniform_int_distribution<int>(-5, 3)(rng), 4, 21);
  const auto now = std::chrono::system_clock::now();
  std::optional<std::string> started;
  const int overdue_days = chance(rng, 0.3) ? std::uniform_int_distribution<int>(4, 20)(rng) : 0;
  for (int k = 0; k < n; ++k) {
    const auto when = now - std::chrono::hours(24 * (14 * (n - 1 - k) + overdue_days + 1));
    const std::int64_t ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
    if (!started) started = format_date(when);
    const double noise = std::normal_distribution<double>(0, 1.5)(rng);
    const int phq =
        std::clamp(static_cast<int>(std::lround(phq0 + slope * k * 1.2 + noise)), 0, 27);
    const int gad = std::clamp(static_cast<int>(std::lround(gad0 + slope * k + noise)), 0, 21);
    const int item9 = phq >= 18 && chance(rng, 0.3) ? 1 : 0;
    for (const auto& [id, answers] : {std::pair{std::string("phq-9"), spread(rng, phq, 9, item9)},
                                      std::pair{std::string("gad-7"), spread(rng, gad, 7)}}) {
      assessment::Submission s;
      s.instrument = id;
      s.answers = answers;
      s.completed_at_ms = ms;
      s.rater = chance(rng, 0.5) ? assessment::Rater::Self : assessment::Rater::Clinician;
      (void)app.assessments().submit(by, client_id, s);
    }
  }
  if (chance(rng, 0.8)) {
    for (const char* id : {"phq-9", "gad-7"}) {
      (void)app.assessments().add_schedule(by, client_id, id, 14, started, std::nullopt);
    }
  }
}

//! A discharge summary and relapse prevention plan, when the episode was discharged.
void demo_discharge(App& app, const access::Principal& by, const std::string& episode_id) {
  namespace bj = boost::json;
  (void)app.discharges().save(
      by, episode_id,
      bj::object{
          {"version", 0},
          {"reason", "Treatment goals met; agreed to end sessions."},
          {"what_helped", "Activity scheduling and working on sleep."},
          {"recommendations", "Primary care to repeat the PHQ-9 in three months."},
          {"relapse",
           bj::object{
               {"warning_signs", bj::array{"Staying in bed past ten",
                                           "Cancelling plans with friends", "Skipping meals"}},
               {"what_helps", bj::array{"A walk every morning", "Keeping the same bedtime",
                                        "Telling my sister how I feel"}},
               {"contacts",
                bj::array{"My sister Sam", "Primary care office", "The crisis line in the portal"}},
               {"coming_back",
                "Call the service and ask for a review: no new "
                "referral is needed for a year."}}}});
}

//! The portal client's treatment plan, agreed in the portal.
void demo_plan(App& app, const access::Principal& by, const access::Principal& client,
               const std::string& client_id) {
  namespace bj = boost::json;
  const auto now = std::chrono::system_clock::now();
  const auto day = [&](int days_on) { return format_date(now + std::chrono::hours(24 * days_on)); };
  auto plan = app.plans().create(
      by, client_id,
      bj::object{
          {"problems", bj::array{bj::object{{"text", "Depressive symptoms with low activity"}},
                                 bj::object{{"text", "Broken sleep"}}}},
          {"goals", bj::array{bj::object{{"text", "I want to feel like myself again"}},
                              bj::object{{"text", "Get back to my evening class"}}}},
          {"objectives", bj::array{bj::object{{"text", "Mood improves"},
                                              {"target_on", day(70)},
                                              {"instrument_id", "phq-9"},
                                              {"comparison", "below"},
                                              {"target", 10}},
                                   bj::object{{"text", "Out of the house on five days a week"},
                                              {"target_on", day(42)}}}},
          {"interventions",
           bj::array{
               bj::object{{"code", "cbt"}, {"frequency", "weekly"}, {"delivered_by", by.user_id}},
               bj::object{{"code", "sleep"},
                          {"frequency", "every two weeks"},
                          {"delivered_by", by.user_id}}}},
          {"review_on", day(21)}});
  if (!plan) return;
  (void)app.plans().agree(client, plan->plan.id, bj::object{{"version", 1}});
}

//! One episode of care: referred some weeks or months ago; most in treatment, some still
//! waiting (on the waitlist, or seen at intake and waiting for treatment), some ended.
void demo_episode(App& app, std::mt19937_64& rng, const access::Principal& by,
                  const std::string& client_id, int age) {
  namespace bj = boost::json;
  static const std::vector<std::string> adult = {"Adult counselling", "Adult counselling",
                                                 "Anxiety and depression", "Trauma service"};
  const std::string program = age < 18 ? "Young people's service" : pick(rng, adult);
  static const std::vector<std::string> sources = {
      "primary care",         "primary care",      "self",     "self",
      "emergency department", "school or college", "employer", "another service"};
  static const std::vector<std::string> reasons = {
      "Low mood and poor sleep for several months.",    "Panic attacks; avoiding work.",
      "Nightmares and flashbacks after an assault.",    "Worry that will not switch off.",
      "Grief after a bereavement; not coping at home.", "Drinking more to get through the week."};
  const auto now = std::chrono::system_clock::now();
  const auto day = [&](int days_ago) {
    return format_date(now - std::chrono::hours(24 * days_ago));
  };
  const int referred = std::uniform_int_distribution<int>(20, 300)(rng);
  auto e = app.episodes().open(by, client_id,
                               bj::object{{"program", program},
                                          {"referral_source", pick(rng, sources)},
                                          {"referral_reason", pick(rng, reasons)},
                                          {"referred_on", day(referred)}});
  if (!e) return;
  // Where it got to: 0 referred, 1 waitlist, 2 intake, 3 in treatment, 4 discharged.
  const int reach = std::discrete_distribution<int>({5, 12, 8, 55, 20})(rng);
  int at = referred;
  std::int64_t version = e->version;
  const auto step = [&](const char* stage, int after_min, int after_max) {
    at = std::max(0, at - std::uniform_int_distribution<int>(after_min, after_max)(rng));
    auto r = app.episodes().step(
        by, e->id, bj::object{{"stage", stage}, {"on", day(at)}, {"version", version}});
    if (r) version = r->version;
    return r.ok();
  };
  // Appointments: the first at intake, the second when treatment began (the wait between them
  // is the hidden one), then for those in treatment a weekly series from next week.
  const auto session = [&](int days_ago, int hour) {
    const std::string start =
        day(days_ago) + "T" + (hour < 10 ? "0" : "") + std::to_string(hour) + ":00:00Z";
    TimePoint t;
    if (!parse_rfc3339(start, t)) return;
    auto a = app.appointments().book(
        by, client_id,
        bj::object{{"starts_at", start},
                   {"ends_at", format_rfc3339(t + std::chrono::minutes(50))},
                   {"room", "Room " + std::to_string(1 + hour % 3)}});
    if (a) {
      (void)app.appointments().set_status(by, a->id,
                                          bj::object{{"status", "attended"}, {"version", 1}});
    }
  };
  const int hour = std::uniform_int_distribution<int>(9, 16)(rng);
  if (reach >= 1 && !step("waitlist", 0, 3)) return;
  if (reach >= 2 && !step("intake", 7, 45)) return;
  if (reach >= 2) session(at, hour);
  if (reach >= 3 && !step("active", 3, 40)) return;
  if (reach >= 3) session(at, hour);
  if (reach == 3) {
    // Weekly from next week, at the same time.
    const std::string start = day(-7 - static_cast<int>(rng() % 5)) + "T" + (hour < 10 ? "0" : "") +
                              std::to_string(hour) + ":00:00Z";
    TimePoint t;
    if (parse_rfc3339(start, t)) {
      (void)app.appointments().book_series(
          by, client_id,
          bj::object{{"starts_at", start},
                     {"ends_at", format_rfc3339(t + std::chrono::minutes(50))},
                     {"room", "Room " + std::to_string(1 + hour % 3)},
                     {"repeat", bj::object{{"every_weeks", 1}, {"count", 6}}}});
    }
  }
  if (reach >= 4) step("discharged", 40, 120);
  if (reach >= 4) demo_discharge(app, by, e->id);
  // Some follow-up tasks: a review coming up, a call a few days overdue.
  if (reach >= 2 && reach <= 3 && chance(rng, 0.25)) {
    const bool call = chance(rng, 0.5);
    const int due = call ? std::uniform_int_distribution<int>(-3, 5)(rng)
                         : -std::uniform_int_distribution<int>(1, 21)(rng);
    (void)app.tasks().create(
        by, client_id,
        bj::object{{"kind", call ? "call" : "review"},
                   {"title", call ? "Call to see how the first sessions are going"
                                  : "Review the treatment plan together"},
                   {"due_on", day(due)}});
  }
}

//! A Stanley-Brown safety plan the portal client wrote with their clinician.
void demo_safety_plan(App& app, const access::Principal& by, const std::string& client_id) {
  namespace bj = boost::json;
  bj::object sections{
      {"warning_signs",
       bj::array{"Lying awake after midnight going over the same thoughts",
                 "Cancelling plans with friends", "Thinking \"nobody would notice\""}},
      {"coping_strategies",
       bj::array{"Walk around the block with headphones on", "Cold water on my face, slow breaths",
                 "Write the thought down and answer it like I would for a friend"}},
      {"distractions", bj::array{"The library café on Main Street",
                                 "Call my cousin to talk football", "Climbing gym on Thursdays"}},
      {"people_to_ask", bj::array{"My sister — she knows about this plan", "My flatmate"}},
      {"professionals",
       bj::array{bj::object{{"name", "My clinician at the clinic"}, {"phone", "555-0142"}},
                 bj::object{{"name", "988 Suicide & Crisis Lifeline"}, {"phone", "988"}}}},
      {"safe_environment", bj::array{"Medication kept by my sister; she brings a week at a time"}},
      {"reasons_for_living", bj::array{"My niece's birthday in spring",
                                       "Finishing the course I started", "My dog, Pepper"}},
  };
  (void)app.crisis().save_safety_plan(by, client_id,
                                      bj::object{{"version", 0}, {"sections", sections}});
}

//! Progress notes: a signed note after each of the last sessions, on each of the templates in
//! turn, pre-filled as a clinician would open one; for some clients also a draft left unsigned
//! for two days, so "Notes to sign" has something to show.
void demo_notes(App& app, std::mt19937_64& rng, const access::Principal& by,
                const std::string& client_id, bool unsigned_draft) {
  static const std::array<const char*, 4> k_subjective = {
      "Reports sleeping better most nights; still low in the mornings.",
      "Talked about a difficult week at work and using the breathing exercise twice.",
      "Says the walks with a friend have helped; some worry about money.",
      "Reports feeling more settled; managed the family visit without an argument."};
  static const std::array<const char*, 3> k_plan = {
      "Continue behavioural activation; review the activity diary next session.",
      "Practise the thought record twice this week; next session in two weeks.",
      "Keep the sleep routine; repeat the measures at the next session."};
  static const std::array<const char*, 3> k_templates = {"soap", "dap", "birp"};
  const int signed_notes = std::uniform_int_distribution<int>(1, 3)(rng);
  for (int n = 0; n < signed_notes + (unsigned_draft ? 1 : 0); ++n) {
    const std::string t = k_templates[static_cast<std::size_t>(n) % k_templates.size()];
    auto pre = app.notes().prefill(by, client_id, t);
    if (!pre) continue;
    boost::json::object sections;
    for (const auto& [k, v] : pre->sections) sections[k] = v;
    sections[pre->note_template->sections.front().id] = pick(rng, k_subjective);
    sections[pre->note_template->sections.back().id] = pick(rng, k_plan);
    auto note = app.notes().create(
        by, client_id,
        {{"template", t},
         {"sections", sections},
         {"mse",
          boost::json::object{
              {"mood", boost::json::object{{"choices", boost::json::array{"low"}}}},
              {"speech",
               boost::json::object{{"choices", boost::json::array{"normal rate and volume"}}}},
              {"insight", boost::json::object{{"choices", boost::json::array{"good"}}}}}}});
    if (!note) continue;
    if (n == signed_notes) {
      // Left unsigned two days ago.
      const auto two_days_ago = unix_ms(std::chrono::system_clock::now() - std::chrono::hours(48));
      app.db().write([&](sql::Conn& c) {
        c.exec("UPDATE care_notes SET created_at = ?, updated_at = ? WHERE id = ?",
               {two_days_ago, two_days_ago, note->id});
      });
      continue;
    }
    (void)app.notes().sign(by, note->id, {{"version", note->version}});
  }
}

//! The crisis side of the demo: an on-call roster and a supervisor; past alerts (raised by the
//! demo's item-9 answers) answered and resolved, with caring contacts, except the latest two:
//! one acknowledged and in hand, one still waiting, so the board and the banner have something
//! to show.
Status demo_crisis(App& app, const access::Principal& admin,
                   const std::vector<access::Principal>& clinicians) {
  namespace bj = boost::json;
  const bj::array every_day{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  const bj::array weekdays{"mon", "tue", "wed", "thu", "fri"};
  const std::vector<bj::object> roster = {
      {{"kind", "on_call"},
       {"user_id", clinicians[1].user_id},
       {"time_zone", "UTC"},
       {"weekly", bj::object{{"days", weekdays}, {"start", "09:00"}, {"end", "17:00"}}}},
      {{"kind", "on_call"},
       {"user_id", clinicians[2].user_id},
       {"time_zone", "UTC"},
       {"weekly", bj::object{{"days", every_day}, {"start", "17:00"}, {"end", "09:00"}}}},
      {{"kind", "on_call"},
       {"user_id", clinicians[2].user_id},
       {"time_zone", "UTC"},
       {"weekly",
        bj::object{{"days", bj::array{"sat", "sun"}}, {"start", "09:00"}, {"end", "17:00"}}}},
      {{"kind", "supervisor"},
       {"user_id", clinicians[0].user_id},
       {"time_zone", "UTC"},
       {"weekly", bj::object{{"days", every_day}, {"start", "00:00"}, {"end", "00:00"}}}},
  };
  for (const auto& e : roster) {
    if (auto r = app.crisis().add_roster_entry(admin, e); !r) return r.error();
  }
  auto open = app.db().read([](sql::Conn& c) {
    std::vector<std::pair<std::string, std::string>> out;  // alert, primary clinician
    for (const auto& r :
         c.query("SELECT a.id, t.user_id FROM crisis_alerts a JOIN care_team t "
                 "ON t.client_id = a.client_id AND t.team_role = 'primary_clinician' "
                 "WHERE a.status <> 'resolved' ORDER BY a.opened_at, a.id")) {
      out.emplace_back(r.str(0), r.str(1));
    }
    return out;
  });
  for (std::size_t i = 0; i < open.size(); ++i) {
    const auto by = std::find_if(clinicians.begin(), clinicians.end(),
                                 [&](const auto& p) { return p.user_id == open[i].second; });
    if (by == clinicians.end()) continue;
    if (i + 1 == open.size()) break;  // the latest waits for someone to answer it
    if (auto a = app.crisis().acknowledge(*by, open[i].first); !a) return a.error();
    if (i + 2 == open.size()) break;  // the one before it is in hand
    auto r = app.crisis().resolve(
        *by, open[i].first,
        bj::object{{"outcome", i % 3 == 0 ? "safety_plan_reviewed" : "contacted_client"},
                   {"note", "Spoke by phone the same day; safe, plan reviewed together."}});
    if (!r) return r.error();
  }
  return ok_status();
}

}  // namespace

Result<DemoSummary> generate_demo(App& app, const DemoOptions& o) {
  auto existing = app.access().list_users(access::system_principal("demo"), "");
  if (!existing) return existing.error();
  if (!existing->empty())
    return make_error(Errc::Conflict,
                      "the data directory already has accounts; use an empty one for the demo");

  std::mt19937_64 rng(o.seed);
  DemoSummary summary;
  summary.password = o.staff_password;
  std::vector<access::Principal> clinicians;
  access::Principal admin, desk, prescriber, care_manager, peer;
  for (const auto& s : k_staff) {
    access::NewUser nu;
    nu.username = s.username;
    nu.display_name = s.name;
    nu.role = s.role;
    nu.password = o.staff_password;
    nu.email = std::string(s.username) + "@clinic.example.org";
    auto u = app.access().create_user(access::system_principal("demo"), nu);
    if (!u) return u.error();
    summary.staff.push_back(
        {u->username, std::string(access::role_name(u->role)), u->display_name});
    access::Principal p;
    p.user_id = u->id;
    p.username = u->username;
    p.role = u->role;
    p.request_id = "demo";
    if (s.role == access::Role::Clinician) clinicians.push_back(p);
    if (s.role == access::Role::FrontDesk) desk = p;
    if (s.role == access::Role::Admin) admin = p;
    if (s.role == access::Role::Prescriber) prescriber = p;
    if (s.role == access::Role::CareManager) care_manager = p;
    if (s.role == access::Role::PeerSupport) peer = p;
  }

  const std::string today = format_date(std::chrono::system_clock::now());
  const int this_year = std::stoi(today.substr(0, 4));
  for (int i = 0; i < o.clients; ++i) {
    const auto culture_index =
        std::discrete_distribution<std::size_t>({40, 20, 6, 5, 6, 4, 12, 4, 3})(rng);
    const Culture& cu = cultures()[culture_index];
    const int g =
        std::discrete_distribution<int>({48, 44, 5, 3})(rng);  // woman, man, non-binary, trans
    clients::Client c;
    const bool fem = g == 0 || (g == 3 && chance(rng, 0.5)) || (g == 2 && chance(rng, 0.5));
    c.given_name = fem ? pick(rng, cu.female) : pick(rng, cu.male);
    c.family_name = pick(rng, cu.family);
    // Ages 12 to 84, weighted towards working age.
    const int age =
        std::clamp(static_cast<int>(std::normal_distribution<double>(36, 15)(rng)), 12, 84);
    const int month = std::uniform_int_distribution<int>(1, 12)(rng);
    const int day = std::uniform_int_distribution<int>(1, 28)(rng);
    char dob[32];
    std::snprintf(dob, sizeof dob, "%04d-%02d-%02d", this_year - age - 1, month, day);
    c.date_of_birth = dob;
    switch (g) {
      case 0:
        c.gender_identity = "woman";
        c.pronouns = "she/her";
        c.sex = "female";
        break;
      case 1:
        c.gender_identity = "man";
        c.pronouns = "he/him";
        c.sex = "male";
        break;
      case 2:
        c.gender_identity = "non-binary";
        c.pronouns = "they/them";
        c.sex = fem ? "female" : "male";
        break;
      default:
        c.gender_identity = fem ? "transgender woman" : "transgender man";
        c.pronouns = fem ? "she/her" : "he/him";
        c.sex = fem ? "male" : "female";
    }
    if (chance(rng, 0.15)) {
      // The first three characters (not bytes: "Thảo" must not be cut inside "ả") and "i".
      std::size_t end = 0;
      for (int chars = 0; chars < 3 && end < c.given_name.size(); ++chars) {
        ++end;
        while (end < c.given_name.size() &&
               (static_cast<unsigned char>(c.given_name[end]) & 0xC0) == 0x80) {
          ++end;
        }
      }
      c.preferred_name = c.given_name.substr(0, end) + "i";
    }
    const bool speaks_english_first = std::string(cu.language) == "en" || chance(rng, 0.4);
    c.language = speaks_english_first ? "en" : cu.language;
    c.interpreter_needed = !speaks_english_first && chance(rng, 0.6);
    c.phone = phone(rng);
    if (chance(rng, 0.8)) {
      c.email = ascii_handle(c.given_name) + "." + ascii_handle(c.family_name) + std::to_string(i) +
                "@example.org";
      c.consent.email = chance(rng, 0.85);
    }
    c.consent.sms = chance(rng, 0.7);
    c.consent.phone = true;
    c.consent.voicemail = chance(rng, 0.5);
    c.consent.post = chance(rng, 0.3);
    const Place& place = pick(rng, k_places);
    c.address.line1 = std::to_string(std::uniform_int_distribution<int>(1, 1999)(rng)) + " " +
                      pick(rng, k_streets);
    c.address.city = place.city;
    c.address.region = place.region;
    c.address.postal_code = place.postal;
    c.address.country = "US";
    if (chance(rng, 0.85)) {
      c.emergency_contact.name =
          std::string(fem ? pick(rng, cu.male) : pick(rng, cu.female)) + " " + c.family_name;
      c.emergency_contact.relationship = pick(rng, k_relationships);
      c.emergency_contact.phone = phone(rng);
    }
    if (chance(rng, 0.8)) {
      c.race = k_race_by_culture[culture_index];
      c.ethnicity = cu.ethnicity;
    }
    c.funding_note = pick(rng, k_funding);
    // Caseloads of different sizes: the first clinician carries the most.
    const auto who = std::discrete_distribution<std::size_t>({45, 33, 22})(rng);
    const access::Principal& primary = clinicians[who % clinicians.size()];
    auto created = app.clients().create_record(primary, c);
    if (!created) return created.error();
    if (chance(rng, 0.3))
      (void)app.access().add_team_member(primary, created->id, prescriber.user_id, "psychiatrist");
    if (chance(rng, 0.25))
      (void)app.access().add_team_member(primary, created->id, care_manager.user_id,
                                         "care_manager");
    if (chance(rng, 0.15))
      (void)app.access().add_team_member(primary, created->id, peer.user_id, "peer_support");
    demo_measures(app, rng, primary, created->id, i == 0);
    demo_episode(app, rng, primary, created->id, age);
    if (i < 12) demo_notes(app, rng, primary, created->id, i % 4 == 1);
    demo_diagnoses(app, primary, prescriber, created->id);
    ++summary.clients;
    if (i == 0) {
      // One client uses the portal, so the client's side can be seen too.
      access::NewUser nu;
      nu.username = "portal.demo";
      nu.display_name = c.preferred_name.value_or(c.given_name) + " " + c.family_name;
      nu.role = access::Role::Client;
      nu.password = o.staff_password;
      nu.client_id = created->id;
      auto u = app.access().create_user(access::system_principal("demo"), nu);
      if (!u) return u.error();
      summary.portal = {u->username, "client", u->display_name};
      demo_safety_plan(app, primary, created->id);
      access::Principal as_client;
      as_client.user_id = u->id;
      as_client.username = u->username;
      as_client.role = access::Role::Client;
      as_client.client_id = created->id;
      demo_plan(app, primary, as_client, created->id);
      demo_check_ins(app, created->id);
      demo_messages(app, primary, as_client, created->id);
    }
  }
  if (auto st = demo_crisis(app, admin, clinicians); !st) return st.error();
  return summary;
}

}  // namespace tend::app
