// SPDX-License-Identifier: MIT
// A Unix-domain stream server on a socket file: sock.bind('/tmp/sock'), as the documents show.
//   usage: unix_server [path]          (default /tmp/soket-example.sock)
#include <filesystem>
#include <iostream>

#include <soket/soket.hpp>

#include "example_args.hpp"

int main(int argc, char** argv) try {
  const char* path = argc > 1 ? argv[1] : "/tmp/soket-example.sock";
  auto address = soket::Address::unix_path(path);

  // A socket file left by an earlier run makes bind fail with "Address already in use".
  if (std::filesystem::is_socket(path)) std::filesystem::remove(path);
  examples::exit_on_interrupt(path);

  soket::Socket s(soket::Family::local, soket::Type::stream);
  s.bind(address);
  s.listen(5);
  std::cerr << "Listening on " << s.getsockname() << std::endl;
  while (true) {
    auto [conn, addr] = s.accept();  // a Unix client is usually unnamed: addr prints ''
    std::cout << "Got connection on " << address << std::endl;
    conn.sendall("Thank you for connecting");
    conn.close();
  }
} catch (const std::exception& e) {
  std::cerr << "unix_server: " << e.what() << '\n';
  return 1;
}
