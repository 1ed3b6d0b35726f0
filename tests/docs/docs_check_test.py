#!/usr/bin/env python3
"""The docs checker's own markers: what a `run` marker may say (vary, server) and the one-line
errors for what it may not, and file names with a folder. Run by CTest (docs.checker_markers)."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import docs_check as dc  # noqa: E402


def refused(text):
    try:
        dc.parse_marker(text, "README.md:1")
    except dc.DocError as e:
        return str(e)
    raise AssertionError(f"marker accepted: {text}")


def main():
    spec = dc.parse_marker('run server="inn2" vary="525 Mon,"', "x")
    assert spec == {"kind": "run", "vary": ["525", "Mon,"], "server": "inn2"}, spec
    spec = dc.parse_marker('run vary="48437"', "x")
    assert spec == {"kind": "run", "vary": ["48437"], "server": ""}, spec
    assert dc.parse_marker("run", "x") == {"kind": "run", "vary": [], "server": ""}
    assert "unknown run attribute(s) ['port']" in refused('run port="1"')
    assert "is not a fixture name" in refused('run server="../../bin/sh"')
    assert "unknown doctest marker" in refused('run server=inn2')
    assert dc.parse_marker("file gopher/hello.txt", "x") == {"kind": "file",
                                                             "name": "gopher/hello.txt"}
    assert "unknown doctest marker" in refused("file ../escape.txt")
    assert "unknown doctest marker" in refused("file /etc/passwd")
    # Every fixture a document may name exists, with the stop script the checker runs after.
    for name in ("inn2", "telnetd", "gophernicus"):
        assert (dc.SERVERS / f"{name}.sh").is_file(), name
    assert (dc.SERVERS / "news_stop.sh").is_file()
    print("docs_check markers: ok")


if __name__ == "__main__":
    main()
