#pragma once
//! `tend codes …`: the diagnosis code list at the command line (no database needed).

#include <CLI/CLI.hpp>

namespace tend::app {

//! Adds `codes import` (CMS order file → our TSV) and `codes search`; `rc` gets the exit code.
void add_codes_commands(CLI::App& cli, int& rc);

}  // namespace tend::app
