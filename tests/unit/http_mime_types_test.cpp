// SPDX-License-Identifier: MIT
// MimeTypes: the built-in table, reading a mime.types file (the test writes its own, with
// comments and odd lines), and agreement with Python's mimetypes on /etc/mime.types.
#include "soket/proto/http/mime_types.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

namespace http = soket::proto::http;
namespace fs = std::filesystem;

TEST(HttpMimeTypes, BuiltInTable) {
  http::MimeTypes m;
  EXPECT_EQ(m.guess_type("/a/index.html"), "text/html");
  EXPECT_EQ(m.guess_type("x.JS"), "text/javascript");
  EXPECT_EQ(m.guess_type("font.woff2"), "font/woff2");
  EXPECT_EQ(m.guess_type("noext"), "application/octet-stream");
  EXPECT_EQ(m.guess_type("trailingdot."), "application/octet-stream");
  EXPECT_EQ(m.guess_type("dir.html/file"), "application/octet-stream");  // last segment only
  EXPECT_EQ(m.guess_type("x.unknownext", "text/plain"), "text/plain");
}

TEST(HttpMimeTypes, ReadsAMimeTypesFile) {
  const fs::path file = fs::temp_directory_path() / ("soket_mime_" + std::to_string(::getpid()));
  {
    std::ofstream out(file);
    out << "# comment line\n"
           "application/x-soket\tsok SOK2  # trailing comment\n"
           "\n"
           "   \n"
           "notatype ext1\n"
           "text/html html htm\n"
           "text/x-override\ttxt\r\n";
  }
  http::MimeTypes m;
  ASSERT_TRUE(m.read(file));
  fs::remove(file);
  EXPECT_EQ(m.guess_type("a.sok"), "application/x-soket");
  EXPECT_EQ(m.guess_type("a.sok2"), "application/x-soket");
  EXPECT_EQ(m.guess_type("a.ext1"), "application/octet-stream");
  EXPECT_EQ(m.guess_type("a.txt"), "text/x-override");  // the file wins over the built-in
  EXPECT_FALSE(m.read(file));                           // gone: false, nothing changed
  EXPECT_EQ(m.guess_type("a.sok"), "application/x-soket");
  m.add_type("image/x-test", ".TST");
  EXPECT_EQ(m.guess_type("b.tst"), "image/x-test");
}

TEST(HttpMimeTypes, AgreesWithPythonOnTheSystemFile) {
  if (!fs::exists("/etc/mime.types")) GTEST_SKIP() << "/etc/mime.types is not installed";
  const std::array<const char*, 8> names{"a.html", "a.css",  "a.png",  "a.svg",
                                         "a.pdf",  "a.wasm", "a.json", "a.tar"};
  std::string cmd =
      "python3 -c 'import mimetypes,sys\n"
      "m=mimetypes.MimeTypes(filenames=(\"/etc/mime.types\",))\n"
      "[print(m.guess_type(n, strict=True)[0]) for n in sys.argv[1:]]'";
  for (auto* n : names) cmd += std::string(" ") + n;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(cmd.c_str(), "r"), ::pclose);
  ASSERT_TRUE(pipe);
  const auto& m = http::MimeTypes::system();
  for (auto* n : names) {
    char line[256] = {};
    ASSERT_NE(std::fgets(line, sizeof line, pipe.get()), nullptr) << "python3 said nothing";
    std::string want = line;
    while (!want.empty() && want.back() == '\n') want.pop_back();
    EXPECT_EQ(m.guess_type(n), want) << n;
  }
}
