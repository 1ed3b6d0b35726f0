// SPDX-License-Identifier: MIT
// A small HTTP/1.1 server in Python, written for the client's tests: each path is one
// behaviour, well-behaved or hostile (redirects, chunked, slow and lying bodies, resets, huge
// heads, a connection dropped on reuse). It prints its port, then serves until killed.
#pragma once

namespace soket::test {

inline constexpr const char* http_script_server = R"PY(
import itertools, json, socket, struct, sys, threading, time
srv = socket.socket()
srv.bind(('127.0.0.1', 0))
srv.listen(128)
print(srv.getsockname()[1], flush=True)
ids = itertools.count(1)

def send(c, status, body=b'', headers=(), reason='OK'):
    head = 'HTTP/1.1 %d %s\r\n' % (status, reason)
    names = [h[0].lower() for h in headers]
    if 'content-length' not in names and 'transfer-encoding' not in names:
        head += 'Content-Length: %d\r\n' % len(body)
    for k, v in headers:
        head += '%s: %s\r\n' % (k, v)
    c.sendall(head.encode() + b'\r\n' + body)

def handle(c, cid):
    f = c.makefile('rb')
    served = 0
    drop_next = False
    while True:
        line = f.readline(70000)
        if not line:
            return
        method, target, _ = line.decode('latin-1').split(' ', 2)
        headers = []
        while True:
            h = f.readline(70000)
            if h in (b'\r\n', b''):
                break
            k, v = h.decode('latin-1').split(':', 1)
            headers.append((k, v.strip()))
        hd = {k.lower(): v for k, v in headers}
        body = f.read(int(hd.get('content-length', '0')))
        if drop_next:
            c.close()
            return
        served += 1
        path, _, query = target.partition('?')
        q = dict(p.split('=', 1) for p in query.split('&') if '=' in p)
        head_only = method == 'HEAD'
        if path == '/hello':
            send(c, 200, b'' if head_only else b'hello', [('Content-Length', '5')] if head_only else ())
        elif path == '/conn':
            send(c, 200, str(cid).encode())
        elif path == '/echo':
            send(c, 200, json.dumps({'method': method, 'target': target, 'headers': headers,
                                     'body': body.decode('latin-1'), 'conn': cid}).encode())
        elif path == '/chunked':
            c.sendall(b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
                      b'3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nX-Trailer: t\r\n\r\n')
        elif path == '/redirect':
            code = int(q.get('code', '302'))
            send(c, code, b'moved', [('Location', q.get('to', '/echo'))], 'Moved')
        elif path == '/loop':
            send(c, 302, b'', [('Location', '/loop')], 'Found')
        elif path == '/noframe':
            c.sendall(b'HTTP/1.1 200 OK\r\n\r\nuntil close')
            c.close()
            return
        elif path == '/continue':
            c.sendall(b'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n')
            send(c, 200, b'after 1xx')
        elif path == '/hang':
            time.sleep(60)
            return
        elif path == '/slowbody':
            c.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello')
            time.sleep(60)
            return
        elif path == '/drip':
            c.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 300\r\n\r\n')
            for _ in range(300):
                c.sendall(b'x')
                time.sleep(0.1)
            return
        elif path == '/lying':
            c.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789')
            c.close()
            return
        elif path == '/reset':
            c.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n' + b'r' * 100000)
            time.sleep(0.2)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            c.close()
            return
        elif path == '/hugeheader':
            c.sendall(b'HTTP/1.1 200 OK\r\nX-Big: ' + b'a' * 200000 + b'\r\nContent-Length: 0\r\n\r\n')
        elif path == '/manyheaders':
            c.sendall(b'HTTP/1.1 200 OK\r\n' + b''.join(b'X-%d: v\r\n' % i for i in range(500)) +
                      b'Content-Length: 0\r\n\r\n')
        elif path == '/endless-chunk':
            c.sendall(b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFF\r\n')
            try:
                while True:
                    c.sendall(b'e' * 65536)
            except OSError:
                return
        elif path == '/endless-size':
            c.sendall(b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + b'1' * 100 + b'\r\n')
        elif path == '/cl-te':
            c.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n'
                      b'3\r\nabc\r\n0\r\n\r\n')
        elif path == '/badstatus':
            c.sendall(b'HTTP/1.1 20 OK\r\n\r\n')
        elif path == '/empty':
            c.close()
            return
        elif path == '/once-then-drop':
            # Answers with keep-alive, then drops the connection when the next request comes
            # (a server closing an idle connection just as the client reuses it).
            send(c, 200, b'first')
            drop_next = True
        elif path == '/status':
            send(c, int(q.get('code', '200')), b'status body', reason='Status')
        else:
            send(c, 404, b'not found', reason='Not Found')
        if hd.get('connection', '').lower() == 'close':
            return

def serve(c, cid):
    try:
        handle(c, cid)
    except OSError:
        pass
    finally:
        c.close()

while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c, next(ids)), daemon=True).start()
)PY";

/// An HTTP forward proxy in Python: absolute-form requests are forwarded (each on a new
/// connection, answer relayed until the server closes), CONNECT is tunnelled. It prints its
/// port, then one line per request it handled ("GET http://..." / "CONNECT host:port") on
/// stdout.
inline constexpr const char* http_test_proxy = R"PY(
import select, socket, sys, threading
from urllib.parse import urlsplit
srv = socket.socket()
srv.bind(('127.0.0.1', 0))
srv.listen(64)
print(srv.getsockname()[1], flush=True)
lock = threading.Lock()

def pipe(a, b):
    socks = [a, b]
    while True:
        r, _, _ = select.select(socks, [], [], 30)
        if not r:
            return
        for s in r:
            data = s.recv(65536)
            if not data:
                return
            (b if s is a else a).sendall(data)

def handle(c):
    f = c.makefile('rb')
    line = f.readline(65536).decode('latin-1')
    method, target, version = line.split(' ', 2)
    headers = []
    while True:
        h = f.readline(65536)
        if h in (b'\r\n', b''):
            break
        headers.append(h)
    auth = [h for h in headers if h.lower().startswith(b'proxy-authorization:')]
    with lock:
        print(method, target, 'auth' if auth else '', flush=True)
    if method == 'CONNECT':
        host, port = target.rsplit(':', 1)
        up = socket.create_connection((host.strip('[]'), int(port)))
        c.sendall(b'HTTP/1.1 200 Connection established\r\n\r\n')
        pipe(c, up)
        return
    u = urlsplit(target)
    up = socket.create_connection((u.hostname, u.port or 80))
    path = u.path or '/'
    if u.query:
        path += '?' + u.query
    out = ('%s %s HTTP/1.1\r\n' % (method, path)).encode()
    for h in headers:
        if not h.lower().startswith((b'proxy-', b'connection:')):
            out += h
    out += b'Connection: close\r\n\r\n'
    up.sendall(out)
    # The answer goes back as it comes; the client sees the connection close at its end.
    c.sendall(b'')
    while True:
        data = up.recv(65536)
        if not data:
            break
        c.sendall(data)

def serve(c):
    try:
        handle(c)
    except OSError:
        pass
    finally:
        c.close()

while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
)PY";

}  // namespace soket::test
