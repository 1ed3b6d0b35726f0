#!/usr/bin/env python3
"""Connect scan of all 65,535 ports of 127.0.0.1: `soket scan 127.0.0.1 -` against
`nmap -sT -p- -n 127.0.0.1`, interleaved in the same run, with a few listeners open.

Usage: bench/probe/scan.py BUILD_DIR [--repeat N] [--netns]

--netns runs everything in a network namespace of its own (unshare -n, root), so that no
other process's listeners or connections change what is scanned between rounds.
Prints wall seconds and CPU seconds (user+sys of the scanner, children included) per round,
the medians, and the ratios nmap/soket (above 1: soket is faster / cheaper).
"""
import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import time


def timed(argv):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if out.returncode != 0:
        sys.exit(f"{argv[0]} failed: {out.stderr.strip()}")
    return wall, cpu, out.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--netns", action="store_true")
    args = ap.parse_args()
    if args.netns and os.environ.get("SOKET_BENCH_IN_NETNS") != "1":
        env = dict(os.environ, SOKET_BENCH_IN_NETNS="1")
        cmd = ["unshare", "-n", sys.executable, __file__, args.build, "--repeat",
               str(args.repeat), "--netns"]
        sys.exit(subprocess.run(cmd, env=env).returncode)
    if args.netns:
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    listeners = []
    for _ in range(3):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen()
        listeners.append(s)
    soket = os.path.join(args.build, "tools", "soket")
    runs = {"soket": [], "nmap": []}
    argv = {
        "soket": [soket, "scan", "127.0.0.1", "-"],
        "nmap": ["nmap", "-sT", "-p-", "-n", "127.0.0.1"],
    }
    for i in range(args.repeat):
        for name in ("soket", "nmap"):
            wall, cpu, out = timed(argv[name])
            for s in listeners:
                port = str(s.getsockname()[1])
                if f"{port}/tcp" not in out:
                    sys.exit(f"{name} missed open port {port}:\n{out}")
            runs[name].append((wall, cpu))
            print(f"round {i + 1} {name:6} wall {wall:6.2f} s  cpu {cpu:6.2f} s", flush=True)
    med = {n: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
           for n, r in runs.items()}
    print()
    print(f"{'scanner':8} {'wall s':>8} {'cpu s':>8}")
    for n, (w, c) in med.items():
        print(f"{n:8} {w:8.2f} {c:8.2f}")
    print(f"nmap/soket: wall {med['nmap'][0] / med['soket'][0]:.2f}x, "
          f"cpu {med['nmap'][1] / med['soket'][1]:.2f}x")


if __name__ == "__main__":
    main()
