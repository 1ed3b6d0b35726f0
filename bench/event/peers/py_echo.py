# SPDX-License-Identifier: MIT
# Python echo servers for the benchmark: socketserver (ThreadingTCPServer), asyncio, uvloop.
# Usage: py_echo.py socketserver|asyncio|uvloop [port]   (prints "PORT <n>")
import asyncio
import socketserver
import sys

kind = sys.argv[1]
port = int(sys.argv[2]) if len(sys.argv) > 2 else 0


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        while True:
            data = s.recv(65536)
            if not data:
                return
            s.sendall(data)


class EchoProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def serve():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(EchoProtocol, "127.0.0.1", port, backlog=4096)
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if kind == "socketserver":
    socketserver.ThreadingTCPServer.daemon_threads = True
    socketserver.ThreadingTCPServer.request_queue_size = 4096
    with socketserver.ThreadingTCPServer(("127.0.0.1", port), Echo) as srv:
        print("PORT", srv.server_address[1], flush=True)
        srv.serve_forever()
elif kind == "asyncio":
    asyncio.run(serve())
elif kind == "uvloop":
    import uvloop
    uvloop.install()
    asyncio.run(serve())
else:
    sys.exit("unknown server " + kind)
