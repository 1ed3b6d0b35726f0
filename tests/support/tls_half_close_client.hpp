// SPDX-License-Identifier: MIT
// A TLS client that ends its side together with its request, for the tests of a server that
// must still answer: Python's ssl over memory BIOs, so the request, close_notify and the FIN
// leave in one TCP segment (TCP_CORK) and the server reads them in one go.
#pragma once

namespace soket::test {

/// Python source for test::python_argv. argv: port, CA file, server name, request bytes, end
/// ("close_notify", or "fin": a bare FIN, a truncation to the server), what to print ("all",
/// or "body": what follows an HTTP head). Reads the answer until the server's end and prints
/// it, or "nothing".
inline constexpr const char* tls_half_closing_client = R"(
import socket, ssl, sys
port, cafile, name, request, end, show = sys.argv[1:7]
ctx = ssl.create_default_context(cafile=cafile)
sock = socket.create_connection(('127.0.0.1', int(port)), timeout=20)
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = ctx.wrap_bio(inc, out, server_hostname=name)
def flush():
    data = out.read()
    if data: sock.sendall(data)
def pump():
    b = sock.recv(65536)
    if b: inc.write(b)
    else: inc.write_eof()
    return bool(b)
while True:
    try:
        tls.do_handshake(); break
    except ssl.SSLWantReadError:
        flush(); pump()
flush()
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
tls.write(request.encode())
if end == 'close_notify':
    try:
        tls.unwrap()
    except ssl.SSLWantReadError:
        pass
flush()
sock.shutdown(socket.SHUT_WR)
data = b''
for _ in range(10000):
    try:
        d = tls.read(65536)
        if not d: break
        data += d
    except ssl.SSLWantReadError:
        if not pump() and inc.pending == 0: break
    except ssl.SSLError:  # the end, clean or not (the server's alert after a truncation)
        break
if show == 'body': data = data.split(b'\r\n\r\n', 1)[-1]
print(data.decode().strip() or 'nothing')
)";

}  // namespace soket::test
