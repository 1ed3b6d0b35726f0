// SPDX-License-Identifier: MIT
// Keeps docs/python-parity.md honest: every soket name a `yes`/`partial` row claims must be
// used by some test under tests/, and every public name of Python's socket module (asked of
// the Python on this machine) must have a row.
#include <gtest/gtest.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/support.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path source_dir = SOKET_SOURCE_DIR;

struct Row {
  int line = 0;
  std::string python, soket, status;
};

std::string trim(std::string s) {
  auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  s.erase(s.begin(), std::find_if_not(s.begin(), s.end(), space));
  s.erase(std::find_if_not(s.rbegin(), s.rend(), space).base(), s.end());
  return s;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The table rows of the parity document (header and separator rows skipped).
std::vector<Row> read_rows() {
  std::ifstream in(source_dir / "docs/python-parity.md");
  EXPECT_TRUE(in) << "docs/python-parity.md is missing";
  std::vector<Row> rows;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.starts_with("| ")) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1));
    for (std::string cell; std::getline(ss, cell, '|');) cells.push_back(trim(cell));
    if (cells.size() < 3 || cells[0] == "Python") continue;
    rows.push_back({n, cells[0], cells[1], cells[2]});
  }
  return rows;
}

// The spans between backticks.
std::vector<std::string> quoted(const std::string& cell) {
  std::vector<std::string> out;
  for (std::size_t pos = 0;;) {
    auto open = cell.find('`', pos);
    if (open == std::string::npos) break;
    auto close = cell.find('`', open + 1);
    if (close == std::string::npos) break;
    out.push_back(cell.substr(open + 1, close - open - 1));
    pos = close + 1;
  }
  return out;
}

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// `soket::io::makefile(sock)` -> "makefile"; "" when the span names no identifier.
std::string last_identifier(std::string span) {
  span = span.substr(0, span.find('('));
  span = trim(span);
  for (const char* sep : {"::", "."}) {
    auto p = span.rfind(sep);
    if (p != std::string::npos) span = span.substr(p + std::string(sep).size());
  }
  if (span.empty() || !std::all_of(span.begin(), span.end(), ident_char)) return {};
  return span;
}

bool contains_word(const std::string& text, const std::string& word) {
  for (std::size_t pos = text.find(word); pos != std::string::npos;
       pos = text.find(word, pos + 1)) {
    bool left = pos == 0 || !ident_char(text[pos - 1]);
    bool right = pos + word.size() >= text.size() || !ident_char(text[pos + word.size()]);
    if (left && right) return true;
  }
  return false;
}

// Every test source except this file, concatenated.
std::string test_sources() {
  std::string all;
  for (const auto& e : fs::recursive_directory_iterator(source_dir / "tests")) {
    auto ext = e.path().extension();
    if (!e.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
    if (e.path().filename() == "parity_test.cpp") continue;
    all += read_file(e.path());
  }
  return all;
}

// Runs Python and returns its stdout lines.
std::vector<std::string> python_lines(const std::string& code) {
  soket::test::Child py(soket::test::python_argv(code));
  std::stringstream out(py.read_all());
  EXPECT_EQ(py.wait(), 0) << py.read_stderr();
  std::vector<std::string> lines;
  for (std::string l; std::getline(out, l);) lines.push_back(l);
  return lines;
}

// Whether a Python column mentions `name`: as an identifier, or by a `PREFIX_*` group.
bool mentions(const std::vector<Row>& rows, const std::string& name) {
  for (const auto& row : rows) {
    for (const auto& span : quoted(row.python)) {
      if (span.ends_with("_*") && name.starts_with(span.substr(0, span.size() - 1))) return true;
      if (contains_word(span, name)) return true;
    }
    if (contains_word(row.python, name)) return true;
  }
  return false;
}

}  // namespace

TEST(Parity, EveryRowHasAStatusAndAReason) {
  auto rows = read_rows();
  ASSERT_GT(rows.size(), 50u);
  for (const auto& row : rows) {
    bool ok = row.status == "yes" || row.status.starts_with("partial: ") ||
              row.status.starts_with("n/a: ");
    EXPECT_TRUE(ok) << "line " << row.line << ": status must be yes, 'partial: why' or "
                    << "'n/a: why', not '" << row.status << "'";
    if (row.status != "yes" && !row.status.starts_with("n/a")) {
      EXPECT_FALSE(quoted(row.soket).empty()) << "line " << row.line << " names no soket API";
    }
  }
}

TEST(Parity, EveryClaimedSoketNameIsUsedByATest) {
  auto rows = read_rows();
  std::string tests = test_sources();
  ASSERT_FALSE(tests.empty());
  int checked = 0;
  for (const auto& row : rows) {
    if (row.status.starts_with("n/a")) continue;
    for (const auto& span : quoted(row.soket)) {
      std::string name = last_identifier(span);
      if (name.empty()) continue;
      ++checked;
      EXPECT_TRUE(contains_word(tests, name))
          << "docs/python-parity.md line " << row.line << " claims `" << span << "` for "
          << row.python << ", but no test under tests/ uses " << name;
    }
  }
  EXPECT_GT(checked, 150);
}

TEST(Parity, EveryPythonNameHasARow) {
  auto rows = read_rows();
  auto version = python_lines("import sys; print('%d.%d' % sys.version_info[:2])");
  ASSERT_EQ(version.size(), 1u);
  // The table describes 3.11; another Python has other names (3.12 adds ETH_P_ALL, ...).
  if (version[0] != "3.11") GTEST_SKIP() << "the table is for Python 3.11, not " << version[0];
  auto module = python_lines(
      "import socket\n"
      "for n in dir(socket):\n"
      "    if not n.startswith('_'): print(n)\n");
  auto methods = python_lines(
      "import socket\n"
      "for n in dir(socket.socket):\n"
      "    if not n.startswith('_'): print(n)\n");
  ASSERT_GT(module.size(), 300u);
  ASSERT_GT(methods.size(), 30u);
  int covered = 0, left_out = 0;
  std::set<std::string> not_applicable;
  for (const auto& name : module) {
    EXPECT_TRUE(mentions(rows, name)) << "socket." << name << " has no row";
    for (const auto& row : rows)
      if (row.status.starts_with("n/a") && mentions(std::vector<Row>{row}, name))
        not_applicable.insert(name);
  }
  for (const auto& name : methods) EXPECT_TRUE(mentions(rows, name)) << "socket.socket." << name;
  for (const auto& name : module) (not_applicable.count(name) ? left_out : covered)++;
  // For the report: how much of the module soket covers.
  std::cout << "python-parity: " << module.size() << " module names, " << covered << " covered, "
            << left_out << " not applicable; " << methods.size() << " socket methods/attributes\n";
}
