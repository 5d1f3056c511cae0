#include "app/codes_cli.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "care/diagnosis_rules.h"

namespace tend::app {

namespace {

struct CodesOptions {
  std::string from;
  std::string out;
  std::string code_list;
  std::vector<std::string> words;
};

bool read_file(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream s;
  s << in.rdbuf();
  text = s.str();
  return true;
}

}  // namespace

void add_codes_commands(CLI::App& cli, int& rc) {
  auto opts = std::make_shared<CodesOptions>();
  auto* codes = cli.add_subcommand("codes", "The diagnosis code list (no database needed)");
  codes->require_subcommand(1);

  auto* import = codes->add_subcommand(
      "import",
      "Convert CMS's ICD-10-CM order file (icd10cm_order_<year>.txt) into a code list for the "
      "code_list setting, keeping chapter F and Z55-Z65, Z69-Z71, Z91.5");
  import->add_option("--from", opts->from, "The order file")->required();
  import->add_option("--out", opts->out, "The code list to write (TSV)")->required();
  import->callback([opts, &rc] {
    std::string text;
  if (!read_file(opts->from, text)) {
    std::cerr << "tend: cannot read " << opts->from << "\n";
    rc = 1;
    return;
  }
  auto codes_read = care::rules::import_cms_order(text);
  if (!codes_read) {
    std::cerr << "tend: " << opts->from << ": " << codes_read.error().detail << "\n";
    rc = 1;
    return;
  }
  // What we write must load: the same check start-up makes.
  const std::string tsv = care::rules::format_code_list(*codes_read);
  if (auto check = care::rules::parse_code_list(tsv); !check) {
    std::cerr << "tend: " << check.error().detail << "\n";
    rc = 1;
    return;
  }
  std::ofstream out(opts->out, std::ios::binary | std::ios::trunc);
  out << tsv;
  if (!out.flush()) {
    std::cerr << "tend: cannot write " << opts->out << "\n";
    rc = 1;
    return;
  }
  std::size_t billable = 0;
  for (const auto& c : *codes_read) billable += c.billable ? 1 : 0;
  std::cout << codes_read->size() << " codes written to " << opts->out << " (" << billable
            << " valid for coding)\n";
  rc = 0;
});

auto* search = codes->add_subcommand(
    "search", "Search the code list by code (F32, f32a) or by words of the title");
search->add_option("words", opts->words, "A code or words")->required();
search->add_option("--code-list", opts->code_list, "A code list replacing the built-in one")
    ->envname("TEND_CODE_LIST");
search->callback([opts, &rc] {
  care::rules::CodeList list;
  if (opts->code_list.empty()) {
    list = care::rules::built_in_codes();
  } else {
    std::string text;
    if (!read_file(opts->code_list, text)) {
      std::cerr << "tend: cannot read " << opts->code_list << "\n";
      rc = 1;
      return;
    }
    auto parsed = care::rules::parse_code_list(text);
    if (!parsed) {
      std::cerr << "tend: " << opts->code_list << ": " << parsed.error().detail << "\n";
      rc = 1;
      return;
    }
    list = std::move(*parsed);
  }
  std::string query;
  for (const auto& w : opts->words) query += (query.empty() ? "" : " ") + w;
  const auto found = care::rules::search_codes(list, query, 20);
  for (const auto& c : found) {
    std::cout << c.code << "\t" << (c.billable ? "" : "(category) ") << c.title << "\n";
  }
  if (found.empty()) std::cout << "no codes match\n";
  rc = 0;
});
}  // namespace tend::app

}  // namespace tend::app
