# SPDX-License-Identifier: MIT
# The benchmark's Python peer: socketserver.ThreadingTCPServer with the same echo handler as
# echo_server.cpp. Prints its port on stdout.
import socketserver
import sys


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        while True:
            data = s.recv(65536)
            if not data:
                return
            s.sendall(data)


class Server(socketserver.ThreadingTCPServer):
    request_queue_size = 128
    daemon_threads = True


with Server(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Echo) as srv:
    print(srv.server_address[1], flush=True)
    srv.serve_forever()
