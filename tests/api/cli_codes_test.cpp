// `tend codes import|search`: CMS's order file converted into a code list (a synthetic fixture
// in the order file's fixed columns), a bad file refused naming its line, and search by code
// and words in the built-in list and a service's own.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/process.h"
#include "support/temp_dir.h"

namespace tend::testing {
namespace {

std::string read(const std::string& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(CliCodes, ImportsTheOrderFileAndSearchesTheResult) {
  TempDir dir;
  const auto out = dir.file("codes.tsv");
  auto imported = run_tend(
      {"codes", "import", "--from",
       std::string(TEND_SOURCE_DIR) + "/tests/care/cases/icd10cm_order_sample.txt", "--out", out});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE(imported.out.find("9 codes written"), std::string::npos) << imported.out;
  EXPECT_NE(imported.out.find("(5 valid for coding)"), std::string::npos) << imported.out;
  const std::string tsv = read(out);
  EXPECT_EQ(tsv.rfind("code\tbillable\ttitle\nF32\t0\t", 0), 0u) << tsv;
  EXPECT_NE(tsv.find("F43.81\t1\tSynthetic long title for prolonged grief\n"), std::string::npos);
  EXPECT_EQ(tsv.find("E11"), std::string::npos);
  EXPECT_EQ(tsv.find("Z72"), std::string::npos);

  auto own = run_tend({"codes", "search", "--code-list", out, "grief"});
  EXPECT_EQ(own.exit_code, 0) << own.err;
  EXPECT_EQ(own.out, "F43.81\tSynthetic long title for prolonged grief\n");

  auto built_in = run_tend({"codes", "search", "f32a"});
  EXPECT_EQ(built_in.out, "F32.A\tDepression, unspecified\n");
  auto words = run_tend({"codes", "search", "prolonged", "grief"});
  EXPECT_EQ(words.out, "F43.81\tProlonged grief disorder\n");

  std::ofstream(dir.file("bad.txt"))
      << "00001 F320    1 Short                                                        Long\n"
         "F32.1 Moderate\n";
  auto bad =
      run_tend({"codes", "import", "--from", dir.file("bad.txt"), "--out", dir.file("never.tsv")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("line 2: not in the order file's fixed columns"), std::string::npos)
      << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("never.tsv")));
}

}  // namespace
}  // namespace tend::testing
