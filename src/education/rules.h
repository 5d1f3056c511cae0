#pragma once
//! Psychoeducation: the articles and exercises under content/education, read from their front
//! matter and Markdown body, rendered to safe HTML, and the library that lists, filters and
//! suggests them. Pure: no I/O, no clock ("today" comes in where it matters).

#include <string>
#include <string_view>
#include <vector>

#include "platform/content.h"
#include "platform/result.h"

namespace tend::education {

//! One article or exercise (content/education/<slug>.md).
struct Article {
  std::string slug;  //!< the file name without ".md", e.g. "paced-breathing"
  std::string title;
  std::string summary;  //!< one sentence
  std::vector<std::string> topics;
  std::vector<std::string> conditions;  //!< plain tags (depression, anxiety, …); may be empty
  std::string reading_level;            //!< e.g. "easy"
  std::string kind;                     //!< article or exercise
  int minutes = 0;                      //!< reading time
  std::string reviewed;                 //!< YYYY-MM-DD
  std::string review_by;                //!< YYYY-MM-DD, after `reviewed`
  std::string body;                     //!< Markdown, without the front matter
  int words = 0;                        //!< words in the body
  bool from_service = false;            //!< the service's own (education_dir), not built in
};

//! Diagnosis code prefixes and the condition tags each speaks to
//! (content/education/conditions.tsv), longest prefix first.
struct ConditionMap {
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
};

//! Why an article is suggested: the tag or measure that matched it, in words.
struct Suggestion {
  const Article* article = nullptr;
  std::vector<std::string> reasons;
};

//! A recent measure: instrument id (e.g. "phq-9") and its band code (e.g. "moderate").
//! `lowest` is true when the band is the instrument's first (lowest) band; such a result
//! suggests nothing.
struct Measure {
  std::string instrument;
  std::string band;
  bool lowest = false;
};

namespace rules {

//! Reads one file. `path` is relative to content/ ("education/sleep.md") and names the slug.
//! Every error is a Validation error whose detail starts with the path and names the field
//! ("education/sleep.md: review_by: must be after reviewed").
Result<Article> parse_article(std::string_view text, std::string_view path);

//! article or exercise.
bool valid_kind(std::string_view kind);
//! Lower-case letters, digits and single hyphens, 1–80 characters.
bool valid_slug(std::string_view slug);
//! True when the Markdown holds raw HTML (a block or inline tag or comment), which articles
//! may not carry.
bool has_raw_html(std::string_view markdown);
//! Words in a text (runs of non-space characters holding a letter or digit).
int count_words(std::string_view text);
//! Markdown to HTML with cmark-gfm in its safe mode: raw HTML is dropped and links or images
//! to javascript:, vbscript:, file: and data: (other than images) are emptied.
std::string render_html(std::string_view markdown);
//! True when the review date has passed (`today` is YYYY-MM-DD).
bool review_overdue(const Article& a, std::string_view today);
//! Reads the code map: `prefix<TAB>tag, tag…` per line, # comments and blank lines skipped.
//! A row without a prefix or a tag, a tag that is not lower-case letters and hyphens, or a
//! prefix given twice is refused, naming `path` and the line.
Result<ConditionMap> parse_condition_map(std::string_view text, std::string_view path);
//! The condition tags of one diagnosis code: the longest matching prefix's (case-insensitive),
//! or none.
std::vector<std::string> conditions_of_code(const ConditionMap& map, std::string_view code);
//! The condition tag an instrument's results speak to (phq-9 → depression), or "" when the
//! instrument is not one Tend links to articles.
std::string condition_of_instrument(std::string_view instrument);

}  // namespace rules

//! Every built-in article, checked at start-up.
class Library {
 public:
  //! Reads every `education/*.md` of `files` except README.md, and the code map
  //! `education/conditions.tsv`. The first bad file stops the load with its error (naming the
  //! file); a library with no article is refused. With `service_dir`, the service's own
  //! articles (`*.md` at its top level, README.md excepted) are added, marked from_service: a
  //! bad one, or one whose slug is a built-in article's, stops the load naming the file. A tag
  //! of the code map that no article carries is refused too (it would never suggest anything).
  static Result<Library> load(const std::vector<content::File>& files,
                              const std::string& service_dir = "");

  //! Sorted by slug.
  const std::vector<Article>& all() const { return articles_; }
  //! nullptr when unknown.
  const Article* find(std::string_view slug) const;
  //! Articles carrying `topic` and `condition` (an empty one matches all) and whose title or
  //! summary holds `text` (case-insensitive; empty matches all), sorted by slug.
  std::vector<const Article*> filter(std::string_view topic, std::string_view condition,
                                     std::string_view text = {}) const;
  //! Articles whose conditions match one of `conditions` (e.g. from diagnoses) or the
  //! condition of a measure above its lowest band, each with its reasons. Most reasons first,
  //! then by slug.
  std::vector<Suggestion> suggest(const std::vector<std::string>& conditions,
                                  const std::vector<Measure>& measures) const;
  //! As suggest(), from diagnosis codes through the code map: each reason names the code
  //! ("diagnosis F32.1 (depression)").
  std::vector<Suggestion> suggest_for(const std::vector<std::string>& diagnosis_codes,
                                      const std::vector<Measure>& measures) const;
  const ConditionMap& condition_map() const { return conditions_; }

 private:
  //! Articles carrying one of the wanted tags, each with the reasons of the tags it carries.
  std::vector<Suggestion> match(
      const std::vector<std::pair<std::string, std::string>>& wanted) const;

  std::vector<Article> articles_;
  ConditionMap conditions_;
};

}  // namespace tend::education
