// SPDX-License-Identifier: MIT
// Built against an installed soket: one exchange over loopback, printed as the documents do.
#include <iostream>

#include <soket/soket.hpp>

int main() {
  soket::Socket server(soket::Family::inet, soket::Type::stream);
  server.bind({"127.0.0.1", 0});
  server.listen();
  soket::Socket client(soket::Family::inet, soket::Type::stream);
  client.connect(server.getsockname());
  auto [conn, addr] = server.accept();
  conn.sendall("Thank you for connecting");
  conn.close();
  std::cout << client.recv(1024) << " (soket " << soket::version << ")\n";
}
