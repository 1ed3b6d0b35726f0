// SPDX-License-Identifier: MIT
// A test fixture: a document root in a temporary directory of its own (per process and test),
// served by http::StaticFiles behind an in-process http::Server on 127.0.0.1 once start() runs.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <soket/proto/http/server.hpp>
#include <soket/proto/http/static_files.hpp>

namespace soket::test {

class ServedFiles : public ::testing::Test {
 protected:
  // `prefix` names the temporary directory: <tmp>/<prefix><pid>_<test name>/www is the root.
  explicit ServedFiles(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override {
    base = std::filesystem::temp_directory_path() /
           (prefix_ + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(base);
    root = base / "www";
    std::filesystem::create_directories(root);
  }
  void TearDown() override {
    server.reset();
    std::filesystem::remove_all(base);
  }
  void start(proto::http::StaticFiles::Options options = {}) {
    files = std::make_shared<proto::http::StaticFiles>(root, std::move(options));
    server = std::make_unique<proto::http::Server>(
        Address("127.0.0.1", 0), [f = files](const proto::http::Request& req,
                                             proto::http::Response& res) { (*f)(req, res); });
    server->start();
  }
  static void write(const std::filesystem::path& p, std::string_view text) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  }

  std::filesystem::path base, root;
  std::shared_ptr<proto::http::StaticFiles> files;
  std::unique_ptr<proto::http::Server> server;

 private:
  std::string prefix_;
};

}  // namespace soket::test
