#include <gtest/gtest.h>

#include "platform/crypto/crypto.h"
#include "platform/log.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  tend::crypto::init();
  tend::log::init("error");
  return RUN_ALL_TESTS();
}
