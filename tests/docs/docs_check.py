#!/usr/bin/env python3
"""The docs test: every C++ block in README.md and docs/**/*.md is compiled, and every shown
terminal session is run and compared with what the text says it prints.

A fenced block is claimed by the HTML comment on the line just before it (blank lines between
are allowed):

  <!-- doctest: program NAME -->          ```cpp   a complete program, saved as NAME.cpp and
                                                   built as ./NAME
  <!-- doctest: fragment -->             ```cpp   statements: compiled as a function body
  <!-- doctest: fragment(PARAMS) -->     ```cpp   the same, with PARAMS (e.g. soket::Socket& s)
  <!-- doctest: declarations -->         ```cpp   classes and functions at namespace scope
  <!-- doctest: file NAME -->            ```any   saved as NAME beside the programs (a Python
                                                   peer, an input file; NAME may be dir/name)
  <!-- doctest: run [vary="48437 ..."] [server="NAME"] -->
                                         ```console  a terminal session, run and compared

Fragments and declarations of one document share one translation unit, in document order,
after #include <soket/soket.hpp>, <soket/socketserver.hpp>, <soket/event.hpp>, <iostream> and
<string> (their own #include lines are moved to the top). A ```cpp block without a marker, or an
unlabelled block that looks like C++, fails the test: "every snippet is compiled" stays true.

Sessions: `$ CMD` lines are commands, the lines after one are what it prints (stdout and
stderr, on a terminal, as the reader sees them). `CMD &` runs in the background (its later
output lands wherever it falls, as in a terminal; the text must show an order that causality
fixes). `kill [-SIG] %N` signals the Nth background job and waits for it. A `c++ ...` line must
be exactly `c++ -std=c++20 NAME.cpp -o NAME $(pkg-config --cflags --libs soket)` for a program
NAME of the same document: the pkg-config pass runs that command. Each session runs in its own
network namespace (so the documents' port 12345 is free), in a directory holding the
document's programs and files, with the installed `soket` tool on PATH and `build/normal`
pointing at the build tree. Words listed in vary="..." stand for any number (if they are
digits) or any word: ephemeral ports, descriptors. Background jobs still running at the end
are killed silently.

A session that needs a real server names it: server="NAME" starts
tests/support/servers/NAME.sh (the tests' own fixture: inn2, telnetd, gophernicus) in the
session's directory, inside its namespace, on port 12345 (SOKET_SERVER_PORT) before the first
command, and stops it (news_stop.sh) after the last. A fixture that cannot run here (exit 77:
package missing, not root) skips that session, and the run says so.

Usage (the test suite runs these as separate CTest entries):
  docs_check.py extract   --source SRC --build BIN --work DIR
  docs_check.py cmake     --work DIR [--compiler CXX] [--launcher L]
  docs_check.py pkgconfig --work DIR [--ccache]
  docs_check.py run       --work DIR
"""

import argparse
import hashlib
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

CPP_LANGS = {"cpp", "c++", "cxx", "cc", "hpp", "h++"}
PRELUDE = ["<soket/soket.hpp>", "<soket/socketserver.hpp>", "<soket/event.hpp>", "<iostream>",
           "<string>"]
PKG_CONFIG_FLAGS = "$(pkg-config --cflags --libs soket)"
MARKER = re.compile(r"^<!--\s*doctest:\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(```+|~~~+)\s*([^\s`]*)\s*$")
LOOKS_LIKE_CPP = re.compile(r"#include\s*<|\bsoket::|\bint main\s*\(")
SERVERS = pathlib.Path(__file__).resolve().parent.parent / "support" / "servers"
SERVER_PORT = "12345"  # each session has its own namespace: the documents' port is free
SKIPPED = 4  # a session's exit status when its server cannot run here
WAIT_SECONDS = 30  # a bound on each wait for output: generous for TSan on a loaded machine
COMMAND_SECONDS = 60
# A bound on one whole session (below CTest's 900 s for the pass): a session that hangs is
# reported with its output so far instead of the pass being killed without a word.
SESSION_SECONDS = 300


class DocError(Exception):
    pass


def fail(msg):
    print(f"docs_check: {msg}", file=sys.stderr)
    sys.exit(1)


# -- reading the Markdown --------------------------------------------------------------------

def markdown_files(source):
    files = [source / "README.md"] + sorted((source / "docs").rglob("*.md"))
    return [f for f in files if f.is_file()]


def parse_blocks(path, rel):
    """Yields (marker or None, lang, first line number of the body, body, marker line)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    pending = None  # (marker text, line number)
    while i < len(lines):
        line = lines[i]
        m = MARKER.match(line.strip())
        if m:
            if pending:
                raise DocError(f"{rel}:{pending[1]}: doctest marker not followed by a block")
            pending = (m.group(1), i + 1)
            i += 1
            continue
        f = FENCE.match(line.strip())
        if f:
            fence, lang = f.group(1), f.group(2).lower()
            body, j = [], i + 1
            while j < len(lines) and not lines[j].strip().startswith(fence):
                body.append(lines[j])
                j += 1
            if j == len(lines):
                raise DocError(f"{rel}:{i + 1}: unterminated code block")
            yield (pending, lang, i + 2, "\n".join(body) + "\n")
            pending = None
            i = j + 1
            continue
        if line.strip() and pending:
            raise DocError(f"{rel}:{pending[1]}: doctest marker not followed by a block")
        i += 1
    if pending:
        raise DocError(f"{rel}:{pending[1]}: doctest marker not followed by a block")


def parse_marker(text, where):
    m = re.fullmatch(r"program\s+([A-Za-z_][A-Za-z0-9_]*)", text)
    if m:
        return {"kind": "program", "name": m.group(1)}
    m = re.fullmatch(r"fragment(?:\((.*)\))?", text)
    if m:
        return {"kind": "fragment", "params": m.group(1) or ""}
    if text == "declarations":
        return {"kind": "declarations"}
    m = re.fullmatch(r"file\s+([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*)", text)
    if m and not {".", ".."} & set(m.group(1).split("/")):  # stays in the session's folder
        return {"kind": "file", "name": m.group(1)}
    m = re.fullmatch(r'run((?:\s+\w+="[^"]*")*)', text)
    if m:
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        unknown = set(attrs) - {"vary", "server"}
        if unknown:
            raise DocError(f"{where}: unknown run attribute(s) {sorted(unknown)} (vary, server)")
        server = attrs.get("server", "")
        if server and not re.fullmatch(r"[a-z0-9_]+", server):
            raise DocError(f"{where}: server=\"{server}\" is not a fixture name")
        return {"kind": "run", "vary": attrs.get("vary", "").split(), "server": server}
    raise DocError(f"{where}: unknown doctest marker '{text}' (program NAME, fragment, "
                   f"fragment(PARAMS), declarations, file NAME, run [vary=\"...\"] "
                   f"[server=\"NAME\"])")


def parse_session(body, where, programs):
    """A console block -> steps: {"cmd", "expect": [lines], "line"}."""
    steps = []
    for n, line in enumerate(body.rstrip("\n").split("\n")):
        if line.startswith("$ "):
            steps.append({"cmd": line[2:].strip(), "expect": [], "line": n})
        elif not steps:
            raise DocError(f"{where}: a session starts with a '$ command' line")
        else:
            steps[-1]["expect"].append(line)
    for step in steps:
        cmd = strip_comment(step["cmd"])
        if cmd.startswith("c++"):
            m = re.fullmatch(r"c\+\+ -std=c\+\+20 (\w+)\.cpp -o (\w+) " + re.escape(PKG_CONFIG_FLAGS),
                             cmd)
            if not m or m.group(1) != m.group(2) or m.group(1) not in programs:
                raise DocError(f"{where}: compile line '{cmd}' is not 'c++ -std=c++20 NAME.cpp "
                               f"-o NAME {PKG_CONFIG_FLAGS}' for a program NAME of this document")
            if step["expect"]:
                raise DocError(f"{where}: a compile line is shown printing something")
            step["compile"] = m.group(1)
    return steps


def strip_comment(cmd):
    """`./server &   # python server.py &` -> `./server &` (a # after whitespace, outside
    quotes, starts a comment, as in the shell)."""
    out, quote = [], None
    for i, ch in enumerate(cmd):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or cmd[i - 1].isspace()):
            break
        out.append(ch)
    return "".join(out).strip()


def split_includes(body):
    """Moves #include lines out (to the top of the file); blank lines keep the numbering."""
    includes, rest = [], []
    for line in body.split("\n"):
        is_include = re.match(r"\s*#\s*include\b", line)
        if is_include:
            includes.append(line)
        rest.append("" if is_include else line)
    return includes, rest


def extract(args):
    source, work = pathlib.Path(args.source).resolve(), pathlib.Path(args.work).resolve()
    build = pathlib.Path(args.build).resolve()
    docs, errors = [], []
    for path in markdown_files(source):
        rel = str(path.relative_to(source))
        doc = {"path": rel, "programs": {}, "files": {}, "snippets": [], "sessions": []}
        try:
            for marker, lang, line, body in parse_blocks(path, rel):
                where = f"{rel}:{line - 1}"
                if marker is None:
                    if lang in CPP_LANGS:
                        errors.append(f"{where}: ```{lang} block without a <!-- doctest: ... --> "
                                      "marker (program NAME, fragment or declarations)")
                    elif lang == "" and LOOKS_LIKE_CPP.search(body):
                        errors.append(f"{where}: unlabelled block that looks like C++: label it "
                                      "```cpp and mark it")
                    continue
                spec = parse_marker(marker[0], f"{rel}:{marker[1]}")
                kind = spec["kind"]
                if kind in ("program", "fragment", "declarations") and lang not in CPP_LANGS:
                    raise DocError(f"{where}: a '{kind}' marker needs a ```cpp block")
                if kind == "program":
                    if spec["name"] in doc["programs"]:
                        raise DocError(f"{where}: a second program named '{spec['name']}'")
                    doc["programs"][spec["name"]] = {"source": body, "line": line}
                elif kind == "file":
                    doc["files"][spec["name"]] = body
                elif kind == "run":
                    if spec["server"] and not (SERVERS / f"{spec['server']}.sh").is_file():
                        raise DocError(f"{where}: no fixture tests/support/servers/"
                                       f"{spec['server']}.sh")
                    doc["sessions"].append({"line": line, "vary": spec["vary"],
                                            "server": spec["server"], "body": body})
                else:
                    doc["snippets"].append({"kind": kind, "params": spec.get("params", ""),
                                            "line": line, "body": body})
            for s in doc["sessions"]:
                s["steps"] = parse_session(s["body"], f"{rel}:{s['line'] - 1}", doc["programs"])
        except DocError as e:
            errors.append(str(e))
        docs.append(doc)
    if errors:
        fail("\n  ".join(["the documentation's blocks are not all covered:"] + errors))

    # The programs, deduplicated by (name, text): the English and Indonesian tutorials share
    # their programs, so each is compiled once.
    (work / "src").mkdir(parents=True, exist_ok=True)
    programs = {}
    for doc in docs:
        for name, prog in doc["programs"].items():
            key = hashlib.sha256((name + "\0" + prog["source"]).encode()).hexdigest()[:12]
            prog["key"] = key
            entry = programs.setdefault(key, {"name": name, "where": []})
            entry["where"].append(f"{doc['path']}:{prog['line']}")
            write_if_changed(work / "src" / key / f"{name}.cpp", prog["source"])
    # Fragments and declarations: one translation unit per document.
    tus = []
    for n, doc in enumerate(docs):
        if not doc["snippets"]:
            continue
        includes, parts = [], []
        for s in doc["snippets"]:
            inc, rest = split_includes(s["body"])
            includes += [i.strip() for i in inc if i.strip() not in includes]
            text = "\n".join(rest)
            line_dir = f'#line {s["line"]} "{doc["path"]}"'
            if s["kind"] == "declarations":
                parts.append(f"{line_dir}\n{text}")
            else:
                parts.append(f"void fragment_{s['line']}({s['params']}) {{\n{line_dir}\n{text}\n}}")
        tu = (f"// Generated from {doc['path']} by tests/docs/docs_check.py.\n"
              + "".join(f"#include {h}\n" for h in PRELUDE) + "\n".join(includes)
              + f"\nnamespace soket_docs_{n} {{\n" + "\n".join(parts)
              + f"\n}}  // namespace soket_docs_{n}\n")
        name = f"fragments_{n}.cpp"
        write_if_changed(work / "src" / name, tu)
        tus.append(name)
    manifest = {"source": str(source), "build": str(build), "programs": programs, "tus": tus,
                "docs": docs}
    write_if_changed(work / "manifest.json", json.dumps(manifest, indent=1))
    counts = [sum(len(d[k]) for d in docs) for k in ("programs", "snippets", "sessions")]
    print(f"{len(docs)} documents: {counts[0]} programs ({len(programs)} distinct), "
          f"{counts[1]} fragments/declarations, {counts[2]} sessions")

    # Install the build tree where a user's project finds it, as a user would.
    prefix = work / "prefix"
    run([args.cmake, "--install", str(build), "--prefix", str(prefix)], quiet=True)


def write_if_changed(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def run(cmd, quiet=False, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE if quiet else None,
                       stderr=subprocess.STDOUT if quiet else None, text=True, **kw)
    if r.returncode != 0:
        if quiet:
            print(r.stdout)
        fail(f"command failed ({r.returncode}): {' '.join(map(str, cmd))}")
    return r


def load(work):
    return json.loads((pathlib.Path(work) / "manifest.json").read_text())


def strict_check(strict):
    # Proves which dialect the pass compiled: CMake's default gnu++20 defines `unix` (the
    # macro that broke Family::unix) and not __STRICT_ANSI__; pkg-config's -std=c++20 the
    # reverse.
    wrong = "!defined" if strict else "defined"
    dialect = "-std=c++20" if strict else "-std=gnu++20 (CMake's default)"
    return (f"#if {wrong}(__STRICT_ANSI__)\n#error \"this pass must compile with {dialect}\"\n"
            "#endif\nint main() {}\n")


# -- the CMake pass: a fresh find_package(soket) project --------------------------------------

def cmake_pass(args):
    work = pathlib.Path(args.work).resolve()
    m = load(work)
    proj = work / "cmake-project"
    lines = ["# Generated by tests/docs/docs_check.py: a user's project, with CMake's defaults.",
             "cmake_minimum_required(VERSION 3.25)", "project(soket_docs LANGUAGES CXX)",
             "find_package(soket REQUIRED)", "add_compile_options(-Wall -Wextra -Werror)"]
    for key, p in sorted(m["programs"].items()):
        t = f"{p['name']}_{key}"
        lines += [f"add_executable({t} ../src/{key}/{p['name']}.cpp)",
                  f"target_link_libraries({t} PRIVATE soket::soket)",
                  f"set_target_properties({t} PROPERTIES OUTPUT_NAME {p['name']} "
                  f"RUNTIME_OUTPUT_DIRECTORY ${{CMAKE_BINARY_DIR}}/bin/{key})"]
    write_if_changed(proj / "main.cpp", strict_check(False))
    tus = " ".join(f"../src/{t}" for t in m["tus"])
    lines += [f"add_executable(fragments main.cpp {tus})",
              "target_link_libraries(fragments PRIVATE soket::soket)",
              # Fragments are pieces: a variable shown and not used is fine there.
              "target_compile_options(fragments PRIVATE -Wno-unused-variable "
              "-Wno-unused-but-set-variable -Wno-unused-parameter -Wno-unused-function)"]
    write_if_changed(proj / "CMakeLists.txt", "\n".join(lines) + "\n")
    bdir = work / "cmake-build"
    cfg = [args.cmake_exe, "-S", str(proj), "-B", str(bdir), "-G", "Ninja",
           f"-DCMAKE_PREFIX_PATH={work / 'prefix'}"]
    if args.compiler:
        cfg.append(f"-DCMAKE_CXX_COMPILER={args.compiler}")
    if args.launcher:
        cfg.append(f"-DCMAKE_CXX_COMPILER_LAUNCHER={args.launcher}")
    run(cfg, quiet=True)
    r = subprocess.run([args.cmake_exe, "--build", str(bdir), "-j2"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        print(r.stdout)
        print(where_programs_come_from(m), file=sys.stderr)
        fail("the CMake (gnu++20) build of the documentation's code failed")
    print(f"built {len(m['programs'])} programs and {len(m['tus'])} fragment files with "
          f"find_package(soket) and CMake's defaults")


def where_programs_come_from(m):
    return "programs (src/<key>/NAME.cpp) come from:\n" + "\n".join(
        f"  {k}/{p['name']}.cpp: {', '.join(p['where'])}" for k, p in sorted(m["programs"].items()))


# -- the pkg-config pass: the command line the documents show --------------------------------

def pkgconfig_pass(args):
    work = pathlib.Path(args.work).resolve()
    m = load(work)
    out = work / "pkgconfig"
    env = dict(os.environ, PKG_CONFIG_PATH=str(work / "prefix" / "lib" / "pkgconfig"))
    if args.ccache and pathlib.Path("/usr/lib/ccache/c++").exists():
        env["PATH"] = "/usr/lib/ccache:" + env["PATH"]  # still `c++`, cached
    # The documented command has no depfile, so every edge depends on a stamp of the installed
    # package instead: a changed header or library rebuilds everything.
    digest = hashlib.sha256()
    for f in sorted((work / "prefix").rglob("*")):
        if f.is_file() and f.suffix in (".hpp", ".a", ".so", ".pc"):
            digest.update(str(f).encode() + f.read_bytes())
    write_if_changed(out / "prefix.stamp", digest.hexdigest())
    # One ninja edge per program, running the documented command in the program's directory.
    edges = ["rule cxx", "  command = cd $dir && $cmd", "  description = $desc"]
    for key, p in sorted(m["programs"].items()):
        name, d = p["name"], out / key
        d.mkdir(parents=True, exist_ok=True)
        write_if_changed(d / f"{name}.cpp", (work / "src" / key / f"{name}.cpp").read_text())
        cmd = f"c++ -std=c++20 {name}.cpp -o {name} {PKG_CONFIG_FLAGS}"
        edges += [f"build {key}/{name}: cxx {key}/{name}.cpp | prefix.stamp", f"  dir = {d}",
                  f"  cmd = {cmd.replace('$', '$$')}", f"  desc = {name}.cpp ({key})"]
    # Fragments: compiled and linked the same way.
    fdir = out / "fragments"
    fdir.mkdir(parents=True, exist_ok=True)
    write_if_changed(fdir / "main.cpp", strict_check(True))
    objs = []
    for t in m["tus"] + ["main.cpp"]:
        if t != "main.cpp":
            write_if_changed(fdir / t, (work / "src" / t).read_text())
        obj = t.replace(".cpp", ".o")
        cmd = f"c++ -std=c++20 -Wall -Wextra -Werror -Wno-unused -Wno-unused-parameter -c {t} -o {obj} $$(pkg-config --cflags soket)"
        edges += [f"build fragments/{obj}: cxx fragments/{t} | prefix.stamp", f"  dir = {fdir}",
                  f"  cmd = {cmd}",
                  f"  desc = {t}"]
        objs.append(obj)
    link = f"c++ {' '.join(objs)} -o fragments $$(pkg-config --libs soket)"
    edges += [f"build fragments/fragments: cxx {' '.join('fragments/' + o for o in objs)} | "
              "prefix.stamp",
              f"  dir = {fdir}", f"  cmd = {link}", "  desc = link fragments"]
    write_if_changed(out / "build.ninja", "\n".join(edges) + "\n")
    r = subprocess.run(["ninja", "-C", str(out), "-j2"], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        print(r.stdout)
        print(where_programs_come_from(m), file=sys.stderr)
        fail("the pkg-config (-std=c++20) build of the documentation's code failed")
    print(f"built {len(m['programs'])} programs and {len(m['tus'])} fragment files with "
          f"c++ -std=c++20 ... {PKG_CONFIG_FLAGS}")


# -- the sessions ----------------------------------------------------------------------------

def expected_regex(line, vary):
    pattern = re.escape(line.rstrip())
    for word in vary:
        repl = r"\d+" if word.isdigit() else r"\S+"
        pattern = pattern.replace(re.escape(word), repl)
    return re.compile(pattern)


def run_pass(args):
    work = pathlib.Path(args.work).resolve()
    m = load(work)
    jobs = []
    for doc in m["docs"]:
        for n, session in enumerate(doc["sessions"]):
            jobs.append((doc, n, session))
    failures, skipped = [], []
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not jobs:
                    return
                doc, n, session = jobs.pop(0)
            where, start = f"{doc['path']}:{session['line'] - 1}", time.monotonic()
            try:
                err, skip = run_session_isolated(work, m, doc, n, session)
            except Exception as e:  # a failure of the checker itself still names the session
                err, skip = f"{where}: the checker failed: {e!r}", None
            # One line per session as it ends: if the pass itself is cut short, the log
            # still says which sessions ran and which one was running.
            verdict = "FAILED" if err else "skipped" if skip else "ok"
            print(f"{where}: {verdict} ({time.monotonic() - start:.1f} s)", flush=True)
            with lock:
                if err:
                    failures.append(err)
                if skip:
                    skipped.append(skip)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    count = len(jobs)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in skipped:
        print(f"skipped {s}")
    if failures:
        fail("\n\n".join(failures))
    print(f"{count - len(skipped)} sessions ran as the documents show them"
          + (f", {len(skipped)} skipped" if skipped else ""))


def run_session_isolated(work, m, doc, n, session):
    """Prepares the session's directory, then runs it in a new network namespace."""
    where = f"{doc['path']}:{session['line'] - 1}"
    d = work / "run" / (re.sub(r"[^A-Za-z0-9]", "_", doc["path"]) + f"_{n}")
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    for name, prog in doc["programs"].items():
        (d / name).symlink_to(work / "cmake-build" / "bin" / prog["key"] / name)
        (d / f"{name}.cpp").write_text(prog["source"])
    for name, text in doc["files"].items():
        (d / name).parent.mkdir(parents=True, exist_ok=True)
        (d / name).write_text(text)
    (d / "build").mkdir()
    (d / "build" / "normal").symlink_to(m["build"])
    spec = {"dir": str(d), "where": where, "vary": session["vary"], "steps": session["steps"],
            "server": session.get("server", ""),
            "path": str(work / "prefix" / "bin") + ":" + os.environ["PATH"]}
    (d.parent / (d.name + ".json")).write_text(json.dumps(spec))
    script = os.path.abspath(__file__)
    for unshare in (["unshare", "-n"], ["unshare", "-rn"]):
        try:
            r = subprocess.run(unshare + [sys.executable, script, "session", str(d) + ".json"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=SESSION_SECONDS + 30)
        except subprocess.TimeoutExpired as e:  # the session's own watchdog did not fire
            out = e.stdout.decode("utf-8", "replace") if isinstance(e.stdout, bytes) else e.stdout
            return session_failure(where, session, f"did not end within {SESSION_SECONDS + 30} s",
                                   out), None
        if r.returncode == 3 or r.stdout.startswith("unshare:"):
            continue  # could not make or set up the namespace this way: try the next
        if r.returncode == SKIPPED:
            return None, f"{where}: {r.stdout.strip()}"
        if r.returncode == 0:
            return None, None
        if r.stdout.strip().startswith(where):
            return r.stdout.rstrip(), None  # the session's own report: expected and got
        why = (f"was killed by {signal.Signals(-r.returncode).name}" if r.returncode < 0
               else f"ended with exit status {r.returncode} without a report")
        return session_failure(where, session, why, r.stdout), None
    return f"{where}: cannot create a network namespace (unshare -n or -rn): {r.stdout}", None


def session_failure(where, session, why, out):
    """A session that ended without its own report: what it ran, and all it printed."""
    cmds = [f"    $ {step['cmd']}" for step in session["steps"]]
    printed = [f"    {line}" for line in (out or "").rstrip().split("\n")] if (out or "").strip() \
        else ["    (nothing)"]
    return "\n".join([f"{where}: the session {why}", "  commands:"] + cmds
                     + ["  the session printed:"] + printed)


def session(args):
    """Runs one session, inside its network namespace (a child of run_session_isolated)."""
    spec = json.loads(pathlib.Path(args.spec).read_text())
    if subprocess.run(["ip", "link", "set", "lo", "up"]).returncode != 0:
        sys.exit(3)
    if spec["server"]:
        start_server(spec)
        try:
            run_steps(spec)
        finally:
            subprocess.run(["bash", str(SERVERS / "news_stop.sh"), spec["dir"]],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    else:
        run_steps(spec)


def start_server(spec):
    """Runs the session's server fixture in its directory; exits SKIPPED when it cannot run."""
    script = SERVERS / f"{spec['server']}.sh"
    r = subprocess.run(["bash", str(script), spec["dir"]], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=120,
                       env=dict(os.environ, SOKET_SERVER_PORT=SERVER_PORT))
    if r.returncode == 77:
        print(f"{script.name}: {r.stdout.strip()}")
        sys.exit(SKIPPED)
    if r.returncode != 0:
        print(f"{spec['where']}: {script.name} failed ({r.returncode}): {r.stdout}")
        sys.exit(1)


def run_steps(spec):
    """The session's commands on one terminal, compared line by line with the text."""
    import pty
    import termios
    master, slave = pty.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.ONLCR  # '\n' stays '\n'
    attrs[3] &= ~(termios.ECHO | termios.ICANON)
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    out = bytearray()
    out_lock = threading.Lock()

    def reader():
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with out_lock:
                out.extend(chunk)

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    env = dict(os.environ, PATH=spec["path"], TERM="dumb")
    vary = spec["vary"]
    expected, jobs = [], []

    def lines_now():
        with out_lock:
            text = out.decode("utf-8", "replace").replace("\r", "")
        done = text.split("\n")
        # Trailing blanks are invisible on a terminal, and editors strip them from the text.
        return [line.rstrip() for line in done[:-1]], done[-1]

    def matches(got, want):
        return all(expected_regex(w, vary).fullmatch(g) for g, w in zip(got, want))

    def describe(why, cmd=None):
        got, partial = lines_now()
        if partial:
            got = got + [partial + "  <no newline>"]
        msg = [f"{spec['where']}: {why}" + (f" (after `$ {cmd}`)" if cmd else ""),
               "  expected:"] + [f"    {w}" for w in expected] + ["  got:"] + [
                   f"    {g}" for g in got]
        for j in jobs:
            if j.poll() is None:
                j.kill()
        return "\n".join(msg)

    def report(why, cmd=None):
        print(describe(why, cmd), flush=True)
        sys.exit(1)

    current = [None]  # the command being run, for the watchdog

    def watchdog():
        print(describe(f"the session did not end within {SESSION_SECONDS} s", current[0]),
              flush=True)
        os._exit(1)

    timer = threading.Timer(SESSION_SECONDS, watchdog)
    timer.daemon = True
    timer.start()

    def wait_for(count, cmd):
        deadline = time.monotonic() + WAIT_SECONDS
        quiet_since = None  # when the last process that could still print was seen ending
        while True:
            got, _ = lines_now()
            if not matches(got, expected):
                report("output differs", cmd)
            if len(got) >= count:
                return
            now = time.monotonic()
            if any(j.poll() is None for j in jobs):
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since > 1:  # nothing runs: what is missing will not come
                report("output is missing lines", cmd)
            if now > deadline:
                report(f"output did not come within {WAIT_SECONDS} s", cmd)
            time.sleep(0.02)

    for step in spec["steps"]:
        cmd = strip_comment(step["cmd"])
        current[0] = cmd
        expected += step["expect"]
        if "compile" in step:
            continue  # built by the pkg-config pass with exactly this command
        kill = re.fullmatch(r"kill(?:\s+-(\w+))?\s+%(\d+)", cmd)
        if kill:
            sig = kill.group(1) or "TERM"
            signum = int(sig) if sig.isdigit() else getattr(signal, "SIG" + sig.upper().removeprefix("SIG"))
            job = jobs[int(kill.group(2)) - 1]
            job.send_signal(signum)
            try:
                job.wait(timeout=WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                report(f"job %{kill.group(2)} did not end on SIG{sig}", cmd)
        elif cmd.endswith("&"):
            jobs.append(subprocess.Popen(["bash", "-c", "exec " + cmd[:-1].strip()],
                                         cwd=spec["dir"], env=env, stdin=subprocess.DEVNULL,
                                         stdout=slave, stderr=slave, start_new_session=True))
        else:
            p = subprocess.Popen(["bash", "-c", cmd], cwd=spec["dir"], env=env,
                                 stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                                 start_new_session=True)
            try:
                p.wait(timeout=COMMAND_SECONDS)
            except subprocess.TimeoutExpired:
                p.kill()
                report(f"did not finish within {COMMAND_SECONDS} s", cmd)
        wait_for(len(expected), cmd)
    for j in jobs:  # the session is over: whatever still runs ends without a word
        if j.poll() is None:
            j.kill()
        j.wait()
    os.close(slave)
    t.join(timeout=5)
    got, partial = lines_now()
    if partial:
        report("output ends without a newline")
    if len(got) != len(expected) or not matches(got, expected):
        report("output differs")
    timer.cancel()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    e = sub.add_parser("extract")
    e.add_argument("--source", required=True)
    e.add_argument("--build", required=True)
    e.add_argument("--work", required=True)
    e.add_argument("--cmake", default="cmake")
    c = sub.add_parser("cmake")
    c.add_argument("--work", required=True)
    c.add_argument("--cmake-exe", default="cmake")
    c.add_argument("--compiler", default="")
    c.add_argument("--launcher", default="")
    p = sub.add_parser("pkgconfig")
    p.add_argument("--work", required=True)
    p.add_argument("--ccache", action="store_true")
    r = sub.add_parser("run")
    r.add_argument("--work", required=True)
    s = sub.add_parser("session")
    s.add_argument("spec")
    args = ap.parse_args()
    {"extract": extract, "cmake": cmake_pass, "pkgconfig": pkgconfig_pass, "run": run_pass,
     "session": session}[args.what](args)


if __name__ == "__main__":
    main()
