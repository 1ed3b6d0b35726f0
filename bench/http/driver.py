# SPDX-License-Identifier: MIT
"""What bench/http's runs share: servers pinned to one core and wrk on the other, the server's
CPU from /proc, nginx and h2o set up in a temporary directory, interleaved repeated runs, and
the table of medians with soket's ratios to each peer."""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from server_cpu import CLIENT_CORE, SERVER_CORE, cpu_seconds, free_port  # noqa: E402


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


def soket(binary, *args):
    """`soket http serve ARGS` on one loop."""
    port = free_port()
    return Server("soket", [binary, "http", "serve", *args, "-a", f"127.0.0.1:{port}",
                            "--threads", "1"], port)


def nginx(tmp, http_block):
    """nginx, one process, access log off; `http_block(port, dir)` gives the rest of http {}."""
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
{http_block(port, d)} }}
""")
    return Server("nginx", ["nginx", "-p", d, "-c", conf, "-e", f"{d}/error.log"], port)


def h2o(tmp, www, index=None):
    """h2o, one thread, serving the directory `www` (readable by nobody when run as root)."""
    port = free_port()
    d = os.path.join(tmp, "h2o")
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, "h2o.conf")
    index_line = f"\n        file.index: ['{index}']" if index else ""
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
        file.dir: {www}{index_line}
""")
    return Server("h2o", ["h2o", "-c", conf], port)


def wrk(port, path, seconds, errors_ok=False):
    out = subprocess.run(["taskset", "-c", CLIENT_CORE, "wrk", "-t1", "-c100", f"-d{seconds}s",
                          f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                         timeout=seconds + 30).stdout
    m = re.search(r"(\d+) requests in", out)
    if not m or (not errors_ok and "Non-2xx" in out):
        raise RuntimeError(f"wrk {path}: " + out)
    return int(m.group(1))


def measure(server, path, seconds, errors_ok):
    """(requests/s, server CPU µs per request) over one wrk run."""
    before = cpu_seconds(server.p.pid)
    t0 = time.time()
    n = wrk(server.port, path, seconds, errors_ok)
    elapsed = time.time() - t0
    cpu = cpu_seconds(server.p.pid) - before
    return n / elapsed, cpu / n * 1e6


def arguments(script, doc):
    ap = argparse.ArgumentParser(prog=script, description=doc.split("\n\n")[0])
    ap.add_argument("build", help="build directory with tools/soket")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--json", help="write the medians there")
    ap.add_argument("--baseline", metavar="SOKET",
                    help="another soket binary, run as 'soket-base' in the same interleaving")
    return ap


def need(script, tools=("wrk", "nginx", "h2o", "taskset")):
    for tool in tools:
        if not shutil.which(tool):
            sys.exit(f"{script}: {tool} is not installed (scripts/setup.sh --bench)")


def run(makers, paths, repeat, seconds, errors_ok=()):
    """Each server in turn (a fresh process per round), every path warmed up then measured.
    Returns {path: {server: [(rps, cpu_us), ...]}}."""
    results = {}
    for _ in range(repeat):
        for name, make in makers:
            s = make()
            try:
                for path in paths:
                    wrk(s.port, path, 1, path in errors_ok)  # warm up
                    results.setdefault(path, {}).setdefault(name, []).append(
                        measure(s, path, seconds, path in errors_ok))
            finally:
                s.stop()
    return results


def report(title, results, json_path=None):
    """Medians per path and server, then soket's ratios to every other server."""
    rows = {}
    print(title)
    print(f"{'path':10} {'server':10} {'req/s':>10} {'CPU us/req':>11}")
    for path, servers in results.items():
        rows[path] = {}
        for name, runs in servers.items():
            rps = statistics.median(r[0] for r in runs)
            us = statistics.median(r[1] for r in runs)
            rows[path][name] = {"rps": rps, "cpu_us": us}
            print(f"{path:10} {name:10} {rps:10.0f} {us:11.2f}")
        s = rows[path]["soket"]
        for peer, p in rows[path].items():
            if peer != "soket":
                print(f"{path:10} soket/{peer}: req/s x{s['rps'] / p['rps']:.2f}, "
                      f"CPU/req x{s['cpu_us'] / p['cpu_us']:.2f}")
    if json_path:
        with open(json_path, "w") as f:
            json.dump(rows, f, indent=1)
    return rows
