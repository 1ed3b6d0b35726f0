#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""HTTP static files: `soket http serve DIR` (1 loop) vs nginx (1 worker, sendfile on,
access_log off) vs h2o (1 thread) serving the same directory, each pinned to core 0, wrk -t1
-c100 on core 1: a 1 KiB, a 4 KiB, a 64 KiB and a 1 MiB file, and a 404. Runs interleaved and
repeated; medians. Reports requests/s and the server's CPU (utime+stime from /proc) per
request, and soket's ratios to each peer.

Usage: bench/http/files_run.py BUILD_DIR [--repeat 3] [--seconds 4] [--json out]
(BUILD_DIR: a Release build with tools/soket; nginx, h2o and wrk installed)
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_run import CLIENT_CORE, Server, cpu_seconds, free_port  # noqa: E402

FILES = {"1k.bin": 1024, "4k.bin": 4096, "64k.bin": 65536, "1m.bin": 1 << 20}
PATHS = ["/1k.bin", "/4k.bin", "/64k.bin", "/1m.bin", "/missing"]


def make_root(tmp):
    www = os.path.join(tmp, "www")
    os.makedirs(www, exist_ok=True)
    for name, size in FILES.items():
        with open(os.path.join(www, name), "wb") as f:
            f.write(bytes((i * 7 + 3) % 251 for i in range(size)))
        os.chmod(os.path.join(www, name), 0o644)
    for d in (tmp, www):
        os.chmod(d, 0o755)
    return www


def soket(build, www):
    port = free_port()
    return Server("soket", [os.path.join(build, "tools", "soket"), "http", "serve", www, "-a",
                            f"127.0.0.1:{port}", "--threads", "1"], port)


def nginx(tmp, www):
    port = free_port()
    d = os.path.join(tmp, "nginx")
    os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""daemon off; master_process off; worker_processes 1;
pid {d}/nginx.pid; error_log {d}/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; sendfile on; client_body_temp_path {d}/tmp/b; proxy_temp_path {d}/tmp/p;
fastcgi_temp_path {d}/tmp/f; uwsgi_temp_path {d}/tmp/u; scgi_temp_path {d}/tmp/s;
default_type application/octet-stream;
server {{ listen 127.0.0.1:{port}; root {www}; }} }}
""")
    return Server("nginx", ["nginx", "-p", d, "-c", conf, "-e", f"{d}/error.log"], port)


def h2o(tmp, www):
    port = free_port()
    d = os.path.join(tmp, "h2o")
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, "h2o.conf")
    with open(conf, "w") as f:
        f.write(f"""num-threads: 1
{"user: nobody" if os.geteuid() == 0 else ""}
listen:
  host: 127.0.0.1
  port: {port}
hosts:
  default:
    paths:
      /:
        file.dir: {www}
""")
    return Server("h2o", ["h2o", "-c", conf], port)


def wrk(port, path, seconds):
    out = subprocess.run(["taskset", "-c", CLIENT_CORE, "wrk", "-t1", "-c100", f"-d{seconds}s",
                          f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                         timeout=seconds + 30).stdout
    m = re.search(r"(\d+) requests in", out)
    if not m:
        raise RuntimeError("wrk: " + out)
    if path != "/missing" and "Non-2xx" in out:
        raise RuntimeError(f"wrk {path}: " + out)
    return int(m.group(1))


def measure(server, path, seconds):
    before = cpu_seconds(server.p.pid)
    t0 = time.time()
    n = wrk(server.port, path, seconds)
    elapsed = time.time() - t0
    cpu = cpu_seconds(server.p.pid) - before
    return n / elapsed, cpu / n * 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--json")
    a = ap.parse_args()
    for tool in ("wrk", "nginx", "h2o", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"files_run.py: {tool} is not installed (scripts/setup.sh --bench)")
    results = {}
    with tempfile.TemporaryDirectory(prefix="soket-bench-files-") as tmp:
        www = make_root(tmp)
        makers = [("soket", lambda: soket(a.build, www)), ("nginx", lambda: nginx(tmp, www)),
                  ("h2o", lambda: h2o(tmp, www))]
        for _ in range(a.repeat):
            for name, make in makers:
                s = make()
                try:
                    for path in PATHS:
                        wrk(s.port, path, 1)  # warm up
                        results.setdefault(path, {}).setdefault(name, []).append(
                            measure(s, path, a.seconds))
                finally:
                    s.stop()
    rows = {}
    print(f"static files, wrk -t1 -c100, {a.seconds} s x {a.repeat}, medians")
    print(f"{'path':10} {'server':8} {'req/s':>10} {'CPU us/req':>11}")
    for path, servers in results.items():
        rows[path] = {}
        for name, runs in servers.items():
            rps = statistics.median(r[0] for r in runs)
            us = statistics.median(r[1] for r in runs)
            rows[path][name] = {"rps": rps, "cpu_us": us}
            print(f"{path:10} {name:8} {rps:10.0f} {us:11.2f}")
        for peer in ("nginx", "h2o"):
            s, p = rows[path]["soket"], rows[path][peer]
            print(f"{path:10} soket/{peer}: req/s x{s['rps'] / p['rps']:.2f}, "
                  f"CPU/req x{s['cpu_us'] / p['cpu_us']:.2f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
