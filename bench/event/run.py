#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Side-by-side echo benchmark of soket's event engine against a hand-written C epoll loop,
Asio, libuv, POCO, Python's socketserver, asyncio and uvloop.

soket-uring is the same engine on its io_uring poller (SOKET_BACKEND=uring: the completion
model, multishot receive into provided buffers and sends on the ring); soket-uring-poll is that
poller's readiness model (SOKET_URING_READINESS=1, what the uring backend did before);
soket-uring-single is its ring with SINGLE_ISSUER | DEFER_TASKRUN (SOKET_URING_SINGLE_ISSUER=1); c-uring is a
hand-written C io_uring echo loop (multishot accept and receive, provided buffers), the second
reference: how close the engine is to the best the kernel allows.
soket-batch is the engine with ConnectionOptions::batch_writes (one io_uring_enter per loop
turn for every connection's replies). Every server runs single-threaded (POCO and socketserver use their own threads, all pinned to
the same core) on core 0 under taskset; the load generator (`soket perf`, itself on the engine)
runs on core 1. Servers are interleaved and each run is repeated; the table shows medians,
the ratio to the C epoll loop, and the server's CPU time per message. Memory per idle
connection is the server's RSS growth while 10,000 idle connections are held.

Usage: bench/event/run.py BUILD_DIR [--repeat 3] [--seconds 1.5] [--only a,b] [--json out]
                          [--base-build OLD_BUILD_DIR] [--tool SOKET]
(BUILD_DIR configured with -DSOKET_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release)
--base-build adds "soket-base", the bench_soket_echo of another build (an older engine), to the
same interleaved run: old and new engine measured under the same load and noise.
--tool: the `soket` binary that generates the load (default BUILD_DIR/tools/soket).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_CORE, CLIENT_CORE = "0", "1"
CLK = os.sysconf("SC_CLK_TCK")

SCENARIOS = [
    ("ping-pong, 1 conn", ["-c", "1", "-d", "1", "-s", "64"]),
    ("100 conns", ["-c", "100", "-d", "1", "-s", "64"]),
    ("50 conns x 16 pipelined", ["-c", "50", "-d", "16", "-s", "64"]),
    ("4 conns x 64 KiB bulk", ["-c", "4", "-d", "4", "-s", "65536"]),
]


def servers(build):
    ev = os.path.join(build, "bench", "event")
    py = "/usr/bin/python3"  # Debian's, which has python3-uvloop
    peer = os.path.join(HERE, "peers", "py_echo.py")
    return {
        "soket": [os.path.join(ev, "bench_soket_echo")],
        "soket-uring": ["env", "SOKET_BACKEND=uring", os.path.join(ev, "bench_soket_echo")],
        # The uring poller's readiness model (one-shot POLL_ADD + readv/send), the one before
        # the completion model: the before/after of issue 14 in one interleaved run.
        "soket-uring-poll": ["env", "SOKET_BACKEND=uring", "SOKET_URING_READINESS=1",
                             os.path.join(ev, "bench_soket_echo")],
        # The ring bound to the loop's thread (SINGLE_ISSUER | DEFER_TASKRUN), opt-in.
        "soket-uring-single": ["env", "SOKET_BACKEND=uring", "SOKET_URING_SINGLE_ISSUER=1",
                               os.path.join(ev, "bench_soket_echo")],
        "soket-batch": [os.path.join(ev, "bench_soket_echo"), "0", "1", "rr", "batch"],
        "c-epoll": [os.path.join(ev, "bench_c_epoll_echo")],
        "c-uring": [os.path.join(ev, "bench_c_uring_echo")],
        "asio": [os.path.join(ev, "bench_asio_echo")],
        "libuv": [os.path.join(ev, "bench_uv_echo")],
        "poco": [os.path.join(ev, "bench_poco_echo")],
        "socketserver": [py, peer, "socketserver"],
        "asyncio": [py, peer, "asyncio"],
        "uvloop": [py, peer, "uvloop"],
    }


class Server:
    def __init__(self, argv):
        self.p = subprocess.Popen(["taskset", "-c", SERVER_CORE] + argv, stdout=subprocess.PIPE,
                                  text=True)
        line = self.p.stdout.readline().split()
        if len(line) != 2 or line[0] != "PORT":
            self.stop()
            raise RuntimeError(f"{argv[-1]} did not report its port")
        self.port = int(line[1])

    def cpu_seconds(self):
        with open(f"/proc/{self.p.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK  # utime + stime, all threads

    def rss_kib(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.p.terminate()  # our own child, by PID
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


TOOL = None  # the load generator, set by main()


def perf(build, port, args, seconds):
    tool = TOOL
    cmd = ["taskset", "-c", CLIENT_CORE, tool, "perf", f"127.0.0.1:{port}", "-t", str(seconds),
           "--json"] + args
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip() or out.stdout.strip())
    return json.loads(out.stdout)


def run_rate(build, argv, args, seconds):
    s = Server(argv)
    try:
        time.sleep(0.2)
        cpu0 = s.cpu_seconds()
        r = perf(build, s.port, args, seconds)
        cpu = s.cpu_seconds() - cpu0
    finally:
        s.stop()
    msgs = max(r["messages"], 1)
    return {"mps": r["messages_per_second"], "mbs": r["mb_per_second"],
            "p50": r["latency_us"]["p50"], "p99": r["latency_us"]["p99"],
            "cpu_us_per_msg": cpu * 1e6 / msgs}


def run_idle(build, argv, conns, hold):
    s = Server(argv)
    try:
        time.sleep(0.3)
        before = s.rss_kib()
        p = subprocess.Popen(["taskset", "-c", CLIENT_CORE, TOOL, "perf", f"127.0.0.1:{s.port}",
                              "--idle", "-c", str(conns), "-t", str(hold), "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak = before
        deadline = time.time() + hold + 30
        while p.poll() is None and time.time() < deadline:
            peak = max(peak, s.rss_kib())
            time.sleep(0.1)
        out, err = p.communicate(timeout=30)
        if p.returncode != 0:
            raise RuntimeError(err.strip())
    finally:
        s.stop()
    return (peak - before) * 1024 / conns


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=1.5)
    ap.add_argument("--only", default="")
    ap.add_argument("--idle-conns", type=int, default=10000)
    ap.add_argument("--json", default="")
    ap.add_argument("--base-build", default="")
    ap.add_argument("--tool", default="")
    a = ap.parse_args()
    global TOOL
    TOOL = a.tool or os.path.join(a.build, "tools", "soket")
    srv = servers(a.build)
    if a.base_build:
        srv["soket-base"] = [os.path.join(a.base_build, "bench", "event", "bench_soket_echo")]
    if a.only:
        srv = {k: v for k, v in srv.items() if k in a.only.split(",")}
    results = {name: {sc: [] for sc, _ in SCENARIOS} for name in srv}
    for rep in range(a.repeat):
        for sc, args in SCENARIOS:
            for name, argv in srv.items():  # interleaved: every server once per round
                try:
                    results[name][sc].append(run_rate(a.build, argv, args, a.seconds))
                except Exception as e:  # noqa: BLE001 - report and go on
                    print(f"{name} / {sc}: {e}", file=sys.stderr)
        print(f"round {rep + 1}/{a.repeat} done", file=sys.stderr)
    idle = {}
    for name, argv in srv.items():
        if name in ("poco", "socketserver"):
            continue  # a thread per connection: 10,000 threads is not their use case
        try:
            idle[name] = run_idle(a.build, argv, a.idle_conns, 2)
        except Exception as e:  # noqa: BLE001
            print(f"{name} / idle: {e}", file=sys.stderr)

    def med(name, sc, key):
        xs = [r[key] for r in results[name][sc]]
        return statistics.median(xs) if xs else float("nan")

    base = "c-epoll"
    print("| server | " + " | ".join(sc for sc, _ in SCENARIOS) + " | idle B/conn |")
    print("|---" * (len(SCENARIOS) + 2) + "|")
    for name in srv:
        cells = []
        for sc, _ in SCENARIOS:
            key = "mbs" if "bulk" in sc else "mps"
            v, b = med(name, sc, key), med(base, sc, key) if base in srv else float("nan")
            unit = "MB/s" if key == "mbs" else "msg/s"
            cells.append(f"{v:,.0f} {unit} ({v / b:.2f}x, {med(name, sc, 'cpu_us_per_msg'):.1f} us cpu/msg)")
        mem = f"{idle[name]:,.0f}" if name in idle else "n/a"
        print(f"| {name} | " + " | ".join(cells) + f" | {mem} |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"results": results, "idle_bytes_per_conn": idle}, f, indent=1)


if __name__ == "__main__":
    main()
