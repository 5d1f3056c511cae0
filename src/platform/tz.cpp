#include "platform/tz.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <vector>

namespace tend {
namespace {

using std::int64_t;

constexpr int64_t k_day = 86400;
// No zone has ever been more than 16 hours from UTC; 26 hours admits every offset a POSIX TZ
// string can state (24:59:59 plus an hour of summer time) and bounds from_local's search.
constexpr int64_t k_max_offset = 26 * 3600;
// tzdata's largest file is under 4 KiB; a file this large is not a zone.
constexpr std::size_t k_max_tzif_bytes = 1 << 20;
// tzcode caps a TZ string's abbreviations at 255 bytes each; real rules are under 50 bytes.
constexpr std::size_t k_max_posix_tz = 256;
constexpr std::size_t k_max_zone_name = 64;
// Rule times may run from -167 to 167 hours (RFC 8536 section 3.3.1).
constexpr int k_max_rule_hours = 167;
constexpr int k_max_offset_hours = 24;
constexpr int64_t k_default_rule_time = 2 * 3600;

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool leap_year(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int64_t y, int m) {
  static constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap_year(y) ? 29 : k_days[m - 1];
}

//! 0 = Sunday; 1970-01-01 (day 0) was a Thursday.
int weekday_of(int64_t days) {
  const int64_t from_sunday = days + 4;
  return static_cast<int>(from_sunday - floor_div(from_sunday, 7) * 7);
}

// Inverse of days_from_civil (Howard Hinnant, http://howardhinnant.github.io/date_algorithms.html).
void civil_from_days(int64_t z, int64_t& y, int& m, int& d) {
  z += 719468;
  const int64_t era = floor_div(z, 146097);
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

TimePoint to_time_point(int64_t secs) {
  using Duration = TimePoint::duration;
  constexpr int64_t k_limit =
      std::chrono::duration_cast<std::chrono::seconds>(Duration::max()).count();
  if (secs > k_limit) return TimePoint::max();
  if (secs < -k_limit) return TimePoint::min();
  return TimePoint(std::chrono::duration_cast<Duration>(std::chrono::seconds(secs)));
}

int64_t unix_seconds(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

// --- POSIX TZ rules (POSIX.1-2017 section 8.3, with the extensions of RFC 8536 section 3.3.1).

//! A rule's transition date and local time of day.
struct PosixDate {
  enum class Kind {
    Julian1,       //!< Jn: day 1..365, February 29 never counted
    Julian0,       //!< n: day 0..365, February 29 counted in leap years
    MonthWeekDay,  //!< Mm.w.d: weekday d of week w (5 = last) of month m
  };
  Kind kind = Kind::MonthWeekDay;
  int day = 0;
  int month = 0;
  int week = 0;
  int weekday = 0;
  int64_t time = k_default_rule_time;  //!< seconds after local midnight, -167 h .. 167 h
};

//! A parsed TZ string; offsets are local time minus UTC (the string states the opposite sign).
struct PosixTz {
  std::string std_abbr;
  int64_t std_offset = 0;
  bool has_dst = false;
  std::string dst_abbr;
  int64_t dst_offset = 0;
  PosixDate start;  //!< summer time begins, at this local standard time
  PosixDate end;    //!< summer time ends, at this local summer time
};

class PosixParser {
 public:
  explicit PosixParser(std::string_view s) : s_(s) {}

  std::optional<PosixTz> parse() {
    PosixTz tz;
    int64_t west = 0;
    if (s_.size() > k_max_posix_tz || !name(tz.std_abbr) || !hms(k_max_offset_hours, west)) {
      return std::nullopt;
    }
    tz.std_offset = -west;
    if (done()) return tz;
    tz.has_dst = true;
    if (!name(tz.dst_abbr)) return std::nullopt;
    tz.dst_offset = tz.std_offset + 3600;
    if (starts_number(peek())) {
      if (!hms(k_max_offset_hours, west)) return std::nullopt;
      tz.dst_offset = -west;
    }
    if (done()) {
      // No dates: the US rule, as tzcode assumes when its "posixrules" file is absent.
      tz.start = PosixDate{PosixDate::Kind::MonthWeekDay, 0, 3, 2, 0, k_default_rule_time};
      tz.end = PosixDate{PosixDate::Kind::MonthWeekDay, 0, 11, 1, 0, k_default_rule_time};
      return tz;
    }
    if (!eat(',') || !date(tz.start) || !eat(',') || !date(tz.end) || !done()) {
      return std::nullopt;
    }
    return tz;
  }

 private:
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }
  static bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
  static bool starts_number(char c) { return is_digit(c) || c == '+' || c == '-'; }

  bool done() const { return i_ == s_.size(); }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }

  // Unquoted: three or more letters. Quoted: <three or more of letters, digits, '+', '-'>.
  bool name(std::string& out) {
    const bool quoted = eat('<');
    const std::size_t from = i_;
    while (!done() &&
           (is_alpha(s_[i_]) || (quoted && (is_digit(s_[i_]) || s_[i_] == '+' || s_[i_] == '-')))) {
      ++i_;
    }
    out.assign(s_.substr(from, i_ - from));
    if (quoted && !eat('>')) return false;
    return out.size() >= 3;
  }

  bool number(int min, int max, int max_digits, int& out) {
    int digits = 0;
    out = 0;
    while (digits < max_digits && is_digit(peek())) {
      out = out * 10 + (s_[i_++] - '0');
      ++digits;
    }
    return digits > 0 && out >= min && out <= max;
  }

  // [+-]h[h][:mm[:ss]], as signed seconds.
  bool hms(int max_hours, int64_t& out) {
    const bool negative = eat('-');
    if (!negative) eat('+');
    int h = 0, m = 0, s = 0;
    if (!number(0, max_hours, 3, h)) return false;
    if (eat(':')) {
      if (!number(0, 59, 2, m)) return false;
      if (eat(':') && !number(0, 59, 2, s)) return false;
    }
    out = (negative ? -1 : 1) * (int64_t{h} * 3600 + m * 60 + s);
    return true;
  }

  bool date(PosixDate& out) {
    if (eat('J')) {
      out.kind = PosixDate::Kind::Julian1;
      if (!number(1, 365, 3, out.day)) return false;
    } else if (eat('M')) {
      out.kind = PosixDate::Kind::MonthWeekDay;
      if (!number(1, 12, 2, out.month) || !eat('.') || !number(1, 5, 1, out.week) || !eat('.') ||
          !number(0, 6, 1, out.weekday)) {
        return false;
      }
    } else {
      out.kind = PosixDate::Kind::Julian0;
      if (!number(0, 365, 3, out.day)) return false;
    }
    out.time = k_default_rule_time;
    return !eat('/') || hms(k_max_rule_hours, out.time);
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

//! Days since 1970-01-01 of the rule date `d` in `year`.
int64_t rule_day(const PosixDate& d, int year) {
  const int64_t jan1 = days_from_civil(year, 1, 1);
  switch (d.kind) {
    case PosixDate::Kind::Julian1:
      return jan1 + d.day - 1 + (leap_year(year) && d.day >= 60 ? 1 : 0);
    case PosixDate::Kind::Julian0:
      return jan1 + d.day;
    case PosixDate::Kind::MonthWeekDay:
      break;
  }
  const int64_t first = days_from_civil(year, d.month, 1);
  int64_t day = first + (d.weekday - weekday_of(first) + 7) % 7 + int64_t{7} * (d.week - 1);
  while (day >= first + days_in_month(year, d.month)) day -= 7;  // week 5 = the last one
  return day;
}

struct RuleEvent {
  int64_t at;   //!< Unix seconds
  bool to_dst;  //!< summer time begins (true) or ends
};

// The rule's transitions in the five years around `t`, in order. Five, not three: a date and
// time such as "365/167" lands a week into the next year, and every instant must have an event
// before it and one after it in the list.
std::array<RuleEvent, 10> rule_events(const PosixTz& tz, int64_t t) {
  int64_t year;
  int month, day;
  civil_from_days(floor_div(t + tz.std_offset, k_day), year, month, day);
  std::array<RuleEvent, 10> events{};
  std::size_t n = 0;
  for (int64_t y = year - 2; y <= year + 2; ++y) {
    const int yy = static_cast<int>(y);
    // The start is stated in standard time, the end in summer time.
    events[n++] = {rule_day(tz.start, yy) * k_day + tz.start.time - tz.std_offset, true};
    events[n++] = {rule_day(tz.end, yy) * k_day + tz.end.time - tz.dst_offset, false};
  }
  // At equal instants the end goes first, so a rule with summer time all year ("0/0,J365/25")
  // stays in summer time where one year's end meets the next year's start.
  std::sort(events.begin(), events.end(), [](const RuleEvent& a, const RuleEvent& b) {
    return a.at != b.at ? a.at < b.at : a.to_dst < b.to_dst;
  });
  return events;
}

// --- The zone itself.

struct LocalType {
  int64_t offset = 0;  //!< local time minus UTC, seconds
  bool is_dst = false;
  std::string abbr;
};

//! What is in effect at an instant; `abbr` points into the Zone.
struct Info {
  int64_t offset;
  bool is_dst;
  const std::string* abbr;

  bool same_as(const Info& o) const {
    return offset == o.offset && is_dst == o.is_dst && *abbr == *o.abbr;
  }
};

struct Zone {
  std::vector<int64_t> transitions;           //!< strictly ascending Unix seconds
  std::vector<std::uint8_t> transition_type;  //!< index into types, one per transition
  std::vector<LocalType> types;               //!< never empty; types[0] before any transition
  std::optional<PosixTz> footer;              //!< after the last transition (RFC 8536 §3.3)

  Info info_at(int64_t t) const {
    if (footer && (transitions.empty() || t > transitions.back())) return footer_info(t);
    const auto it = std::upper_bound(transitions.begin(), transitions.end(), t);
    if (it == transitions.begin()) return info(types[0]);
    return info(types[transition_type[static_cast<std::size_t>(it - transitions.begin() - 1)]]);
  }

  std::optional<int64_t> next_change(int64_t t) const {
    const Info now = info_at(t);
    for (auto it = std::upper_bound(transitions.begin(), transitions.end(), t);
         it != transitions.end(); ++it) {
      if (!info_at(*it).same_as(now)) return *it;
    }
    if (!footer || !footer->has_dst) return std::nullopt;
    const int64_t from = transitions.empty() ? t : std::max(t, transitions.back());
    for (const RuleEvent& e : rule_events(*footer, from)) {
      if (e.at > from && !footer_info(e.at).same_as(now)) return e.at;
    }
    return std::nullopt;  // summer time all year round: nothing ever changes
  }

  int64_t from_local(int64_t local, Choose choose) const {
    // Every instant showing `local` lies within k_max_offset of it; split that window into
    // spans of constant offset and keep the instants that fall in their own span.
    struct Span {
      int64_t start;
      int64_t offset;
    };
    std::vector<Span> spans;
    int64_t at = local - k_max_offset - 1;
    spans.push_back({std::numeric_limits<int64_t>::min(), info_at(at).offset});
    for (auto next = next_change(at); next && *next <= local + k_max_offset + 1;
         next = next_change(at)) {
      at = *next;
      spans.push_back({at, info_at(at).offset});
    }
    std::optional<int64_t> found;
    for (std::size_t i = 0; i < spans.size(); ++i) {
      const int64_t end =
          i + 1 < spans.size() ? spans[i + 1].start : std::numeric_limits<int64_t>::max();
      const int64_t t = local - spans[i].offset;
      if (t < spans[i].start || t >= end) continue;
      if (!found || (choose == Choose::Earliest ? t < *found : t > *found)) found = t;
    }
    if (found) return *found;
    // A gap: read the time with the offset from before the jump, which lands as far past the
    // transition as `local` is past the last wall-clock time before it (02:30 -> 03:30).
    for (std::size_t i = 1; i < spans.size(); ++i) {
      const int64_t before = spans[i - 1].offset;
      if (spans[i].start + before <= local && local < spans[i].start + spans[i].offset) {
        return local - before;
      }
    }
    return local - spans.back().offset;  // not reached: a gap always follows a transition
  }

 private:
  static Info info(const LocalType& type) { return {type.offset, type.is_dst, &type.abbr}; }

  Info footer_info(int64_t t) const {
    bool dst = false;
    if (footer->has_dst) {
      for (const RuleEvent& e : rule_events(*footer, t)) {
        if (e.at > t) break;
        dst = e.to_dst;
      }
    }
    return dst ? Info{footer->dst_offset, true, &footer->dst_abbr}
               : Info{footer->std_offset, false, &footer->std_abbr};
  }
};

// --- TZif (RFC 8536).

class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : b_(bytes) {}
  bool skip(std::uint64_t n) {
    if (n > b_.size() - pos_) return false;
    pos_ += static_cast<std::size_t>(n);
    return true;
  }
  bool bytes(std::uint64_t n, std::string_view& out) {
    if (n > b_.size() - pos_) return false;
    out = b_.substr(pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return true;
  }
  bool u8(std::uint8_t& out) {
    if (pos_ >= b_.size()) return false;
    out = static_cast<std::uint8_t>(b_[pos_++]);
    return true;
  }
  // Big-endian, as TZif stores every integer.
  bool be(int size, std::uint64_t& out) {
    out = 0;
    std::uint8_t byte;
    for (int i = 0; i < size; ++i) {
      if (!u8(byte)) return false;
      out = out << 8 | byte;
    }
    return true;
  }
  std::string_view rest() const { return b_.substr(pos_); }

 private:
  std::string_view b_;
  std::size_t pos_ = 0;
};

struct TzifHeader {
  std::uint8_t version = 0;  //!< 0 for version 1, else '2', '3', '4', ...
  std::uint64_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;

  std::uint64_t data_size(int time_size) const {
    return timecnt * (time_size + 1) + typecnt * 6 + charcnt + leapcnt * (time_size + 4) +
           isstdcnt + isutcnt;
  }
};

bool read_header(ByteReader& r, TzifHeader& h) {
  std::string_view magic;
  return r.bytes(4, magic) && magic == "TZif" && r.u8(h.version) && r.skip(15) &&
         r.be(4, h.isutcnt) && r.be(4, h.isstdcnt) && r.be(4, h.leapcnt) && r.be(4, h.timecnt) &&
         r.be(4, h.typecnt) && r.be(4, h.charcnt);
}

int64_t as_signed(std::uint64_t v, int size) {
  if (size == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<int64_t>(v);
}

//! Parses a TZif file into `zone`; nullptr on success, else why it is unusable.
const char* parse_tzif(std::string_view bytes, Zone& zone) {
  ByteReader r(bytes);
  TzifHeader h;
  if (!read_header(r, h)) return "no TZif header";
  if (h.version != 0 && h.version < '2') return "unknown TZif version";
  int time_size = 4;
  if (h.version != 0) {
    // Version 2 and later repeat the data with 64-bit times after the version 1 block.
    if (!r.skip(h.data_size(4))) return "truncated";
    if (!read_header(r, h)) return "no second TZif header";
    time_size = 8;
  }
  if (h.typecnt == 0 || h.typecnt > 256) return "bad count of local time types";
  if (h.charcnt == 0) return "no abbreviations";
  if ((h.isstdcnt != 0 && h.isstdcnt != h.typecnt) || (h.isutcnt != 0 && h.isutcnt != h.typecnt)) {
    return "bad indicator counts";
  }
  if (h.leapcnt != 0) return "leap-second records (a \"right/\" zone)";
  if (h.data_size(time_size) > r.rest().size()) return "truncated";

  zone.transitions.reserve(h.timecnt);
  for (std::uint64_t i = 0; i < h.timecnt; ++i) {
    std::uint64_t raw;
    if (!r.be(time_size, raw)) return "truncated";
    const int64_t t = as_signed(raw, time_size);
    if (!zone.transitions.empty() && t <= zone.transitions.back()) return "unordered transitions";
    zone.transitions.push_back(t);
  }
  zone.transition_type.reserve(h.timecnt);
  for (std::uint64_t i = 0; i < h.timecnt; ++i) {
    std::uint8_t type;
    if (!r.u8(type)) return "truncated";
    if (type >= h.typecnt) return "bad transition type";
    zone.transition_type.push_back(type);
  }
  struct RawType {
    int64_t offset;
    std::uint8_t is_dst;
    std::uint8_t abbr_index;
  };
  std::vector<RawType> raw_types;
  for (std::uint64_t i = 0; i < h.typecnt; ++i) {
    std::uint64_t offset;
    RawType t{};
    if (!r.be(4, offset) || !r.u8(t.is_dst) || !r.u8(t.abbr_index)) return "truncated";
    t.offset = as_signed(offset, 4);
    if (t.offset < -k_max_offset || t.offset > k_max_offset) return "offset out of range";
    if (t.is_dst > 1 || t.abbr_index >= h.charcnt) return "bad local time type";
    raw_types.push_back(t);
  }
  std::string_view chars;
  if (!r.bytes(h.charcnt, chars)) return "truncated";
  for (const RawType& t : raw_types) {
    const std::size_t nul = chars.find('\0', t.abbr_index);
    if (nul == std::string_view::npos) return "unterminated abbreviation";
    zone.types.push_back(
        {t.offset, t.is_dst == 1, std::string(chars.substr(t.abbr_index, nul - t.abbr_index))});
  }
  // The standard/wall and UT/local indicators only matter to tools that turn a TZif file
  // back into rules.
  if (!r.skip(h.isstdcnt + h.isutcnt)) return "truncated";
  if (time_size == 4) return nullptr;

  std::string_view footer = r.rest();
  if (footer.empty() || footer[0] != '\n') return "no footer";
  const std::size_t end = footer.find('\n', 1);
  if (end == std::string_view::npos) return "unterminated footer";
  footer = footer.substr(1, end - 1);
  if (!footer.empty()) {
    zone.footer = PosixParser(footer).parse();
    if (!zone.footer) return "bad TZ string in the footer";
  }
  return nullptr;
}

std::string quoted_for_message(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, k_max_zone_name)) out += c >= 0x20 && c < 0x7f ? c : '?';
  if (s.size() > k_max_zone_name) out += "...";
  return out + "\"";
}

Error zone_error(std::string message) {
  return make_error(Errc::Validation, message, {{"time_zone", message}});
}

}  // namespace

struct TimeZone::Data {
  std::string name;
  Zone zone;
};

TimeZone::TimeZone() {
  static const auto utc = [] {
    auto d = std::make_shared<Data>();
    d->name = "UTC";
    d->zone.types.push_back({0, false, "UTC"});
    return std::shared_ptr<const Data>(std::move(d));
  }();
  data_ = utc;
}

TimeZone::TimeZone(std::shared_ptr<const Data> data) : data_(std::move(data)) {}

Result<TimeZone> TimeZone::load(std::string_view name, std::string_view zoneinfo_dir) {
  if (!valid_zone_name(name)) {
    return zone_error("time zone " + quoted_for_message(name) +
                      " is not an IANA time zone name such as \"Europe/London\"");
  }
  if (name == "UTC") return TimeZone();
  const std::filesystem::path path = std::filesystem::path(zoneinfo_dir) / name;
  std::error_code ec;
  std::ifstream in;
  if (std::filesystem::is_regular_file(path, ec)) in.open(path, std::ios::binary);
  if (!in.is_open()) {
    return zone_error("unknown time zone " + quoted_for_message(name) + " (not in " +
                      std::string(zoneinfo_dir) + ")");
  }
  std::string bytes;
  std::array<char, 4096> buffer;
  while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
    bytes.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
    if (bytes.size() > k_max_tzif_bytes) {
      return zone_error("time zone " + quoted_for_message(name) + ": file too large for a zone");
    }
  }
  return from_tzif(std::string(name), bytes);
}

Result<TimeZone> TimeZone::from_tzif(std::string name, std::string_view bytes) {
  auto data = std::make_shared<Data>();
  if (const char* why = parse_tzif(bytes, data->zone)) {
    return zone_error("time zone " + quoted_for_message(name) + ": not a usable TZif file (" + why +
                      ")");
  }
  data->name = std::move(name);
  return TimeZone(std::move(data));
}

Result<TimeZone> TimeZone::from_posix_tz(std::string_view spec) {
  auto data = std::make_shared<Data>();
  data->zone.footer = PosixParser(spec).parse();
  if (!data->zone.footer) {
    return zone_error("time zone rule " + quoted_for_message(spec) +
                      " is not a POSIX TZ rule such as \"EST5EDT,M3.2.0,M11.1.0\"");
  }
  const PosixTz& tz = *data->zone.footer;
  data->zone.types.push_back({tz.std_offset, false, tz.std_abbr});
  data->name = std::string(spec);
  return TimeZone(std::move(data));
}

const std::string& TimeZone::name() const {
  return data_->name;
}

std::chrono::seconds TimeZone::offset_at(TimePoint utc) const {
  return std::chrono::seconds(data_->zone.info_at(unix_seconds(utc)).offset);
}

std::string TimeZone::abbreviation_at(TimePoint utc) const {
  return *data_->zone.info_at(unix_seconds(utc)).abbr;
}

bool TimeZone::is_dst_at(TimePoint utc) const {
  return data_->zone.info_at(unix_seconds(utc)).is_dst;
}

std::optional<TimePoint> TimeZone::next_transition(TimePoint utc) const {
  const auto next = data_->zone.next_change(unix_seconds(utc));
  if (!next) return std::nullopt;
  const TimePoint t = to_time_point(*next);
  if (t == TimePoint::max()) return std::nullopt;
  return t;
}

LocalTime TimeZone::to_local(TimePoint utc) const {
  const int64_t t = unix_seconds(utc);
  const int64_t local = t + data_->zone.info_at(t).offset;
  const int64_t days = floor_div(local, k_day);
  const int64_t second_of_day = local - days * k_day;
  LocalTime out;
  int64_t year;
  civil_from_days(days, year, out.month, out.day);
  out.year = static_cast<int>(year);
  out.hour = static_cast<int>(second_of_day / 3600);
  out.minute = static_cast<int>(second_of_day / 60 % 60);
  out.second = static_cast<int>(second_of_day % 60);
  out.weekday = weekday_of(days);
  return out;
}

TimePoint TimeZone::from_local(const LocalTime& local, Choose choose) const {
  const int64_t month0 = int64_t{local.month} - 1;
  const int64_t year = local.year + floor_div(month0, 12);
  // Far outside TimePoint's ±292 years, and small enough that nothing below overflows.
  constexpr int64_t k_year_limit = 1'000'000;
  if (year < -k_year_limit) return TimePoint::min();
  if (year > k_year_limit) return TimePoint::max();
  const int month = static_cast<int>(month0 - floor_div(month0, 12) * 12) + 1;
  const int64_t days = days_from_civil(static_cast<int>(year), month, 1) + local.day - 1;
  const int64_t secs =
      days * k_day + int64_t{local.hour} * 3600 + int64_t{local.minute} * 60 + local.second;
  return to_time_point(data_->zone.from_local(secs, choose));
}

bool valid_zone_name(std::string_view name) {
  if (name.empty() || name.size() > k_max_zone_name) return false;
  bool part_start = true;
  for (const char c : name) {
    if (c == '/') {
      if (part_start) return false;  // leading '/' or "//"
      part_start = true;
      continue;
    }
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '+';
    if (!allowed || (part_start && c == '-')) return false;
    part_start = false;
  }
  return !part_start;  // no trailing '/'
}

Result<TimeZone> time_zone(std::string_view name) {
  // Only zones that loaded are kept, so the map holds at most the ~600 names tzdata has.
  static std::mutex mutex;
  static std::map<std::string, TimeZone, std::less<>> zones;
  const std::lock_guard lock(mutex);
  if (const auto it = zones.find(name); it != zones.end()) return it->second;
  auto loaded = TimeZone::load(name);
  if (loaded) zones.emplace(std::string(name), *loaded);
  return loaded;
}

}  // namespace tend
