// SPDX-License-Identifier: MIT
// The documents' client.py: connect, print what the server says, close.
//   usage: client [host] [port]        (defaults: 127.0.0.1 12345)
#include <iostream>

#include <soket/soket.hpp>

#include "example_args.hpp"

int main(int argc, char** argv) try {
  auto [host, port] = examples::host_port(argc, argv);

  soket::Socket s(soket::Family::inet, soket::Type::stream);  // s = socket.socket()
  s.connect({host, port});                                    // s.connect((host, port))
  std::cout << s.recv(1024) << std::endl;                     // print s.recv(1024)
  s.close();                                                  // s.close()
} catch (const std::exception& e) {
  std::cerr << "client: " << e.what() << '\n';
  return 1;
}
