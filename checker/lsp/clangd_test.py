#!/usr/bin/env python3
"""clangd, driven as an editor drives it, on the tree's compile_commands.json.

    clangd_test.py ROOT FILE...

Starts Debian's clangd-19 over the Language Server Protocol in ROOT (whose
compile_commands.json `racelings lsp` wrote), opens each FILE and checks that
clangd reports no error in it. Then opens checker/lsp/testdata/
unguarded_access.cc with the exact flags of an exercise (a copy of the entry
of exercises/06_counter_mutex/exercise.cc) and checks that clangd reports the
thread-safety error on the line that reads a RawMutex-guarded member without
the lock, and nothing else.

Exit status 0 when every check holds, 1 otherwise.
"""

import json
import os
import pathlib
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time

CLANGD = os.environ.get("RACELINGS_CLANGD", "/usr/bin/clangd-19")
# Parsing a file that includes GoogleTest takes clangd a few seconds; the
# whole run is bounded so that a clangd that never answers fails the test.
DEADLINE_S = 900
ERROR = 1  # LSP DiagnosticSeverity.Error
FIXTURE = "checker/lsp/testdata/unguarded_access.cc"
FIXTURE_FLAGS_FROM = "exercises/06_counter_mutex/exercise.cc"
FIXTURE_MARK = "the unguarded read clangd must flag"


class Clangd:
    """A clangd process and the messages it sends, read on a thread."""

    def __init__(self, root, log):
        self.proc = subprocess.Popen(
            [CLANGD, "--background-index=false", "-j=2", "--pch-storage=memory", "--log=error"],
            cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
        self.inbox = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            self.inbox.put(json.loads(out.read(length)))

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.next_id

    def receive(self, deadline):
        """The next message, or None when clangd exited or time ran out."""
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        try:
            return self.inbox.get(timeout=left)
        except queue.Empty:
            return None

    def stop(self):
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


def diagnostics_for(root, paths, log):
    """{path: [diagnostic, ...]} as clangd publishes them after opening each path."""
    clangd = Clangd(root, log)
    deadline = time.monotonic() + DEADLINE_S
    init = clangd.request("initialize", {
        "processId": os.getpid(),
        "rootUri": pathlib.Path(root).as_uri(),
        "capabilities": {"textDocument": {"publishDiagnostics": {}}},
    })
    while True:
        message = clangd.receive(deadline)
        if message is None:
            raise RuntimeError("clangd did not answer 'initialize'")
        if message.get("id") == init:
            break
    clangd.notify("initialized", {})
    uris = {pathlib.Path(p).as_uri(): p for p in paths}
    for uri, path in uris.items():
        clangd.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "cpp", "version": 1, "text": pathlib.Path(path).read_text()}})
    published = {}
    while len(published) < len(uris):
        message = clangd.receive(deadline)
        if message is None:
            missing = sorted(set(uris.values()) - set(published))
            clangd.stop()
            raise RuntimeError("clangd published no diagnostics for: " + " ".join(missing))
        if message.get("method") == "textDocument/publishDiagnostics":
            path = uris.get(message["params"]["uri"])
            if path is not None:
                published[path] = message["params"]["diagnostics"]
    clangd.stop()
    return published


def describe(path, d):
    line = d["range"]["start"]["line"] + 1
    return "%s:%d: [%s] %s" % (path, line, d.get("code", ""), d["message"])


def fixture_database(root, scratch):
    """The fixture, copied into `scratch` beside a compilation database whose
    one entry is the exercise's, pointed at the fixture."""
    database = pathlib.Path(root) / "compile_commands.json"
    if not database.exists():
        raise RuntimeError("%s is missing: run `./racelings lsp` first" % database)
    exercise = str(pathlib.Path(root) / FIXTURE_FLAGS_FROM)
    entry = next((e for e in json.loads(database.read_text()) if e["file"] == exercise), None)
    if entry is None:
        raise RuntimeError("compile_commands.json has no entry for " + FIXTURE_FLAGS_FROM)
    copy = pathlib.Path(scratch) / "unguarded_access.cc"
    shutil.copyfile(pathlib.Path(root) / FIXTURE, copy)
    args = [str(copy) if a == FIXTURE_FLAGS_FROM else a for a in entry["arguments"]]
    if "-Werror=thread-safety-analysis" not in args:
        raise RuntimeError(FIXTURE_FLAGS_FROM + "'s entry lacks -Werror=thread-safety-analysis")
    (pathlib.Path(scratch) / "compile_commands.json").write_text(
        json.dumps([{"directory": entry["directory"], "file": str(copy), "arguments": args}]))
    return str(copy)


def check_clean(root, published):
    """One line per file; the errors clangd found in files that build, and
    how many files had any."""
    problems = []
    failed_files = 0
    for path, diagnostics in published.items():
        relative = os.path.relpath(path, root)
        errors = [describe(relative, d) for d in diagnostics if d.get("severity") == ERROR]
        print("%s  %s (%d diagnostics, %d errors)" % (
            "FAIL" if errors else "ok  ", relative, len(diagnostics), len(errors)))
        problems += ["an error in a file that builds: " + e for e in errors]
        failed_files += 1 if errors else 0
    return problems, failed_files


def check_fixture(root, diagnostics):
    """The thread-safety error on the marked line, and no other error."""
    mark = next(i for i, line in enumerate(pathlib.Path(root, FIXTURE).read_text().splitlines())
                if FIXTURE_MARK in line)
    errors = [d for d in diagnostics if d.get("severity") == ERROR]
    expected = [d for d in errors if d["range"]["start"]["line"] == mark
                and "requires holding mutex" in d["message"]]
    problems = ["an unexpected error in the fixture: " + describe(FIXTURE, d)
                for d in errors if d not in expected]
    if not expected:
        problems.append("no thread-safety error on %s:%d; clangd said: %s" % (
            FIXTURE, mark + 1, "; ".join(describe(FIXTURE, d) for d in diagnostics) or "nothing"))
    print("%s  %s: %s" % ("FAIL" if problems else "ok  ", FIXTURE,
                          "; ".join(describe(FIXTURE, d) for d in expected) or "no thread-safety error"))
    return problems


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    root = os.path.abspath(argv[1])
    files = [os.path.join(root, f) for f in argv[2:]]
    with tempfile.TemporaryDirectory(prefix="racelings-clangd-") as scratch, \
            open(os.path.join(scratch, "clangd.log"), "w+") as log:
        try:
            problems, failed = check_clean(root, diagnostics_for(root, files, log))
            fixture = fixture_database(root, scratch)
            fixture_problems = check_fixture(root, diagnostics_for(scratch, [fixture], log)[fixture])
        except RuntimeError as e:
            log.seek(0)
            print("clangd test: %s\nclangd's log (end):\n%s" % (e, log.read()[-4000:]), file=sys.stderr)
            return 1
    for p in problems + fixture_problems:
        print("clangd test: " + p, file=sys.stderr)
    failed += 1 if fixture_problems else 0
    print("%d passed, %d failed" % (len(files) + 1 - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
