#!/usr/bin/env python3
"""Tests of `soket send` / `soket receive`: the built tool as processes on loopback.

usage: transfer_tool_test.py SOKET_TOOL CASE

Cases that need a private mount namespace (disk_full) re-run themselves under `unshare -m`
and skip (exit 77) where that is not permitted. Corruption is made by a proxy in this script
that flips one byte of the file's data on its way; an interrupted transfer by a proxy that
stops forwarding halfway, then SIGKILL of the sender. Exit status: 0 pass, 1 fail, 77 skip.
"""
import hashlib
import os
import pty
import re
import select
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
TOOL = None


class Skip(Exception):
    pass


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def random_file(path, size, seed=None):
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 64 << 20)
            f.write(os.urandom(n))
            left -= n


def entries(root):
    """Every path under root, relative, sorted."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            out.append(os.path.relpath(os.path.join(dirpath, n), root))
    return sorted(out)


class Receiver:
    """`soket receive ARGS --dir DIR 0` on 127.0.0.1; its stdout and stderr lines collected."""

    def __init__(self, directory, *args, prefix=()):
        argv = list(prefix) + [TOOL, "receive", "--dir", directory, *args, "0"]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stderr.readline().decode()
        m = re.match(r"Listening on \('127\.0\.0\.1', (\d+)\)$", line.strip())
        if not m:
            self.proc.kill()
            raise AssertionError(f"receive did not start: {line!r} {self.proc.stderr.read()!r}")
        self.port = int(m.group(1))
        self.out, self.err = [], []
        self.threads = [threading.Thread(target=self._drain, args=(s, l), daemon=True)
                        for s, l in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for t in self.threads:
            t.start()

    @staticmethod
    def _drain(stream, lines):
        for raw in stream:
            lines.append(raw.decode(errors="replace").rstrip("\n"))

    def wait_for(self, pattern, where="err", timeout=30):
        lines = self.err if where == "err" else self.out
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(lines):
                if re.search(pattern, line):
                    return line
            if self.proc.poll() is not None and not any(t.is_alive() for t in self.threads):
                break
            time.sleep(0.05)
        raise AssertionError(f"receive never said /{pattern}/: out={self.out} err={self.err}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.wait()

    def wait(self):
        rc = self.proc.wait(timeout=20)
        for t in self.threads:
            t.join(timeout=5)
        return rc


def send(*args, port, check_rc=None, timeout=300, env=None):
    argv = [TOOL, "send", *args, "127.0.0.1", str(port)]
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                       env=env)
    r.out, r.err = r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")
    if check_rc is not None and r.returncode != check_rc:
        raise AssertionError(f"send {args} exited {r.returncode}, not {check_rc}: "
                             f"out={r.out!r} err={r.err!r}")
    return r


class Proxy:
    """A TCP proxy 127.0.0.1:port -> target for one connection. `mangle(offset, data)` may
    rewrite sender->receiver bytes; `stop_after` stops forwarding that way after so many bytes
    (the connection stays open: a stalled sender, until closed)."""

    def __init__(self, target_port, mangle=None, stop_after=None):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.target_port, self.mangle, self.stop_after = target_port, mangle, stop_after
        self.forwarded = 0
        self.stalled = threading.Event()
        self.closing = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        self.listener.settimeout(60)
        a, _ = self.listener.accept()
        b = socket.create_connection(("127.0.0.1", self.target_port))
        socks = [a, b]
        while not self.closing.is_set():
            ready, _, _ = select.select(socks, [], [], 0.1)
            for s in ready:
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    self.closing.set()
                    break
                if s is a:
                    if self.stop_after is not None and self.forwarded + len(data) > self.stop_after:
                        data = data[: self.stop_after - self.forwarded]
                        socks = [b]  # no more from the sender
                        self.stalled.set()
                    if self.mangle:
                        data = self.mangle(self.forwarded, data)
                    self.forwarded += len(data)
                    b.sendall(data)
                else:
                    a.sendall(data)
        a.close()
        b.close()
        self.listener.close()

    def close(self):
        self.closing.set()
        self.thread.join(timeout=10)


# ---- protocol, spoken by hand for the hostile sender --------------------------------------

def frame(payload):
    return struct.pack(">I", len(payload)) + payload


def file_msg(name, size, mode=0o644, flags=2):
    return frame(bytes([1, flags]) + struct.pack(">IQ", mode, size) + name)


def read_frame(sock):
    def exactly(n):
        buf = b""
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                raise AssertionError("receiver closed")
            buf += chunk
        return buf
    (n,) = struct.unpack(">I", exactly(4))
    return exactly(n)


# ---- cases --------------------------------------------------------------------------------

def case_roundtrip(tmp):
    src, dst = os.path.join(tmp, "src"), os.path.join(tmp, "dst")
    os.makedirs(os.path.join(src, "tree", "sub", "deeper"))
    os.makedirs(os.path.join(src, "tree", "empty"))
    os.makedirs(dst)
    random_file(os.path.join(src, "random.bin"), 10 << 20)
    open(os.path.join(src, "empty.txt"), "w").close()
    with open(os.path.join(src, "tree", "a.txt"), "w") as f:
        f.write("alpha\n")
    random_file(os.path.join(src, "tree", "sub", "deeper", "b.bin"), 123457)
    os.chmod(os.path.join(src, "tree", "a.txt"), 0o600)
    os.chmod(os.path.join(src, "tree", "sub"), 0o750)
    r = Receiver(dst)
    try:
        s = send("-r", os.path.join(src, "random.bin"), os.path.join(src, "empty.txt"),
                 os.path.join(src, "tree"), port=r.port, check_rc=0)
        check("\r" not in s.err, "progress drawn although stderr is not a terminal")
        check(re.search(r"^sent random\.bin \(10485760 bytes, sha256 [0-9a-f]{64}\)$", s.out,
                        re.M), f"sender's line: {s.out!r}")
        r.wait_for(r"^received tree/sub/deeper/b\.bin \(123457 bytes, sha256 ", "out")
    finally:
        r.stop()
    expected = ["empty.txt", "random.bin", "tree", "tree/a.txt", "tree/empty", "tree/sub",
                "tree/sub/deeper", "tree/sub/deeper/b.bin"]
    check(entries(dst) == expected, f"received tree {entries(dst)}")
    for rel in ["random.bin", "empty.txt", "tree/a.txt", "tree/sub/deeper/b.bin"]:
        check(sha256_of(os.path.join(src, rel)) == sha256_of(os.path.join(dst, rel)), rel)
    check(stat.S_IMODE(os.stat(os.path.join(dst, "tree/a.txt")).st_mode) == 0o600, "mode kept")
    check(stat.S_IMODE(os.stat(os.path.join(dst, "tree/sub")).st_mode) == 0o750, "dir mode kept")


def case_big_file(tmp):
    """1 GiB, tmpfs to tmpfs when /dev/shm has room; arrives identical."""
    size = 1 << 30
    base = "/dev/shm" if shutil.disk_usage("/dev/shm").free > 3 * size else tmp
    work = tempfile.mkdtemp(prefix="soket-big-", dir=base)
    try:
        src, dst = os.path.join(work, "big.bin"), os.path.join(work, "dst")
        os.makedirs(dst)
        random_file(src, size)
        want = sha256_of(src)
        r = Receiver(dst, "--once")
        s = send(src, port=r.port, check_rc=0)
        try:
            r.proc.wait(timeout=60)  # --once: it ends by itself once the file is kept
        except subprocess.TimeoutExpired:
            pass
        check(r.stop() == 0, f"receiver failed: {r.err}")
        check(f"sha256 {want}" in s.out, f"sender's digest: {s.out!r}")
        check(sha256_of(os.path.join(dst, "big.bin")) == want, "1 GiB arrived different")
        check(entries(dst) == ["big.bin"], f"left over: {entries(dst)}")
        print(f"measured: 1 GiB identical, sha256 {want}")
    finally:
        shutil.rmtree(work)


def case_peer_sigkill(tmp):
    """The sender is killed (SIGKILL) halfway; `send --resume` completes the file, after
    checking the part already there."""
    src, dst = os.path.join(tmp, "f.bin"), os.path.join(tmp, "dst")
    os.makedirs(dst)
    size = 64 << 20
    random_file(src, size)
    r = Receiver(dst)
    try:
        proxy = Proxy(r.port, stop_after=size // 2)
        sender = subprocess.Popen([TOOL, "send", src, "127.0.0.1", str(proxy.port)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        check(proxy.stalled.wait(60), "the proxy never saw half the file")
        time.sleep(0.2)  # let the receiver write what arrived
        sender.kill()
        check(sender.wait(timeout=20) == -signal.SIGKILL, "sender not killed")
        sender.stdout.close()
        sender.stderr.close()
        proxy.close()  # the receiver sees the connection end mid-file
        r.wait_for(r"f\.bin: the sender closed the connection after \d+ of 67108864 bytes; the "
                   r"part is kept for --resume")
        check(entries(dst) == [".f.bin.soket-part"], f"after the kill: {entries(dst)}")
        part = os.path.getsize(os.path.join(dst, ".f.bin.soket-part"))
        check(0 < part < size, f"part of {part} bytes")
        s = send("--resume", src, port=r.port, check_rc=0)
        m = re.search(r"f\.bin: resuming at byte (\d+)", s.err)
        check(m and int(m.group(1)) == part, f"sender did not resume at {part}: {s.err!r}")
        print(f"measured: killed after {part} of {size} bytes, resumed there")
    finally:
        r.stop()
    check(entries(dst) == ["f.bin"], f"after resume: {entries(dst)}")
    check(sha256_of(src) == sha256_of(os.path.join(dst, "f.bin")), "resumed file differs")


def case_stop_signals(tmp):
    """SIGTERM/SIGINT/SIGHUP stop the receiver cleanly: waiting for a sender it exits 0 saying
    so; in the middle of a file it exits 1 naming the signal and how far it got, the part is
    kept, and a later `send --resume` completes the file from there."""
    dst = os.path.join(tmp, "dst")
    os.makedirs(dst)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        r = Receiver(dst)
        r.proc.send_signal(sig)
        check(r.wait() == 0, f"idle receiver on {sig.name}: {r.err}")
        check(r.err == [f"soket receive: stopped by {sig.name}"], f"{r.err}")

    src = os.path.join(tmp, "f.bin")
    size = 64 << 20
    random_file(src, size)
    r = Receiver(dst)
    proxy = Proxy(r.port, stop_after=size // 2)
    sender = subprocess.Popen([TOOL, "send", src, "127.0.0.1", str(proxy.port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        check(proxy.stalled.wait(60), "the proxy never saw half the file")
        time.sleep(0.2)  # let the receiver write what arrived
        r.proc.send_signal(signal.SIGTERM)
        rc = r.wait()
        check(rc == 1, f"receiver stopped mid-file exited {rc}: {r.err}")
        check(any(re.fullmatch(r"soket receive: f\.bin: stopped by SIGTERM after \d+ of 67108864 "
                               r"bytes; the part is kept for --resume", line) for line in r.err),
              f"{r.err}")
    finally:
        sender.kill()
        sender.wait(timeout=20)
        sender.stdout.close()
        sender.stderr.close()
        proxy.close()
    check(entries(dst) == [".f.bin.soket-part"], f"after the stop: {entries(dst)}")
    part = os.path.getsize(os.path.join(dst, ".f.bin.soket-part"))
    r = Receiver(dst)
    try:
        s = send("--resume", src, port=r.port, check_rc=0)
        m = re.search(r"f\.bin: resuming at byte (\d+)", s.err)
        check(m and int(m.group(1)) == part, f"sender did not resume at {part}: {s.err!r}")
    finally:
        r.stop()
    check(sha256_of(src) == sha256_of(os.path.join(dst, "f.bin")), "resumed file differs")


def case_resume_mismatch(tmp):
    """A part that does not match the file (it changed) is not trusted: everything is sent."""
    src, dst = os.path.join(tmp, "f.bin"), os.path.join(tmp, "dst")
    os.makedirs(dst)
    random_file(src, 1 << 20)
    with open(os.path.join(dst, ".f.bin.soket-part"), "wb") as f:
        f.write(b"not the same bytes" * 1000)
    r = Receiver(dst)
    try:
        s = send("--resume", src, port=r.port, check_rc=0)
        check("the receiver's part differs, sending it all" in s.err, s.err)
    finally:
        r.stop()
    check(sha256_of(src) == sha256_of(os.path.join(dst, "f.bin")), "file differs")
    check(entries(dst) == ["f.bin"], f"{entries(dst)}")


def case_corruption_detected(tmp):
    """One byte flipped on the way (after TCP's checksum, as a bad router or NIC would): the
    receiver's SHA-256 differs, nothing is kept, the sender exits non-zero saying so."""
    src, dst = os.path.join(tmp, "f.bin"), os.path.join(tmp, "dst")
    os.makedirs(dst)
    size = 8 << 20
    random_file(src, size)
    at = 5 << 20  # well past the header

    def flip(offset, data):
        if offset <= at < offset + len(data):
            i = at - offset
            data = data[:i] + bytes([data[i] ^ 0x40]) + data[i + 1:]
        return data

    r = Receiver(dst)
    try:
        proxy = Proxy(r.port, mangle=flip)
        s = send(src, port=proxy.port, check_rc=1)
        proxy.close()
        check(re.search(r"^soket send: f\.bin: not kept by the receiver: f\.bin: SHA-256 mismatch "
                        r"\(sent [0-9a-f]{64}, received [0-9a-f]{64}\): not kept$", s.err, re.M),
              f"sender's error: {s.err!r}")
        r.wait_for(r"f\.bin: SHA-256 mismatch")
        check(entries(dst) == [], f"kept after a mismatch: {entries(dst)}")
        # The same flip with --no-verify goes through: the digest is what caught it.
        proxy = Proxy(r.port, mangle=flip)
        send("--no-verify", src, port=proxy.port, check_rc=0)
        proxy.close()
        check(sha256_of(src) != sha256_of(os.path.join(dst, "f.bin")), "the flip did not happen")
    finally:
        r.stop()


def case_traversal(tmp):
    """Hostile names from a hand-made sender, a symlink in the folder, no overwrite."""
    dst, outside = os.path.join(tmp, "dst"), os.path.join(tmp, "outside")
    os.makedirs(dst)
    os.makedirs(outside)
    os.symlink(outside, os.path.join(dst, "link"))
    with open(os.path.join(dst, "keep.txt"), "w") as f:
        f.write("original")
    hostile = [b"../x", b"/etc/x", b"a/../../b", b"..", b".", b"", b"a\0b", b"link/x", b"link",
               b"keep.txt", b"x\ny", b"a//b", b"../" * 10 + b"tmp/x", b".x.soket-part",
               b"a" * 4097]  # the last one breaks the protocol's limit: the session ends
    r = Receiver(dst)
    try:
        with socket.create_connection(("127.0.0.1", r.port), timeout=20) as s:
            for name in hostile:
                if len(name) > 4096:  # over the protocol's limit: encode it at the frame level
                    s.sendall(frame(bytes([1, 2]) + struct.pack(">IQ", 0o644, 5) + name))
                    reply = read_frame(s)
                    check(reply[0] == 19, f"long name: {reply!r}")  # the session ends
                    break
                s.sendall(file_msg(name, 5))
                reply = read_frame(s)
                check(reply[0] == 18, f"{name!r} not refused: {reply!r}")
            else:
                raise AssertionError("the over-long name was not the last one")
        r.wait_for(r"bad message from 127\.0\.0\.1:\d+: file name longer than 4096 bytes")
        for why in [r"\.\./x: refused name: '\.\.' path component", r"/etc/x: refused name: absolute",
                    r"a\\x00b: refused name: name contains a NUL byte",
                    r"link/x: refused name: link is a symlink",
                    r"link: exists \(the receiver needs --force", r"keep\.txt: exists"]:
            r.wait_for(why)
        # The tool refuses the same names; existing file untouched without --force.
        src = os.path.join(tmp, "keep.txt")
        with open(src, "w") as f:
            f.write("replacement")
        s = send(src, port=r.port, check_rc=1)
        check("keep.txt: refused by the receiver: keep.txt: exists (the receiver needs --force "
              "to replace it)" in s.err, s.err)
    finally:
        r.stop()
    check(open(os.path.join(dst, "keep.txt")).read() == "original", "overwritten")
    check(os.listdir(outside) == [], f"written outside: {os.listdir(outside)}")
    check(entries(dst) == ["keep.txt", "link"], f"{entries(dst)}")
    r = Receiver(dst, "--force")
    try:
        send(src, port=r.port, check_rc=0)
    finally:
        r.stop()
    check(open(os.path.join(dst, "keep.txt")).read() == "replacement", "--force did not replace")


def case_max_size(tmp):
    dst = os.path.join(tmp, "dst")
    os.makedirs(dst)
    small, big = os.path.join(tmp, "small"), os.path.join(tmp, "big")
    random_file(small, 1024)
    random_file(big, 1025)
    r = Receiver(dst, "--max-size", "1K")
    try:
        s = send(big, small, port=r.port, check_rc=1)
        check("big: refused by the receiver: big: 1025 bytes is over --max-size 1024" in s.err,
              s.err)
        check("sent small (1024 bytes" in s.out, s.out)
    finally:
        r.stop()
    check(entries(dst) == ["small"], f"{entries(dst)}")


def case_disk_full(tmp):
    """The folder is a 1 MiB tmpfs (mounted in this test's own mount namespace); a 2 MiB file
    fills it: the partial file is removed, the sender exits non-zero saying the disk is full,
    and the receiver goes on serving."""
    dst = os.path.join(tmp, "dst")
    os.makedirs(dst)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,nr_inodes=64", "tmpfs", dst],
                   check=True)
    try:
        big, small = os.path.join(tmp, "big.bin"), os.path.join(tmp, "small.bin")
        random_file(big, 2 << 20)
        random_file(small, 4096)
        r = Receiver(dst)
        try:
            s = send(big, port=r.port, check_rc=1)
            check(re.search(r"^soket send: receiver: big\.bin: No space left on device \(after "
                            r"\d+ of 2097152 bytes; nothing kept\)$", s.err, re.M),
                  f"sender's error: {s.err!r}")
            r.wait_for(r"big\.bin: No space left on device")
            check(entries(dst) == [], f"partial left: {entries(dst)}")
            send(small, port=r.port, check_rc=0)  # still serving
            check(r.proc.poll() is None, "receiver exited")
        finally:
            r.stop()
        check(entries(dst) == ["small.bin"], f"{entries(dst)}")
        check(sha256_of(small) == sha256_of(os.path.join(dst, "small.bin")), "small differs")
    finally:
        subprocess.run(["umount", dst])


def case_hostile_frames(tmp):
    """Garbage, an oversized frame, a stalled sender: each ends that session with a one-line
    error; the receiver keeps serving."""
    dst = os.path.join(tmp, "dst")
    os.makedirs(dst)
    r = Receiver(dst, "--timeout", "1")
    try:
        for payload in [b"\xff\xff\xff\xff", b"\x00\x00\x00\x01\x63", b"\x00\x00\x00\x02\x04\x00",
                        file_msg(b"f", 10) + frame(bytes([4]) + struct.pack(">Q", 3))]:
            with socket.create_connection(("127.0.0.1", r.port), timeout=20) as s:
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
                while s.recv(65536):
                    pass
        r.wait_for(r"bad message from 127\.0\.0\.1:\d+: framing: message of 4294967295 bytes "
                   r"exceeds the limit of 65536")
        r.wait_for(r"unknown message kind 99")
        r.wait_for(r"truncated start offset")
        r.wait_for(r"expected where the data starts")
        with socket.create_connection(("127.0.0.1", r.port), timeout=20) as s:
            s.sendall(file_msg(b"stalled", 10))
            read_frame(s)
            s.sendall(frame(bytes([4]) + struct.pack(">Q", 0)) + b"abc")
            r.wait_for(r"stalled: recv_into from 127\.0\.0\.1:\d+: timed out after 3 of 10 bytes; the "
                       r"part is kept for --resume")
        f = os.path.join(tmp, "ok.txt")
        with open(f, "w") as fh:
            fh.write("fine")
        send(f, port=r.port, check_rc=0)
    finally:
        r.stop()


def case_usage(tmp):
    def rc_of(*argv):
        return subprocess.run([TOOL, *argv], capture_output=True, timeout=20)

    f = os.path.join(tmp, "f")
    open(f, "w").close()
    for argv in [("send", f, "127.0.0.1"), ("send", f, "127.0.0.1", "0"),
                 ("send", f, "127.0.0.1", "70000"), ("send", "/nonexistent", "127.0.0.1", "9"),
                 ("send", "-w", "nan", f, "127.0.0.1", "9"), ("send", "-w", "-1", f, "h", "9"),
                 ("receive",), ("receive", "1", "2", "3"), ("receive", "--max-size", "-1", "0"),
                 ("receive", "--max-size", "1e400", "0"), ("receive", "--max-size", "1Q", "0"),
                 ("receive", "--timeout", "1e400", "0"), ("receive", "x")]:
        r = rc_of(*argv)
        check(r.returncode == 2, f"{argv}: exit {r.returncode} {r.stderr!r}")
        check(r.stderr.strip(), f"{argv}: no message")
    r = rc_of("receive", "--dir", "/nonexistent/dir", "0")
    check(r.returncode == 1 and r.stderr.decode().strip() ==
          "soket receive: receive folder /nonexistent/dir: No such file or directory",
          f"missing folder: {r.returncode} {r.stderr!r}")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = rc_of("send", f, "127.0.0.1", str(port))
    check(r.returncode == 1 and b"Connection refused" in r.stderr, f"refused: {r.stderr!r}")
    d = os.path.join(tmp, "d")
    os.makedirs(d)
    rcv = Receiver(tmp)
    try:
        r = send(d, port=rcv.port, check_rc=1)
        check(f"soket send: {d}: is a directory (use -r)" in r.err, r.err)
    finally:
        rcv.stop()
    for cmd in ("send", "receive"):
        h = rc_of(cmd, "--help")
        check(h.returncode == 0 and b"Example:" in h.stdout, f"{cmd} --help")


def case_progress(tmp):
    """The progress bar is drawn on a terminal only, coloured unless NO_COLOR."""
    src, dst = os.path.join(tmp, "f.bin"), os.path.join(tmp, "dst")
    os.makedirs(dst)
    random_file(src, 32 << 20)
    r = Receiver(dst, "--force")
    try:
        for no_color in (False, True):
            env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
            env["TERM"] = "xterm"
            if no_color:
                env["NO_COLOR"] = "1"
            master, slave = pty.openpty()
            p = subprocess.Popen([TOOL, "send", src, "127.0.0.1", str(r.port)],
                                 stdout=subprocess.PIPE, stderr=slave, env=env)
            os.close(slave)
            err = b""
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                err += chunk
            os.close(master)
            p.stdout.read()
            check(p.wait(timeout=60) == 0, "send failed")
            text = err.decode(errors="replace")
            check(re.search(r"f\.bin .*100% 32\.0 MiB / 32\.0 MiB .*/s  in \d+:\d\d", text),
                  f"no final progress line: {text!r}")
            check(("\x1b[32m" in text) != no_color, f"colour with NO_COLOR={no_color}: {text!r}")
    finally:
        r.stop()


def main():
    global TOOL
    TOOL, case = os.path.abspath(sys.argv[1]), sys.argv[2]
    fn = globals().get("case_" + case)
    if not fn:
        print(f"unknown case {case}")
        return 1
    try:
        if case == "disk_full" and os.environ.get("SOKET_TRANSFER_MNTNS") != "1":
            if os.geteuid() != 0:
                raise Skip("mounting a tmpfs needs root")
            probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, text=True)
            if probe.returncode != 0:
                raise Skip("unshare -m is not permitted here: " + probe.stderr.strip())
            env = dict(os.environ, SOKET_TRANSFER_MNTNS="1")
            os.execvpe("unshare", ["unshare", "-m", "--propagation", "private", sys.executable]
                       + sys.argv, env)
        with tempfile.TemporaryDirectory(prefix="soket-transfer-") as tmp:
            fn(tmp)
    except Skip as e:
        print(f"SKIP: {e}")
        return SKIP
    except AssertionError as e:
        print(f"FAIL: {e}")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
