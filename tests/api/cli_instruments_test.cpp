// `tend instruments list|check`: the library from the command line, and a service's own files
// validated before they are deployed.

#include <gtest/gtest.h>

#include <fstream>

#include "support/process.h"
#include "support/temp_dir.h"

namespace tend::testing {
namespace {

TEST(CliInstruments, ListsTheLibraryAndChecksAServicesFiles) {
  auto list = run_tend({"instruments", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("phq-9  PHQ-9  0-27"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("dast-10"), std::string::npos);
  EXPECT_NE(list.out.find("(wording added by the service)"), std::string::npos);

  TempDir dir;
  auto ok = run_tend({"instruments", "check", dir.path().string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("0 refused"), std::string::npos);

  std::ofstream(dir.file("broken.json"))
      << R"({"id": "broken", "questionnaire": {}, "scoring": {}})";
  auto bad = run_tend({"instruments", "check", dir.path().string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("broken.json"), std::string::npos) << bad.err;
  EXPECT_NE(bad.out.find("1 refused"), std::string::npos);
}

}  // namespace
}  // namespace tend::testing
