// SPDX-License-Identifier: MIT
// Gopher against a real gophernicus serving a directory this test writes: the root menu, a
// text file, a subdirectory listing and a binary file byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <soket/proto/gopher/client.hpp>

#include "servers/news_server.hpp"

namespace gopher = soket::proto::gopher;
using soket::test::NewsServer;

namespace {

std::string blob() {
  std::string b;
  for (int i = 0; i < 70000; ++i) b += static_cast<char>((i * 7) & 0xff);
  return b;
}

void write_site(const std::string& dir) {
  std::filesystem::create_directories(dir + "/gopher/docs");
  std::ofstream(dir + "/gopher/gophermap")
      << "Welcome to the soket test\n\n0Hello text\t/hello.txt\n1Documents\t/docs\n"
         "9A blob\t/blob.bin\n";
  std::ofstream(dir + "/gopher/hello.txt") << "Hello from gophernicus.\n.leading dot\n";
  std::ofstream(dir + "/gopher/docs/readme.txt") << "A document in a subdirectory.\n";
  std::ofstream(dir + "/gopher/blob.bin", std::ios::binary) << blob();
}

}  // namespace

TEST(Gophernicus, MenuTextDirectoryAndBinary) {
  NewsServer server(NewsServer::Kind::gophernicus, write_site);
  if (!server.skip_reason().empty()) GTEST_SKIP() << server.skip_reason();
  const std::string base = "gopher://127.0.0.1:" + std::to_string(server.port());
  const auto root = gopher::fetch(gopher::parse_url(base + "/"));
  const gopher::Item* hello = nullptr;
  const gopher::Item* docs = nullptr;
  for (const auto& item : root.menu) {
    if (item.display == "Hello text") hello = &item;
    if (item.display == "Documents") docs = &item;
  }
  ASSERT_NE(hello, nullptr);
  ASSERT_NE(docs, nullptr);
  EXPECT_EQ(hello->type, gopher::A_TEXT);
  EXPECT_EQ(hello->host, "127.0.0.1");
  EXPECT_EQ(hello->port, server.port());
  EXPECT_EQ(root.menu.front().type, gopher::A_INFO);

  // Follow the items the menu gave, as a client does.
  auto sock = gopher::send_selector(hello->selector, hello->host, hello->port);
  EXPECT_EQ(gopher::get_textfile(sock), "Hello from gophernicus.\r\n.leading dot\r\n");
  sock = gopher::send_selector(docs->selector, docs->host, docs->port);
  const auto listing = gopher::get_directory(sock);
  bool found = false;
  for (const auto& item : listing) found |= item.selector == "/docs/readme.txt";
  EXPECT_TRUE(found);
  EXPECT_EQ(gopher::fetch(gopher::parse_url(base + "/9/blob.bin")).data, blob());
}
