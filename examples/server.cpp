// SPDX-License-Identifier: MIT
// The documents' server.py: accept clients forever, greet each, close.
//   usage: server [host] [port]        (defaults: 127.0.0.1 12345)
#include <iostream>

#include <soket/soket.hpp>

#include "example_args.hpp"

int main(int argc, char** argv) try {
  auto [host, port] = examples::host_port(argc, argv);
  examples::exit_on_interrupt();

  soket::Socket s(soket::Family::inet, soket::Type::stream);  // s = socket.socket()
  s.setsockopt(soket::opt::reuse_address, true);              // restart without waiting
  s.bind({host, port});                                       // s.bind((host, port))
  s.listen(5);                                                // s.listen(5)
  std::cerr << "Listening on " << s.getsockname() << std::endl;
  while (true) {
    auto [c, addr] = s.accept();  // c, addr = s.accept()
    std::cout << "Got connection from " << addr << std::endl;
    c.send("Thank you for connecting");  // c.send('Thank you for connecting')
    c.close();                           // c.close()
  }
} catch (const std::exception& e) {
  std::cerr << "server: " << e.what() << '\n';
  return 1;
}
