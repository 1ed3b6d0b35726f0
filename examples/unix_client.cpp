// SPDX-License-Identifier: MIT
// A Unix-domain stream client: sock.connect('/tmp/sock').
//   usage: unix_client [path]          (default /tmp/soket-example.sock)
#include <iostream>

#include <soket/soket.hpp>

int main(int argc, char** argv) try {
  const char* path = argc > 1 ? argv[1] : "/tmp/soket-example.sock";

  soket::Socket s(soket::Family::local, soket::Type::stream);
  s.connect(soket::Address::unix_path(path));
  std::cout << s.recv(1024) << std::endl;
} catch (const std::exception& e) {
  std::cerr << "unix_client: " << e.what() << '\n';
  return 1;
}
