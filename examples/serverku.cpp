// SPDX-License-Identifier: MIT
// The documents' serverku.py: serve one client, both ways — greet it, print its answer.
//   usage: serverku [host] [port]      (defaults: 127.0.0.1 12345)
#include <iostream>

#include <soket/soket.hpp>

#include "example_args.hpp"

int main(int argc, char** argv) try {
  auto [host, port] = examples::host_port(argc, argv);
  examples::exit_on_interrupt();

  soket::Socket s(soket::Family::inet, soket::Type::stream);
  s.bind({host, port});
  s.listen(2);
  std::cerr << "Listening on " << s.getsockname() << std::endl;
  auto [conn, addr] = s.accept();
  std::cout << addr << " Selamat Anda Sudah Terhubung dengan Serverku.py" << std::endl;
  conn.sendall("Terima Kasih karena telah berkomunikasi dengan Serverku.py");
  // The second half of the exchange: what clientku sends back.
  std::string reply = conn.recv(1024);
  std::cout << reply << std::endl;
  conn.close();
} catch (const std::exception& e) {
  std::cerr << "serverku: " << e.what() << '\n';
  return 1;
}
