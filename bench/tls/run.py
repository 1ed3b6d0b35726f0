#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""TLS on soket's event engine against nginx (handshakes/s) and Asio's ssl::stream (bulk).

Handshakes: nginx 1.22 (1 worker, access_log off, `return 200`) and soket's TLS echo server
(1 loop), both with the same ECDSA P-256 certificate, TLS 1.3 (X25519, OpenSSL defaults), the
same load generator (bench_tls_handshake_client: 32 connections on one engine loop, each
handshake followed by one small request and the first bytes of the answer, so TLS 1.3
tickets are read), new sessions and resumed ones (the last ticket offered).
Bulk: one connection echoing 64 KiB messages, 4 in flight (`soket perf -c 1 -d 4 -s 65536`,
every byte checked)
through soket's TLS echo (the negotiated TLS_AES_256_GCM_SHA384, and soket-tls-aes128 with the
server preferring TLS_AES_128_GCM_SHA256), Asio's ssl::stream echo, soket's plain-TCP echo,
and soket with kernel TLS where the kernel has the "tls" ULP (else the row says why not).

Servers on core 0 (taskset), the load on core 1; runs interleaved and repeated, medians. The
server's CPU time (utime+stime from /proc) per handshake / per MiB echoed is the steady figure.

Usage: bench/tls/run.py BUILD_DIR [--repeat 3] [--seconds 3] [--only handshakes|bulk]
                        [--base-build OLD_BUILD_DIR] [--json out]
(BUILD_DIR configured with -DSOKET_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release)
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from server_cpu import CLIENT_CORE, SERVER_CORE, cpu_seconds, free_port  # noqa: E402


class Proc:
    """A server under test, pinned to the server core; reports its port on stdout."""

    def __init__(self, argv, port=None, pid_file=None):
        self.p = subprocess.Popen(["taskset", "-c", SERVER_CORE] + argv, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.pid = self.p.pid
        if port is None:
            line = self.p.stdout.readline().split()
            if len(line) != 2 or line[0] != "PORT":
                self.stop()
                raise RuntimeError(f"{argv[0]} did not report its port")
            port = int(line[1])
        self.port = port
        if pid_file:  # nginx: the worker does the work; measure the worker
            deadline = time.time() + 10
            while time.time() < deadline:
                kids = subprocess.run(["pgrep", "-P", str(self.p.pid)], capture_output=True,
                                      text=True).stdout.split()
                if kids:
                    self.pid = int(kids[0])
                    break
                time.sleep(0.05)
        time.sleep(0.3)

    def stop(self):
        self.p.terminate()  # our own child, by PID
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def make_cert(d):
    cert, key = os.path.join(d, "ec.crt"), os.path.join(d, "ec.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert, "-days",
                    "2", "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True,
                   capture_output=True)
    return cert, key


def nginx_argv(d, cert, key, port):
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""
worker_processes 1;
daemon off;
master_process on;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {d}; proxy_temp_path {d}; fastcgi_temp_path {d};
  uwsgi_temp_path {d}; scgi_temp_path {d};
  keepalive_requests 100000;
  ssl_protocols TLSv1.3;
  ssl_session_cache shared:SSL:10m;
  ssl_session_tickets on;
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    location / {{ return 200 "ok\\n"; }}
  }}
}}
""")
    return ["nginx", "-c", conf, "-p", d]


def handshakes(build, server, mode, seconds):
    client = os.path.join(build, "bench", "tls", "bench_tls_handshake_client")
    cpu0 = cpu_seconds(server.pid)
    out = subprocess.run(["taskset", "-c", CLIENT_CORE, client, str(server.port), str(seconds),
                          "32", mode], capture_output=True, text=True, timeout=seconds + 60)
    cpu = cpu_seconds(server.pid) - cpu0
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    r = json.loads(out.stdout)
    n = max(r["handshakes"], 1)
    return {"rate": r["handshakes"] / r["seconds"], "resumed": r["resumed"] / n,
            "errors": r["errors"], "cpu_us": cpu * 1e6 / n}


def bulk(build, server, seconds, tls):
    tool = os.path.join(build, "tools", "soket")
    cmd = ["taskset", "-c", CLIENT_CORE, tool, "perf", f"127.0.0.1:{server.port}", "-c", "1",
           "-d", "4", "-s", "65536", "-t", str(seconds), "--json"] + (["--tls"] if tls else [])
    cpu0 = cpu_seconds(server.pid)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    cpu = cpu_seconds(server.pid) - cpu0
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip() or out.stdout.strip())
    r = json.loads(out.stdout)
    mib = max(r["messages"], 1) * 65536 / (1 << 20)
    return {"mbs": r["mb_per_second"], "cpu_us": cpu * 1e6 / max(r["messages"], 1),
            "cpu_us_per_mib": cpu * 1e6 / mib}


def kernel_tls():
    """Why kernel TLS cannot run here, or None when the kernel offers the "tls" ULP."""
    try:
        with open("/proc/sys/net/ipv4/tcp_available_ulp") as f:
            if "tls" in f.read().split():
                return None
    except OSError:
        pass
    return "this kernel has no \"tls\" TCP ULP (tcp_available_ulp)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--only", choices=("handshakes", "bulk"), default="")
    ap.add_argument("--base-build", default="",
                    help="adds soket-tls-base: the TLS echo server of an older build")
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="soket-tls-bench-")
    try:
        cert, key = make_cert(d)
        tb = os.path.join(a.build, "bench", "tls")
        hs_servers = {
            "soket": lambda: Proc([os.path.join(tb, "bench_soket_tls_echo"), cert, key]),
            "nginx": lambda: (lambda p: Proc(nginx_argv(d, cert, key, p), port=p,
                                             pid_file=True))(free_port()),
        }
        echo = os.path.join(tb, "bench_soket_tls_echo")
        bulk_servers = {
            "soket-tls": (lambda: Proc([echo, cert, key]), True),
            "soket-tls-aes128": (lambda: Proc([echo, cert, key, "tls", "TLS_AES_128_GCM_SHA256"]),
                                 True),
            "asio-ssl": (lambda: Proc([os.path.join(tb, "bench_asio_ssl_echo"), cert, key]),
                         True),
            "soket-plain": (lambda: Proc([echo, cert, key, "plain"]), False),
        }
        if a.base_build:
            base_echo = os.path.join(a.base_build, "bench", "tls", "bench_soket_tls_echo")
            bulk_servers["soket-tls-base"] = (lambda: Proc([base_echo, cert, key]), True)
        no_ktls = kernel_tls()
        if no_ktls is None:
            bulk_servers["soket-ktls"] = (lambda: Proc([echo, cert, key, "ktls"]), True)
        if a.only == "bulk":
            hs_servers = {}
        if a.only == "handshakes":
            bulk_servers = {}
        hs = {(n, m): [] for n in hs_servers for m in ("new", "resume")}
        bk = {n: [] for n in bulk_servers}
        for _ in range(a.repeat):
            for name, start in hs_servers.items():
                for mode in ("new", "resume"):
                    s = start()
                    try:
                        hs[(name, mode)].append(handshakes(a.build, s, mode, a.seconds))
                    finally:
                        s.stop()
            for name, (start, tls) in bulk_servers.items():
                s = start()
                try:
                    bk[name].append(bulk(a.build, s, a.seconds, tls))
                finally:
                    s.stop()

        def med(runs, key):
            return statistics.median(r[key] for r in runs)

        if hs_servers:
            print("TLS 1.3 handshakes/s (32 connections, ECDSA P-256, request + first answer "
                  "bytes)")
            print("| server | new | resumed |")
            print("|---|---|---|")
        for name in hs_servers:
            cells = []
            for mode in ("new", "resume"):
                runs = hs[(name, mode)]
                ratio = med(runs, "rate") / med(hs[("nginx", mode)], "rate")
                cells.append(f"{med(runs, 'rate'):,.0f}/s ({ratio:.2f}x nginx, "
                             f"{med(runs, 'cpu_us'):.0f} us cpu/handshake, "
                             f"{med(runs, 'resumed') * 100:.0f}% resumed)")
            print(f"| {name} | " + " | ".join(cells) + " |")
        if bulk_servers:
            print()
            print("Bulk, 1 connection, 64 KiB echo messages x 4 in flight (soket perf, every byte "
                  "checked)")
            print("| server | MB/s | ratio to asio-ssl | ratio to soket-plain | server cpu/msg | "
                  "server cpu/MiB |")
            print("|---|---|---|---|---|---|")
        for name in bulk_servers:
            m = med(bk[name], "mbs")
            print(f"| {name} | {m:,.0f} | {m / med(bk['asio-ssl'], 'mbs'):.2f}x | "
                  f"{m / med(bk['soket-plain'], 'mbs'):.2f}x | {med(bk[name], 'cpu_us'):.1f} us | "
                  f"{med(bk[name], 'cpu_us_per_mib'):.0f} us |")
        if bulk_servers and no_ktls:
            print(f"| soket-ktls | not run: {no_ktls} | | | | |")
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"handshakes": {f"{k[0]}/{k[1]}": v for k, v in hs.items()},
                           "bulk": bk}, f, indent=1)
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
