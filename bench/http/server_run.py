#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""HTTP server, small in-memory answer: `soket http serve --text` (1 loop) vs nginx (1 worker,
access_log off, `return 200 "..."`) vs h2o (1 thread, the same bytes from a file: h2o 2.2 has
no in-memory answer), each pinned to core 0, wrk -t1 -c100 on core 1. Runs interleaved and
repeated; medians. Reports requests/s and the server's CPU (utime+stime from /proc) per
request, and soket's ratios to each peer.

Usage: bench/http/server_run.py BUILD_DIR [--repeat 3] [--seconds 4] [--json out]
(BUILD_DIR: a Release build with tools/soket; nginx, h2o and wrk installed)
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

SERVER_CORE, CLIENT_CORE = "0", "1"
CLK = os.sysconf("SC_CLK_TCK")
BODY = "Hello, world\n"


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


class Server:
    def __init__(self, name, argv, port):
        self.name, self.port = name, port
        self.p = subprocess.Popen(["taskset", "-c", SERVER_CORE] + argv, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        wait_port(port)

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait(5)


def soket(build, tmp):
    port = free_port()
    return Server("soket", [os.path.join(build, "tools", "soket"), "http", "serve", "-a",
                            f"127.0.0.1:{port}", "--threads", "1", "--text", BODY], port)


def nginx(tmp):
    port = free_port()
    d = os.path.join(tmp, "nginx")
    os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""daemon off; master_process off; worker_processes 1;
pid {d}/nginx.pid; error_log {d}/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; client_body_temp_path {d}/tmp/b; proxy_temp_path {d}/tmp/p;
fastcgi_temp_path {d}/tmp/f; uwsgi_temp_path {d}/tmp/u; scgi_temp_path {d}/tmp/s;
server {{ listen 127.0.0.1:{port}; default_type text/plain;
location / {{ return 200 "{BODY.strip()}\\n"; }} }} }}
""")
    return Server("nginx", ["nginx", "-p", d, "-c", conf, "-e", f"{d}/error.log"], port)


def h2o(tmp):
    port = free_port()
    d = os.path.join(tmp, "h2o")
    os.makedirs(os.path.join(d, "www"), exist_ok=True)
    os.chmod(tmp, 0o755)
    os.chmod(d, 0o755)
    with open(os.path.join(d, "www", "index.txt"), "w") as f:
        f.write(BODY)
    os.chmod(os.path.join(d, "www", "index.txt"), 0o644)
    os.chmod(os.path.join(d, "www"), 0o755)
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
        file.dir: {d}/www
        file.index: ['index.txt']
""")
    return Server("h2o", ["h2o", "-c", conf], port)


def wrk(port, seconds):
    out = subprocess.run(["taskset", "-c", CLIENT_CORE, "wrk", "-t1", "-c100", f"-d{seconds}s",
                          f"http://127.0.0.1:{port}/"], capture_output=True, text=True,
                         timeout=seconds + 30).stdout
    m = re.search(r"(\d+) requests in", out)
    if not m or "Non-2xx" in out:
        raise RuntimeError("wrk: " + out)
    return int(m.group(1))


def measure(server, seconds):
    before = cpu_seconds(server.p.pid)
    t0 = time.time()
    n = wrk(server.port, seconds)
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
            sys.exit(f"server_run.py: {tool} is not installed (scripts/setup.sh --bench)")
    results = {}
    with tempfile.TemporaryDirectory(prefix="soket-bench-http-") as tmp:
        makers = [("soket", lambda: soket(a.build, tmp)), ("nginx", lambda: nginx(tmp)),
                  ("h2o", lambda: h2o(tmp))]
        for _ in range(a.repeat):
            for name, make in makers:
                s = make()
                try:
                    wrk(s.port, 1)  # warm up
                    results.setdefault(name, []).append(measure(s, a.seconds))
                finally:
                    s.stop()
    rows = {}
    print(f"small answer ({len(BODY)} bytes), wrk -t1 -c100, {a.seconds} s x {a.repeat}, medians")
    print(f"{'server':8} {'req/s':>10} {'CPU us/req':>11}")
    for name, runs in results.items():
        rps = statistics.median(r[0] for r in runs)
        us = statistics.median(r[1] for r in runs)
        rows[name] = {"rps": rps, "cpu_us": us}
        print(f"{name:8} {rps:10.0f} {us:11.2f}")
    for peer in ("nginx", "h2o"):
        print(f"soket/{peer}: req/s x{rows['soket']['rps'] / rows[peer]['rps']:.2f}, "
              f"CPU/req x{rows['soket']['cpu_us'] / rows[peer]['cpu_us']:.2f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
