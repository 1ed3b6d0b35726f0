#!/usr/bin/env python3
"""Download 1 GiB over loopback from nginx (1 worker, sendfile on, access_log off) with
`soket http get`, curl and Python's urllib, in the same run, interleaved: rate (MiB/s) and the
client's CPU time per MiB (user+sys of the client process), medians of --repeat rounds, with
ratios to curl. The server is the same for all three, so the client is what differs.

Usage: bench/http_client/run.py BUILD_DIR [--size-mib 1024] [--repeat 3]
"""
import argparse, os, resource, shutil, socket, statistics, subprocess, sys, tempfile, time

PY_CLIENT = r'''
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=60) as r:
    n = 0
    while True:
        b = r.read(1 << 17)
        if not b:
            break
        n += len(b)
print(n)
'''


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def timed(argv):
    """Runs argv (stdout to /dev/null), returns (seconds, cpu seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True, timeout=300)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('build')
    ap.add_argument('--size-mib', type=int, default=1024)
    ap.add_argument('--repeat', type=int, default=3)
    args = ap.parse_args()
    soket = os.path.join(args.build, 'tools', 'soket')
    nginx = shutil.which('nginx') or '/usr/sbin/nginx'
    for need in (soket, nginx, shutil.which('curl')):
        if not need or not os.path.exists(need):
            sys.exit('run.py: missing %s (scripts/setup.sh --bench)' % need)
    d = tempfile.mkdtemp(prefix='soket-bench-http-client-')
    proc = None
    try:
        os.makedirs(d + '/www')
        os.makedirs(d + '/tmp')
        with open(d + '/www/big.bin', 'wb') as f:  # real pages, in the page cache after round 1
            block = os.urandom(1 << 20)
            for _ in range(args.size_mib):
                f.write(block)
        port = free_port()
        with open(d + '/nginx.conf', 'w') as f:
            f.write('''daemon off; master_process off; worker_processes 1; pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 64; }}
http {{ access_log off; sendfile on; tcp_nopush on;
  client_body_temp_path {d}/tmp/b; proxy_temp_path {d}/tmp/p; fastcgi_temp_path {d}/tmp/f;
  uwsgi_temp_path {d}/tmp/u; scgi_temp_path {d}/tmp/s;
  server {{ listen 127.0.0.1:{port}; root {d}/www; }} }}
'''.format(d=d, port=port))
        proc = subprocess.Popen([nginx, '-p', d, '-c', d + '/nginx.conf', '-e', d + '/error.log'])
        for _ in range(100):
            try:
                socket.create_connection(('127.0.0.1', port), 1).close()
                break
            except OSError:
                time.sleep(0.05)
        url = 'http://127.0.0.1:%d/big.bin' % port
        env = dict(os.environ, http_proxy='', HTTP_PROXY='')
        os.environ.update(env)
        clients = {
            'soket http get': [soket, 'http', 'get', '-s', url],
            'curl': ['curl', '-s', '-o', '/dev/null', url],
            'python urllib': [sys.executable, '-c', PY_CLIENT, url],
        }
        results = {name: [] for name in clients}
        timed(clients['curl'])  # warm the page cache
        for _ in range(args.repeat):
            for name, argv in clients.items():
                results[name].append(timed(argv))
        mib = args.size_mib
        rows = {}
        for name, runs in results.items():
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            rows[name] = (mib / wall, cpu * 1e6 / mib)
        curl_rate, curl_cpu = rows['curl']
        print('| client | MiB/s | rate vs curl | client CPU us/MiB | CPU vs curl |')
        print('|---|---|---|---|---|')
        for name, (rate, cpu) in rows.items():
            print('| %s | %.0f | %.2fx | %.0f | %.2fx |' % (name, rate, rate / curl_rate, cpu,
                                                           cpu / curl_cpu))
        print('(%d MiB, median of %d, load average %.1f)' % (mib, args.repeat, os.getloadavg()[0]))
    finally:
        if proc:
            proc.terminate()
            proc.wait(10)
        shutil.rmtree(d, ignore_errors=True)


if __name__ == '__main__':
    main()
