// SPDX-License-Identifier: MIT
// The documents' serverku2.py: the same server in a loop, so it serves many clients in turn.
//   usage: serverku2 [host] [port]     (defaults: 127.0.0.1 12345; the documents bind 0.0.0.0)
#include <iostream>

#include <soket/soket.hpp>

#include "example_args.hpp"

int main(int argc, char** argv) try {
  auto [host, port] = examples::host_port(argc, argv);
  examples::exit_on_interrupt();

  soket::Socket s(soket::Family::inet, soket::Type::stream);
  s.setsockopt(soket::opt::reuse_address, true);
  s.bind({host, port});
  s.listen(2);
  std::cerr << "Listening on " << s.getsockname() << std::endl;
  while (true) {
    auto [conn, addr] = s.accept();
    std::cout << addr << " Now Connected" << std::endl;
    conn.sendall("Thank you for connecting");
    conn.close();
  }
} catch (const std::exception& e) {
  std::cerr << "serverku2: " << e.what() << '\n';
  return 1;
}
