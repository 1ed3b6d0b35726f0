#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""socketserver benchmark: soket's ThreadingTCPServer echo vs Python's socketserver.ThreadingTCPServer
with the same echo handler, under the same load from `soket perf` (the load generator of every
soket benchmark: one event loop, TCP_NODELAY here, every echoed byte verified).

Scenarios: 1 client ping-pong, 100 clients, 50 clients x 16 pipelined messages (64-byte
messages; a connection keeps its 16 in flight, sending one as each echo completes). Each run
starts a fresh server; the first --warmup seconds are not counted. Runs are interleaved
(soket, Python, soket, ...) and repeated; prints the median messages/s and p50 latency of
each and the ratio soket/Python. Nothing is pinned by default: on this VM a wakeup across
cores costs more than the work (pinned ping-pong drops ~30x for both servers); --pin puts the
server on core 0 and the load generator on core 1 (taskset).

    bench/socketserver/run.py --build-dir build-bench [--seconds 5] [--repeats 3] [--json out]
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = [
    ("ping-pong, 1 client", 1, 1),
    ("100 clients", 100, 1),
    ("50 clients x 16 pipelined", 50, 16),
]


PIN = {"server": [], "load": []}


def start(argv):
    proc = subprocess.Popen(PIN["server"] + argv, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    words = line.split()  # "41234", or "PORT 41234" from bench/event/peers/py_echo.py
    if not words or not words[-1].isdigit():
        stop(proc)
        raise RuntimeError(f"{argv[-1]} did not print its port (got {line!r})")
    return proc, int(words[-1])


def stop(proc):
    proc.send_signal(signal.SIGTERM)  # our own child, by PID
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_load(tool, port, conns, depth, args):
    cmd = PIN["load"] + [tool, "perf", f"127.0.0.1:{port}", "-c", str(conns), "-d", str(depth),
                         "-s", str(args.size), "-t", str(args.seconds), "--warmup", str(args.warmup),
                         "--nodelay", "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True,
                         timeout=args.warmup + args.seconds + 60)
    if out.returncode != 0:  # connection errors or corrupt echoes: no figure from this run
        raise RuntimeError(f"{' '.join(cmd)}: {out.stderr.strip() or out.stdout.strip()}")
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", required=True,
                    help="a build with -DSOKET_BUILD_BENCH=ON (needs tools/soket)")
    ap.add_argument("--seconds", type=float, default=5.0, help="measured seconds per run")
    ap.add_argument("--warmup", type=float, default=0.5, help="seconds not counted per run")
    ap.add_argument("--repeats", type=int, default=3, help="runs per server and scenario")
    ap.add_argument("--size", type=int, default=64, help="message size in bytes")
    ap.add_argument("--pin", action="store_true", help="pin server to core 0, load to core 1")
    ap.add_argument("--json", default="", help="also write every run's `soket perf` result here")
    args = ap.parse_args()
    if args.pin:
        PIN["server"] = ["taskset", "-c", "0"]
        PIN["load"] = ["taskset", "-c", "1"]

    tool = os.path.join(args.build_dir, "tools", "soket")
    bench = os.path.join(args.build_dir, "bench", "socketserver")
    servers = {
        "soket": [os.path.join(bench, "bench_socketserver_echo")],
        # The same Python peer as bench/event's: socketserver.ThreadingTCPServer, echo handler.
        "python": [sys.executable, os.path.join(HERE, "..", "event", "peers", "py_echo.py"),
                   "socketserver"],
    }
    for path in (tool, servers["soket"][0]):
        if not os.access(path, os.X_OK):
            sys.exit(f"{path} not built (ninja soket_tool bench_socketserver_echo)")
    pinned = "server on core 0, load on core 1" if PIN["server"] else "not pinned"
    print(f"# {args.repeats} x {args.seconds:g} s (+{args.warmup:g} s warm-up) per server and "
          f"scenario, {args.size}-byte messages, interleaved, {pinned}; load: soket perf; "
          f"python {sys.version.split()[0]}")
    print("| scenario | soket msg/s | Python msg/s | soket/Python | soket p50 us | Python p50 us |")
    print("|---|---:|---:|---:|---:|---:|")
    raw = {}
    for name, conns, depth in SCENARIOS:
        results = {k: [] for k in servers}
        for _ in range(args.repeats):
            for key, argv in servers.items():  # interleaved: soket, python, soket, ...
                proc, port = start(argv)
                try:
                    results[key].append(run_load(tool, port, conns, depth, args))
                finally:
                    stop(proc)
        raw[name] = results
        s = statistics.median(r["messages_per_second"] for r in results["soket"])
        p = statistics.median(r["messages_per_second"] for r in results["python"])
        s50 = statistics.median(r["latency_us"]["p50"] for r in results["soket"])
        p50 = statistics.median(r["latency_us"]["p50"] for r in results["python"])
        print(f"| {name} | {s:,.0f} | {p:,.0f} | {s / p:.2f}x | {s50:,.0f} | {p50:,.0f} |",
              flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(raw, f, indent=1)


if __name__ == "__main__":
    main()
