#!/usr/bin/env python3
"""Fault tests for the soket tool, each in a private network namespace it creates.

usage: faults.py SOKET_TOOL CASE [--nfqdelay PATH]

Each CASE runs the built `soket serve` and `soket perf` (and Python peers) as processes inside
`unshare -n` (its own loopback; nothing leaves the machine; the kernel removes the namespace,
its iptables rules and its queues when the case ends). Exit status: 0 pass, 1 fail, 77 skip
(a tool or privilege the case needs is missing; the reason is printed).

The numbers each case measured are printed as "measured: ..." lines (ctest -V shows them).
Bounds are generous deadlines ("does not hang"), never timing assertions.
"""
import json
import os
import re
import resource
import select
import shutil
import socket
import subprocess
import sys
import threading
import time

SKIP = 77


class Skip(Exception):
    pass


def measured(what):
    print("measured: " + what, flush=True)


def run(*argv, check=True):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=60)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed ({r.returncode}): {r.stdout.strip()}")
    return r


def enter_private_network():
    """Re-runs this script under `unshare -n` once; inside, brings lo up."""
    if os.environ.get("SOKET_FAULTS_NETNS") != "1":
        if not shutil.which("unshare"):
            raise Skip("unshare(1) is missing")
        probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True)
        if probe.returncode != 0:
            raise Skip("unshare -n is not permitted here: " + probe.stderr.strip())
        env = dict(os.environ, SOKET_FAULTS_NETNS="1")
        os.execvpe("unshare", ["unshare", "-n", sys.executable] + sys.argv, env)
    run("ip", "link", "set", "lo", "up")


def need_iptables():
    if not shutil.which("iptables"):
        raise Skip("iptables is missing (scripts/setup.sh installs it)")
    r = run("iptables", "-L", "INPUT", "-n", check=False)
    if r.returncode != 0:
        raise Skip("iptables does not work here: " + r.stdout.strip())


def iptables_dropped(chain, target):
    """Packets the first `target` rule of `chain` matched."""
    out = run("iptables", "-L", chain, "-v", "-n", "-x").stdout
    for line in out.splitlines()[2:]:
        fields = line.split()
        if len(fields) > 2 and fields[2] == target:
            return int(fields[0])
    raise AssertionError(f"no {target} rule in {chain}:\n{out}")


class Server:
    """`soket serve ARGS` on 127.0.0.1, port 0; stdout (one line per client) is discarded."""

    def __init__(self, tool, *args, prefix=()):
        argv = list(prefix) + [tool, "serve", "-a", "127.0.0.1:0", *args]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        self.err = []
        line = self.proc.stderr.readline()
        m = re.search(r", (\d+)\)$", line.strip())
        if not m:
            self.proc.kill()
            raise AssertionError("soket serve did not start: " + line + self.proc.stderr.read())
        self.port = int(m.group(1))
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.proc.stderr:
            self.err.append(line.rstrip())

    def alive(self):
        return self.proc.poll() is None

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

    def fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def stop(self):
        """SIGTERM; the server must exit by itself within a generous deadline."""
        if not self.alive():
            raise AssertionError(f"the server died (status {self.proc.returncode}): {self.err}")
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("the server did not stop within 30 s of SIGTERM")


def echo_once(port, payload=b"ping\n", deadline=10.0):
    """Connects, sends, reads the echo back; returns the seconds it took."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=deadline) as s:
        s.sendall(payload)
        got = b""
        while len(got) < len(payload):
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    if got != payload:
        raise AssertionError(f"echo returned {got!r} for {payload!r}")
    return time.monotonic() - start


def perf(tool, port, *args, timeout=180):
    r = subprocess.run([tool, "perf", f"127.0.0.1:{port}", "--json", *args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    return r


# ---- cases -------------------------------------------------------------------------------


def case_loss(tool, opts):
    """soket perf against the event engine under 5 % random packet loss: every byte verified."""
    need_iptables()
    run("ip", "link", "set", "lo", "mtu", "1500")  # segments of one MTU: loss hits real packets
    server = Server(tool, "--engine", "event", "--mode", "echo")
    run("iptables", "-A", "INPUT", "-i", "lo", "-p", "tcp", "-m", "statistic", "--mode",
        "random", "--probability", "0.05", "-j", "DROP")
    conns, msgs, size = 4, 400, 8192
    start = time.monotonic()
    r = perf(tool, server.port, "-c", str(conns), "-d", "4", "-s", str(size), "-n", str(msgs))
    took = time.monotonic() - start
    dropped = iptables_dropped("INPUT", "DROP")
    if r.returncode != 0:
        raise AssertionError(f"soket perf failed ({r.returncode}): {r.stderr.strip()}")
    j = json.loads(r.stdout)
    want = conns * msgs * size
    measured(f"5% loss: {dropped} packets dropped, {j['bytes_received']} of {want} bytes echoed "
             f"and verified, {j['corrupt_bytes']} corrupt, {j['errors']} errors, {took:.1f} s")
    if dropped == 0:
        raise AssertionError("the loss rule dropped nothing: the test did not test")
    if j["corrupt_bytes"] or j["errors"] or j["bytes_received"] != want:
        raise AssertionError(f"bytes lost or corrupted under loss: {j}")
    server.stop()


def case_delay(tool, opts):
    """The same verification under 20-40 ms delay (reordering) and 1 % loss, from nfqdelay."""
    need_iptables()
    if not opts.get("nfqdelay"):
        raise Skip("nfqdelay was not built (libnetfilter-queue-dev missing)")
    server = Server(tool, "--engine", "event", "--mode", "echo")
    run("iptables", "-A", "OUTPUT", "-o", "lo", "-p", "tcp", "-j", "NFQUEUE", "--queue-num", "0",
        "--queue-bypass")
    holder = subprocess.Popen([opts["nfqdelay"], "0", "20", "20", "1", "60"],
                              stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        if holder.poll() is not None:
            raise Skip("nfqdelay cannot open its queue: " + holder.stderr.read().strip())
        rtt = echo_once(server.port)
        conns, msgs, size = 4, 100, 4096
        r = perf(tool, server.port, "-c", str(conns), "-d", "8", "-s", str(size), "-n", str(msgs))
    finally:
        holder.terminate()
        holder.wait()
    if r.returncode != 0:
        raise AssertionError(f"soket perf failed ({r.returncode}): {r.stderr.strip()}")
    j = json.loads(r.stdout)
    want = conns * msgs * size
    measured(f"20-40 ms delay + 1% loss: one echo took {rtt * 1000:.0f} ms; "
             f"{j['bytes_received']} of {want} bytes verified, {j['corrupt_bytes']} corrupt, "
             f"{j['errors']} errors, p50 latency {j['latency_us']['p50'] / 1000:.0f} ms")
    if rtt < 0.02:
        raise AssertionError(f"an echo took {rtt * 1000:.1f} ms: the delay was not applied")
    if j["corrupt_bytes"] or j["errors"] or j["bytes_received"] != want:
        raise AssertionError(f"bytes lost or corrupted under delay: {j}")
    server.stop()


def case_rst(tool, opts):
    """Resets mid-transfer, both ways: clean one-line errors, no crash, the server serves on."""
    need_iptables()
    server = Server(tool, "--engine", "event", "--mode", "echo")

    # 1. The network resets perf's connections mid-stream (iptables REJECT with tcp-reset).
    client = subprocess.Popen([tool, "perf", f"127.0.0.1:{server.port}", "-c", "2", "-s",
                               "16384", "-d", "8", "-t", "20", "-w", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    rule = ["INPUT", "-p", "tcp", "--dport", str(server.port), "-j", "REJECT", "--reject-with",
            "tcp-reset"]
    run("iptables", "-I", *rule)
    try:
        out, err = client.communicate(timeout=60)
    finally:
        run("iptables", "-D", *rule)
    measured(f"perf reset mid-stream: exit {client.returncode}, stderr {err.strip()!r}")
    if client.returncode < 0:
        raise AssertionError(f"soket perf was killed by signal {-client.returncode}")
    if client.returncode == 0 or not err.strip():
        raise AssertionError("soket perf did not report the reset: " + out + err)
    if len(err.strip().splitlines()) > 3:
        raise AssertionError("soket perf's error is not a short message:\n" + err)

    # 2. Peers that reset their own connection (SO_LINGER 0) while the server echoes to them.
    for _ in range(50):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        s.sendall(b"x" * 262144)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    took = echo_once(server.port)
    measured(f"50 resetting peers: server alive, a fresh echo took {took * 1000:.1f} ms")
    if not server.alive():
        raise AssertionError("the server died after resetting peers: " + "\n".join(server.err))

    # 3. perf against a server that resets it: a clean error from the client side too.
    listener = socket.create_server(("127.0.0.1", 0))

    def reset_each():
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        conn.close()

    t = threading.Thread(target=reset_each, daemon=True)
    t.start()
    r = perf(tool, listener.getsockname()[1], "-c", "1", "-t", "3", "-w", "0", timeout=60)
    measured(f"perf against a resetting server: exit {r.returncode}, {r.stderr.strip()!r}")
    if r.returncode <= 0:
        raise AssertionError(f"perf exit {r.returncode} after a reset: {r.stdout}{r.stderr}")
    server.stop()


def stop_reading(tool, engine_args):
    """Peers that send and never read: the server's memory stays bounded, others are served."""
    server = Server(tool, "--mode", "echo", *engine_args)
    base = server.rss_kib()
    peers, each = 10, 32 << 20
    socks = []
    for _ in range(peers):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        s.setblocking(False)
        socks.append([s, 0])
    chunk = (b"y" * 1023 + b"\n") * 64  # lines, for the socketserver engine's line echo
    dropped = 0
    peak, probes, deadline = base, [], time.monotonic() + 15
    def sending():
        return [e[0] for e in socks if e[1] < each and len(e) == 2]

    while time.monotonic() < deadline and sending():
        _, writable, _ = select.select([], sending(), [], 0.2)
        for entry in socks:
            if entry[0] in writable:
                try:
                    entry[1] += entry[0].send(chunk)
                except BlockingIOError:
                    pass
                except OSError:  # the server dropped this slow reader: allowed
                    entry.append("dropped")
                    dropped += 1
        peak = max(peak, server.rss_kib())
        if len(probes) < 10 and time.monotonic() > deadline - 14 + len(probes):
            probes.append(echo_once(server.port))
    time.sleep(1)
    peak = max(peak, server.rss_kib())
    pushed = sum(e[1] for e in socks)
    probes.append(echo_once(server.port))
    growth_mib = (peak - base) / 1024
    measured(f"{' '.join(engine_args) or 'socketserver engine'}: {peers} peers that never read pushed {pushed >> 20} MiB ({dropped} dropped); server RSS {base} KiB -> "
             f"peak {peak} KiB (+{growth_mib:.0f} MiB); fresh echoes while they pushed: "
             f"max {max(probes) * 1000:.1f} ms over {len(probes)}")
    for e in socks:
        e[0].close()
    if growth_mib > 64:
        raise AssertionError(f"server memory grew by {growth_mib:.0f} MiB for peers that do not "
                             f"read (bound 64 MiB): no output cap")
    server.stop()


def case_stop_reading(tool, opts):
    stop_reading(tool, ["--engine", "event"])


def case_stop_reading_threading(tool, opts):
    stop_reading(tool, [])


SLOWLORIS_PEER = r"""
import selectors, socket, sys, time
# Opens N connections to port P, sends 1 byte on each, then holds them until stdin closes.
n, port = int(sys.argv[1]), int(sys.argv[2])
sel, pending, done, failed = selectors.DefaultSelector(), 0, [], 0
deadline = time.monotonic() + 120
todo = n
while (todo or pending) and time.monotonic() < deadline:
    while todo and pending < 512:
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        sel.register(s, selectors.EVENT_WRITE)
        pending += 1
        todo -= 1
    for key, _ in sel.select(1.0):
        s = key.fileobj
        sel.unregister(s)
        pending -= 1
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
            try:
                s.send(b"G")
                done.append(s)
                continue
            except OSError:
                pass
        failed += 1
        s.close()
print(len(done), failed, flush=True)
sys.stdin.read()
"""


def slowloris(tool, count, server_args, fresh_deadline):
    server = Server(tool, *server_args)
    base_cpu = server.cpu_seconds()
    peer = subprocess.Popen([sys.executable, "-c", SLOWLORIS_PEER, str(count), str(server.port)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = peer.stdout.readline().split()
        if len(line) != 2:
            raise AssertionError("the slowloris peer failed")
        held, failed = int(line[0]), int(line[1])
        fresh, start = [], time.monotonic()
        while len(fresh) < 20 and time.monotonic() - start < fresh_deadline:
            try:
                fresh.append(echo_once(server.port, deadline=fresh_deadline))
            except (OSError, AssertionError):
                time.sleep(0.1)
        cpu = server.cpu_seconds() - base_cpu
        fds = server.fds()
    finally:
        peer.stdin.close()
        peer.wait(timeout=60)
    return server, held, failed, fresh, cpu, fds, time.monotonic() - start


def case_slowloris(tool, opts):
    """10,000 connections that send one byte and stall; a fresh client is still echoed."""
    server, held, failed, fresh, cpu, fds, _ = slowloris(
        tool, 10000, ["--engine", "event", "--mode", "echo"], 30)
    measured(f"event engine: {held} slowloris connections held ({failed} failed), server fds "
             f"{fds}, server CPU {cpu:.2f} s; {len(fresh)} fresh echoes, max "
             f"{max(fresh, default=0) * 1000:.1f} ms")
    if held < 9000:
        raise AssertionError(f"only {held} of 10000 slowloris connections were established")
    if len(fresh) < 20:
        raise AssertionError(f"only {len(fresh)} of 20 fresh clients were echoed within 30 s")
    server.stop()


def case_slowloris_threading(tool, opts):
    """The socketserver engine (a thread per client) with the same 10,000 stalled clients; then
    with the tool's limits (--max-connections 100 --idle-timeout 1), where the idle timeout must
    free the slots 1,000 stalled clients take, so a fresh client is served."""
    server, held, failed, fresh, cpu, fds, _ = slowloris(tool, 10000, ["--mode", "echo"], 30)
    measured(f"socketserver engine: {held} slowloris connections ({failed} failed), server "
             f"fds {fds}; {len(fresh)} fresh echoes, max {max(fresh, default=0) * 1000:.1f} ms")
    if len(fresh) < 20:
        raise AssertionError(f"only {len(fresh)} of 20 fresh clients were echoed within 30 s")
    server.stop()
    server, held, failed, fresh, cpu, fds, took = slowloris(
        tool, 1000, ["--mode", "echo", "--max-connections", "100", "--idle-timeout", "1"], 60)
    measured(f"socketserver engine, --max-connections 100 --idle-timeout 1: {held} slowloris "
             f"connections ({failed} failed); {len(fresh)} fresh echoes within {took:.1f} s")
    if len(fresh) < 20:
        raise AssertionError(f"only {len(fresh)} of 20 fresh clients were echoed within 60 s")
    server.stop()


def case_idle_timeout(tool, opts):
    """The event engine's --idle-timeout closes 1,000 stalled clients: the server's descriptors
    return to their count before them, within a generous deadline."""
    server = Server(tool, "--engine", "event", "--mode", "echo", "--idle-timeout", "1")
    base = server.fds()
    peer = subprocess.Popen([sys.executable, "-c", SLOWLORIS_PEER, "1000", str(server.port)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        held = int(peer.stdout.readline().split()[0])
        start = time.monotonic()
        while server.fds() > base and time.monotonic() - start < 20:
            time.sleep(0.1)
        took, fds = time.monotonic() - start, server.fds()
    finally:
        peer.stdin.close()
        peer.wait(timeout=60)
    measured(f"idle timeout 1 s, {held} stalled clients: server fds back to {fds} (was {base}) "
             f"{took:.1f} s after the last connected")
    if fds > base:
        raise AssertionError(f"the server still holds {fds - base} idle clients after 20 s")
    server.stop()


def case_half_close(tool, opts):
    """A client sends 1 MiB, shuts down its sending side (SHUT_WR) and reads: it gets the
    whole echo, then end of file — no reset — from both engines."""
    payload = b"".join(b"%07d " % i + b"h" * 1015 + b"\n" for i in range(1024))
    for engine_args in (["--engine", "event"], []):
        server = Server(tool, "--mode", "echo", *engine_args)
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            got = b""
            try:
                while chunk := s.recv(65536):
                    got += chunk
            except ConnectionResetError:
                raise AssertionError(f"{engine_args}: reset after {len(got)} bytes, not EOF")
        measured(f"{' '.join(engine_args) or 'socketserver engine'}: half-close after 1 MiB: "
                 f"{len(got)} bytes echoed, then EOF")
        if got != payload:
            raise AssertionError(f"{engine_args}: {len(got)} of {len(payload)} bytes came back")
        server.stop()


def emfile(tool, engine_args):
    """The server under a 64-descriptor limit, 200 clients at once: it must not spin, must keep
    echoing the clients it accepted, and must serve a new client once they leave."""
    server = Server(tool, "--mode", "echo", *engine_args, prefix=["prlimit", "--nofile=64:64"])
    pending = []
    for _ in range(200):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", server.port))
        pending.append(s)
    # Connected = the handshake completed (accepted or still in the backlog); a SYN the full
    # backlog dropped is retried by the kernel later: those clients are left out.
    _, connected, _ = select.select([], pending, [], 3)
    clients = [s for s in connected if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0]
    cpu0, t0 = server.cpu_seconds(), time.monotonic()
    time.sleep(2)
    cpu = (server.cpu_seconds() - cpu0) / (time.monotonic() - t0)
    # Ask every client at once and collect the echoes within one deadline (a client waiting
    # for a descriptor answers nothing; waiting for each in turn took minutes).
    asked = []
    for s in clients:
        try:
            s.send(b"e\n")
            asked.append(s)
        except OSError:
            pass
    echoed, waiting, deadline = 0, set(asked), time.monotonic() + 3
    while waiting and time.monotonic() < deadline:
        ready, _, _ = select.select(list(waiting), [], [], max(0.0, deadline - time.monotonic()))
        for s in ready:
            waiting.discard(s)
            try:
                if s.recv(2) == b"e\n":
                    echoed += 1
            except OSError:
                pass
    alive = server.alive()
    for s in pending:
        s.close()
    time.sleep(0.5)
    took = echo_once(server.port, deadline=10)
    measured(f"{' '.join(engine_args) or 'socketserver engine'}, fd limit 64, 200 clients "
             f"({len(clients)} connected): server CPU {cpu * 100:.0f}% of a core while "
             f"saturated; {echoed} clients echoed; a new client after they left was echoed in "
             f"{took * 1000:.1f} ms; server said: {server.err[2:5]}")
    if not alive:
        raise AssertionError("the server died at the fd limit: " + "\n".join(server.err))
    if cpu > 0.5:
        raise AssertionError(f"the server spins at the fd limit: {cpu * 100:.0f}% of a core")
    if echoed < 20:
        raise AssertionError(f"only {echoed} clients were echoed at the fd limit")
    server.stop()


def case_emfile(tool, opts):
    emfile(tool, ["--engine", "event", "--threads", "1"])


def case_emfile_threading(tool, opts):
    emfile(tool, [])


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main():
    if len(sys.argv) < 3 or sys.argv[2] not in CASES:
        print(f"usage: {sys.argv[0]} SOKET_TOOL {{{','.join(CASES)}}} [--nfqdelay PATH]")
        return 2
    tool, case = sys.argv[1], sys.argv[2]
    opts = {}
    if "--nfqdelay" in sys.argv:
        opts["nfqdelay"] = sys.argv[sys.argv.index("--nfqdelay") + 1]
    try:
        enter_private_network()
        CASES[case](tool, opts)
    except Skip as e:
        print(f"SKIP {case}: {e}")
        return SKIP
    except AssertionError as e:
        print(f"FAIL {case}: {e}")
        return 1
    print(f"PASS {case}")
    return 0


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main())
