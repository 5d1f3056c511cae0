#include "messaging/rules.h"

#include <algorithm>
#include <cctype>

namespace tend::messaging {

bool OfficeHours::empty() const {
  return std::all_of(days.begin(), days.end(), [](const auto& d) { return d.empty(); });
}

namespace rules {
namespace {

constexpr std::array<std::string_view, 7> k_short = {"sun", "mon", "tue", "wed",
                                                     "thu", "fri", "sat"};
constexpr std::array<std::string_view, 7> k_day_names = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> k_months = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::optional<int> day_of(std::string_view s) {
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (int i = 0; i < 7; ++i) {
    if (lower == k_short[static_cast<std::size_t>(i)]) return i;
  }
  return std::nullopt;
}

//! "HH:MM" → minutes; `end` allows "24:00".
std::optional<int> minutes_of(std::string_view s, bool end) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (const std::size_t i : {0U, 1U, 3U, 4U}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59) return std::nullopt;
  if (h == 24 && m == 0 && end) return 1440;
  if (h > 23) return std::nullopt;
  return h * 60 + m;
}

std::string hhmm(int minutes) {
  const int h = minutes / 60;
  const int m = minutes % 60;
  std::string out;
  out += static_cast<char>('0' + h / 10);
  out += static_cast<char>('0' + h % 10);
  out += ':';
  out += static_cast<char>('0' + m / 10);
  out += static_cast<char>('0' + m % 10);
  return out;
}

Error bad(std::string_view group, const std::string& why) {
  return make_error(Errc::Validation, "office_hours: '" + std::string(group) + "': " + why,
                    {{"office_hours", why}});
}

}  // namespace

Result<OfficeHours> parse_office_hours(std::string_view text) {
  OfficeHours h;
  if (trim(text).empty()) {
    return make_error(Errc::Validation, "office_hours: is empty; give e.g. 'mon-fri 09:00-17:00'",
                      {{"office_hours", "is empty"}});
  }
  for (const auto raw : split(text, ';')) {
    const auto group = trim(raw);
    if (group.empty()) continue;
    const auto space = group.find_first_of(" \t");
    if (space == std::string_view::npos)
      return bad(group, "give days and times, e.g. mon-fri 09:00-17:00");
    const auto days_text = trim(group.substr(0, space));
    const auto times_text = trim(group.substr(space));
    std::vector<int> days;
    for (const auto token : split(days_text, ',')) {
      const auto dash = token.find('-');
      if (dash == std::string_view::npos) {
        auto d = day_of(token);
        if (!d) return bad(group, "days are mon, tue, wed, thu, fri, sat, sun");
        days.push_back(*d);
        continue;
      }
      auto first = day_of(token.substr(0, dash));
      auto last = day_of(token.substr(dash + 1));
      if (!first || !last) return bad(group, "days are mon, tue, wed, thu, fri, sat, sun");
      for (int d = *first;; d = (d + 1) % 7) {
        days.push_back(d);
        if (d == *last) break;
      }
    }
    const auto dash = times_text.find('-');
    if (dash == std::string_view::npos) return bad(group, "times are HH:MM-HH:MM");
    auto from = minutes_of(trim(times_text.substr(0, dash)), false);
    auto to = minutes_of(trim(times_text.substr(dash + 1)), true);
    if (!from || !to) return bad(group, "times are HH:MM-HH:MM");
    if (*to <= *from) return bad(group, "the end must be after the start, on the same day");
    for (const int d : days) {
      auto& windows = h.days[static_cast<std::size_t>(d)];
      for (const auto& w : windows) {
        if (*from < w.to && w.from < *to) {
          return bad(group, "overlaps other hours on " +
                                std::string(k_day_names[static_cast<std::size_t>(d)]));
        }
      }
      windows.push_back(Window{*from, *to});
      std::sort(windows.begin(), windows.end(),
                [](const Window& a, const Window& b) { return a.from < b.from; });
    }
  }
  if (h.empty()) {
    return make_error(Errc::Validation, "office_hours: names no hours",
                      {{"office_hours", "names no hours"}});
  }
  return h;
}

std::string describe(const OfficeHours& h) {
  if (h.empty()) return "no office hours";
  const auto windows_text = [](const std::vector<Window>& ws) {
    std::string out;
    for (const auto& w : ws) {
      if (!out.empty()) out += ", ";
      out += hhmm(w.from) + "\u2013" + hhmm(w.to);
    }
    return out;
  };
  // Monday first, as people read a week.
  constexpr std::array<int, 7> order = {1, 2, 3, 4, 5, 6, 0};
  std::string out;
  std::size_t i = 0;
  while (i < order.size()) {
    const auto& ws = h.days[static_cast<std::size_t>(order[i])];
    std::size_t j = i;
    while (j + 1 < order.size() && h.days[static_cast<std::size_t>(order[j + 1])] == ws) ++j;
    if (!ws.empty()) {
      if (!out.empty()) out += "; ";
      const auto first = k_day_names[static_cast<std::size_t>(order[i])];
      const auto last = k_day_names[static_cast<std::size_t>(order[j])];
      if (i == j) {
        out += first;
      } else if (j == i + 1) {
        out += std::string(first) + " and " + std::string(last);
      } else {
        out += std::string(first) + " to " + std::string(last);
      }
      out += " " + windows_text(ws);
    }
    i = j + 1;
  }
  return out;
}

bool is_open(const OfficeHours& h, const LocalTime& local) {
  const int m = local.hour * 60 + local.minute;
  const auto& ws = h.days[static_cast<std::size_t>(local.weekday % 7)];
  return std::any_of(ws.begin(), ws.end(),
                     [m](const Window& w) { return w.from <= m && m < w.to; });
}

bool is_open(const OfficeHours& h, const TimeZone& zone, TimePoint t) {
  return is_open(h, zone.to_local(t));
}

std::optional<TimePoint> next_opening(const OfficeHours& h, const TimeZone& zone, TimePoint t) {
  if (h.empty()) return std::nullopt;
  const auto local = zone.to_local(t);
  // Eight days cover a week and today's later windows; a clock change moves an opening by at
  // most a few hours, never past the next day's.
  for (int d = 0; d <= 8; ++d) {
    const auto weekday = static_cast<std::size_t>((local.weekday + d) % 7);
    for (const auto& w : h.days[weekday]) {
      LocalTime at;
      at.year = local.year;
      at.month = local.month;
      at.day = local.day + d;
      at.hour = w.from / 60;
      at.minute = w.from % 60;
      const auto opens = zone.from_local(at);
      if (opens > t) return opens;
    }
  }
  return std::nullopt;
}

std::string opening_in_words(const LocalTime& at, const LocalTime& now,
                             std::string_view zone_abbr) {
  const auto days = tend::days_from_civil(at.year, at.month, at.day) -
                    tend::days_from_civil(now.year, now.month, now.day);
  std::string out;
  if (days == 0) {
    out = "today";
  } else if (days == 1) {
    out = "tomorrow";
  } else {
    out = "on " + std::string(k_day_names[static_cast<std::size_t>(at.weekday % 7)]) + " " +
          std::to_string(at.day) + " " +
          std::string(k_months[static_cast<std::size_t>(std::clamp(at.month, 1, 12) - 1)]);
  }
  out += " at " + hhmm(at.hour * 60 + at.minute);
  if (!zone_abbr.empty()) out += " " + std::string(zone_abbr);
  return out;
}

std::string auto_reply_text(std::string_view when) {
  return "Thank you for your message. The office is closed now: your care team will read it "
         "when it opens, " +
         std::string(when) +
         ".\n\nMessages are not watched outside office hours. If you are not safe, or you need "
         "help now, do not wait for a reply: use the crisis lines listed here, press \"I need "
         "help now\", or call your local emergency number.";
}

std::size_t characters(std::string_view utf8) {
  return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
}

Result<std::string> check_text(std::string_view field, std::string_view text, std::size_t max) {
  const auto t = trim(text);
  if (t.empty()) {
    return make_error(Errc::Validation, "invalid field: " + std::string(field),
                      {{std::string(field), "must not be empty"}});
  }
  if (characters(t) > max) {
    return make_error(
        Errc::Validation, "invalid field: " + std::string(field),
        {{std::string(field), "must be at most " + std::to_string(max) + " characters"}});
  }
  return std::string(t);
}

Notice notice_mail(std::string_view link) {
  Notice n;
  n.subject = "You have a new message in Tend";
  n.body = "You have a new secure message in Tend.\n\n";
  if (!link.empty()) {
    n.body += "To read it, sign in: " + std::string(link) + "\n\n";
  } else {
    n.body += "To read it, sign in to Tend.\n\n";
  }
  n.body +=
      "For your privacy, this e-mail does not include the message.\n\n"
      "If you are not safe, do not wait: call your local emergency number or a crisis line.\n";
  return n;
}

}  // namespace rules
}  // namespace tend::messaging
