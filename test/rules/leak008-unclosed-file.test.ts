// LEAK008 unclosed-file: every opener the issue lists (open, io/codecs/gzip/bz2/lzma, tarfile,
// zipfile, tempfile, os.fdopen, Path.open), chains and inline consumers, owned files, test idioms,
// and the exact fixed output: `with` blocks that keep tabs, 2-space indents, comments, multi-line
// strings and backslash continuations, and `pathlib` one-liners where they mean the same.
import { rule } from '../../server/src/rules/leak008-unclosed-file';
import { type RuleTable, ruleTester } from '../support/rule-tester';

const table: RuleTable = {
  valid: [
    {
      name: 'waited for by communicate() in the loop right after an empty list is made: nothing between can raise',
      code: `
        import subprocess

        def git_log(tag):
            process = subprocess.Popen(["git", "log", tag], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            lines = []
            for output in process.communicate():
                lines.append(output)
            return lines
      `,
    },
    {
      name: 'a helper that waits for its process before returning it hands out nothing to wait for',
      code: `
        import subprocess

        class Runner:
            def run_logged(self, cmd):
                p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                out, err = p.communicate()
                self.output = out
                return p

            def start(self, cmd):
                p = self.run_logged(cmd)
                return p.returncode
      `,
    },
    {
      name: 'opened and closed in the same except handler, nothing between',
      code: `
        import subprocess

        def ensure(path):
            try:
                with open(path) as f:
                    return f.read()
            except OSError as exc:
                if exc.errno == 2:
                    fp = open(path, "w")
                    fp.close()
            return ""

        def tool_version(cmd):
            try:
                out = subprocess.check_output([cmd])
            except OSError:
                p = subprocess.Popen([cmd + "-legacy"], stdout=subprocess.PIPE)
                out, _ = p.communicate()
            return out
      `,
    },
    {
      name: 'a file kept on self by a class made in other modules: its owner decides',
      code: `
        class Spool:
            def __init__(self, path):
                self._fh = open(path, "a")

            def write(self, line):
                self._fh.write(line)
      `,
    },
    {
      name: 'with open()',
      code: `
        def read_config(path):
            with open(path, encoding="utf-8") as f:
                return f.read()
      `,
    },
    {
      name: 'ExitStack.enter_context(open())',
      code: `
        from contextlib import ExitStack

        def merge(paths, out):
            with ExitStack() as stack:
                files = [stack.enter_context(open(p)) for p in paths]
                out.write("".join(f.read() for f in files))
      `,
    },
    {
      name: 'file returned to the caller',
      code: `
        def open_log(path):
            f = open(path, "a")
            f.write("started\\n")
            return f
      `,
    },
    {
      name: 'generator yielding open files',
      code: `
        def open_all(paths):
            for p in paths:
                yield open(p)
      `,
    },
    {
      name: 'stored on self by a class that closes it',
      code: `
        class Log:
            def __init__(self, path):
                self._f = open(path, "a")

            def write(self, line):
                self._f.write(line)

            def close(self):
                self._f.close()
      `,
    },
    {
      name: 'stored on self by a class without teardown',
      code: `
        class Reader:
            def __init__(self, path):
                self.handle = open(path, "rb")
      `,
    },
    {
      name: 'closed in finally',
      code: `
        def count_lines(path):
            f = open(path)
            try:
                return sum(1 for _ in f)
            finally:
                f.close()
      `,
    },
    {
      name: 'module-level open is not reported (import-time script)',
      code: `
        import sys

        LOG = open("/tmp/app.log", "a")
        VERSION = open("VERSION").read().strip()

        def log(msg):
            LOG.write(msg)
      `,
    },
    {
      name: 'touching a file: open(p, "w").close()',
      code: `
        def touch(path):
            open(path, "w").close()
      `,
    },
    {
      name: 'unittest addCleanup(f.close)',
      code: `
        import unittest

        class T(unittest.TestCase):
            def test_read(self):
                f = open("data.txt")
                self.addCleanup(f.close)
                self.assertTrue(f.read())
      `,
    },
    {
      name: 'Path.open() in with, and pathlib one-liners',
      code: `
        from pathlib import Path

        def load(name):
            p = Path("data") / name
            with p.open() as f:
                header = f.readline()
            return header, p.read_text()
      `,
    },
    {
      name: 'open(fd, closefd=False) does not own the descriptor',
      code: `
        import os

        def wrap(fd):
            f = os.fdopen(fd, "w", closefd=False)
            f.write("x")
            f.flush()
      `,
    },
    {
      name: 'tempfile, gzip, codecs, zipfile in with',
      code: `
        import codecs
        import gzip
        import tempfile
        import zipfile

        def pack(src, dst):
            with tempfile.NamedTemporaryFile("w+b") as tmp, gzip.open(src) as g:
                tmp.write(g.read())
            with codecs.open(dst, "w", "utf-8") as out, zipfile.ZipFile(dst + ".zip", "w") as z:
                out.write("done")
                z.write(dst)
      `,
    },
    {
      name: 'creation expected to raise in assertRaises',
      code: `
        import unittest

        class T(unittest.TestCase):
            def test_missing(self):
                with self.assertRaises(FileNotFoundError):
                    open("/does/not/exist")
      `,
    },
    {
      name: 'open() patched with a mock',
      code: `
        from unittest import mock

        def test_reads():
            with mock.patch("builtins.open", mock.mock_open(read_data="x")):
                f = open("any")
                assert f.read() == "x"
      `,
    },
    {
      name: 'probing whether a file can be opened',
      code: `
        def readable(path):
            try:
                open(path).close()
            except OSError:
                return False
            try:
                open(path)
            except OSError:
                return False
            return True
      `,
    },
    {
      name: 'file handed to a constructor that keeps it',
      code: `
        import csv

        def reader(path):
            return csv.reader(open(path, newline=""))
      `,
    },
    {
      name: 'del drops the last reference on purpose',
      code: `
        def check(path):
            f = open(path)
            del f
      `,
    },
    {
      name: 'closed right away: nothing can raise in between',
      code: `
        def create(path):
            f = open(path, "x")
            created = True
            f.close()
            return created
      `,
    },
    {
      name: 'a local function named open is not the builtin',
      code: `
        def open(path):
            return path

        def use(p):
            return open(p).upper()
      `,
    },
    {
      name: 'redirecting sys.stdout hands the file on',
      code: `
        import sys

        def redirect(path):
            sys.stdout = open(path, "w")
      `,
    },
    {
      name: 'a bound method handed on keeps the file alive',
      code: `
        import os
        import sys

        def enable_tracing(tracer):
            err = open(os.dup(sys.stderr.fileno()), "w", buffering=1)
            tracer.setwriter(err.write)
      `,
    },
    {
      name: 'archive wrappers over file objects they do not own',
      code: `
        import gzip
        import io
        import zipfile

        def gunzip(data):
            g = gzip.GzipFile(fileobj=io.BytesIO(data))
            return g.read()

        def names(path):
            with open(path, "rb") as fp:
                z = zipfile.ZipFile(fp)
                return z.namelist()
      `,
    },
    {
      name: 'a bare except swallows what the write raises, so the close after it always runs',
      code: `
        def save(path, text):
            f = open(path, "w")
            try:
                f.write(text)
            except:
                pass
            f.close()
      `,
    },
    {
      name: 'zip members in with, fileinput read to the end or closed, Popen communicated, wave over a buffer',
      code: `
        import fileinput
        import io
        import subprocess
        import wave
        import zipfile


        def first_member(path):
            with zipfile.ZipFile(path) as zf, zf.open(zf.namelist()[0]) as member:
                return member.read()


        def total_length(paths):
            return sum(len(line) for line in fileinput.input(paths))


        def first_line(paths):
            line = fileinput.input(paths).readline()
            fileinput.close()
            return line


        def git_head():
            proc = subprocess.Popen(["git", "rev-parse", "HEAD"], stdout=subprocess.PIPE)
            out, _ = proc.communicate()
            return out.strip()


        def frames(data):
            return wave.open(io.BytesIO(data)).getnframes()
      `,
    },
    {
      name: 'a process started in a try/break loop over candidates and waited for by the statement right after the loop',
      code: `
        import subprocess


        def describe(args):
            for exe in ("git", "git.exe"):
                try:
                    proc = subprocess.Popen([exe] + args, stdout=subprocess.PIPE)
                    break
                except OSError:
                    continue
            else:
                return None
            return proc.communicate()[0]
      `,
    },
    {
      name: 'a temporary file closed by the first statement of the try that follows it',
      code: `
        import contextlib
        import os
        import tempfile


        @contextlib.contextmanager
        def scratch_path():
            handle = tempfile.NamedTemporaryFile(delete=False)
            try:
                handle.close()
                yield handle.name
            finally:
                os.remove(handle.name)
      `,
    },
    {
      name: 'a pytest fixture generator releases after yield: pytest resumes it for teardown whatever the test did',
      code: `
        import subprocess

        import pytest


        @pytest.fixture
        def server():
            proc = subprocess.Popen(["serve"], stdout=subprocess.PIPE)
            yield proc
            proc.terminate()
            proc.wait()
      `,
    },
    {
      name: 'a process polled in a loop until it has exited: poll() reaps the child',
      code: `
        import subprocess
        import time

        def output_of(cmd):
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE)
            while p.poll() is None:
                time.sleep(0.1)
            return p.stdout.read()
      `,
    },
    {
      name: 'a two-process pipeline whose first stage is waited for too (in a finally)',
      code: `
        import subprocess

        def mounted(device):
            first = subprocess.Popen(["mount"], stdout=subprocess.PIPE)
            try:
                with subprocess.Popen(["grep", device], stdin=first.stdout, stdout=subprocess.PIPE) as second:
                    first.stdout.close()
                    return second.communicate()[0]
            finally:
                first.wait()
      `,
    },
  ],
  invalid: [
    {
      name: 'a delete-on-close temporary file whose path is handed on: no `with` (closing would delete the file the path names)',
      code: `
        from tempfile import NamedTemporaryFile

        def connect(client_factory, pem):
            f = NamedTemporaryFile(dir=".")
            f.write(pem.encode())
            f.flush()
            paths = {"cert": f.name}
            client = client_factory(cert=paths["cert"])
            return client.fetch()
      `,
      errors: [{ line: 4, message: 'never closed' }],
      output: null,
    },
    {
      name: 'a set display of names between the creation and the close can raise (an unhashable name)',
      code: `
        def tag(path, a, b):
            f = open(path, "w")
            tags = {a, b}
            f.close()
            return tags
      `,
      errors: [{ line: 2, message: 'only if no exception occurs first' }],
    },
    {
      name: 'a helper that closes only in the branches that raise returns the archive open: its callers are judged',
      code: `
        import zipfile

        def open_checked(path, limit):
            zf = zipfile.ZipFile(path)
            if len(zf.infolist()) > limit:
                zf.close()
                raise ValueError("too many members")
            return zf

        def count(path):
            zf = open_checked(path, 100)
            return len(zf.namelist())
      `,
      errors: [{ line: 11, message: 'never closed' }],
    },
    {
      name: 'the first stage of a pipeline, its stdout given to the second as stdin, is never waited for: the pipe end goes to the child, the process stays ours',
      code: `
        import subprocess

        def mounted(device):
            first = subprocess.Popen(["mount"], stdout=subprocess.PIPE)
            with subprocess.Popen(["grep", device], stdin=first.stdout, stdout=subprocess.PIPE) as second:
                first.stdout.close()
                return second.communicate()[0]
      `,
      errors: [{ line: 4, message: '`first` from `subprocess.Popen()` is never waited for in `mounted()`' }],
    },
    {
      name: 'a process polled once (not in a loop): it may still be running, never waited for',
      code: `
        import subprocess

        def peek(cmd):
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE)
            if p.poll() is None:
                return "running"
            return p.stdout.read()
      `,
      errors: [{ line: 4, message: 'is never waited for in `peek()`' }],
    },
    {
      name: 'an argparse sub-command (set_defaults(func=...)) runs once per process: a file it leaves open is a hint naming why',
      code: `
        import argparse


        def log_to(path):
            stream = open(path, "a")
            return stream.fileno()


        def cmd_serve(args):
            log_to(args.log)


        def main():
            parser = argparse.ArgumentParser()
            commands = parser.add_subparsers()
            serve = commands.add_parser("serve")
            serve.set_defaults(func=cmd_serve)
            args = parser.parse_args()
            args.func(args)
      `,
      errors: [{ line: 5, severity: 'hint', message: '`cmd_serve()` is an argparse sub-command' }],
    },
    {
      name: 'opened in an except handler and closed there after a write that can raise',
      code: `
        def ensure(path, header):
            try:
                return read(path)
            except OSError:
                fp = open(path, "w")
                fp.write(header)
                fp.close()
      `,
      errors: [{ line: 5, message: 'only if no exception occurs first' }],
    },
    {
      name: 'a writer closed at the top of the next iteration (not after the loop): the close is seen, so only the error path leaks; try/finally around the loop',
      code: `
        def rotate(paths):
            f = None
            for p in paths:
                if f:
                    f.close()
                f = open(p, "w")
                f.write("x")
            return 1
      `,
      errors: [{ line: 6, message: 'only if no exception occurs first' }],
      output: `
        def rotate(paths):
            f = None
            try:
                for p in paths:
                    if f:
                        f.close()
                    f = open(p, "w")
                    f.write("x")
            finally:
                if f is not None:
                    f.close()
            return 1
      `,
    },
    {
      name: 'the same name opened in both branches of an if: each closed only on the normal path, each wrapped',
      code: `
        import csv

        def load_table(path, legacy):
            rows = []
            if legacy:
                f = open(path + ".txt")
                rows = f.read().splitlines()
                f.close()
            else:
                f = open(path + ".csv")
                for row in csv.reader(f):
                    rows.append(row[0])
                f.close()
            return rows
      `,
      errors: [
        { line: 6, message: 'only if no exception occurs first' },
        { line: 10, message: 'only if no exception occurs first' },
      ],
      output: `
        import csv

        def load_table(path, legacy):
            rows = []
            if legacy:
                with open(path + ".txt") as f:
                    rows = f.read().splitlines()
            else:
                with open(path + ".csv") as f:
                    for row in csv.reader(f):
                        rows.append(row[0])
            return rows
      `,
    },
    {
      name: 'a file kept on self by objects made per request, in a class that has no way to close it',
      code: `
        from flask import Flask

        app = Flask(__name__)

        class Spool:
            def __init__(self, path):
                self._fh = open(path, "a")

            def write(self, line):
                self._fh.write(line)

        @app.post("/lines")
        def add_line():
            spool = Spool("/tmp/lines")
            spool.write("x")
            return "ok"
      `,
      errors: [
        {
          line: 7,
          severity: 'information',
          message: '`Spool` has no method that could close it',
        },
      ],
      unsafeOutput: `
        from flask import Flask

        app = Flask(__name__)

        class Spool:
            def __init__(self, path):
                self._fh = open(path, "a")

            def write(self, line):
                self._fh.write(line)

            def close(self):
                self._fh.close()

            def __enter__(self):
                return self

            def __exit__(self, *exc_info):
                self.close()

        @app.post("/lines")
        def add_line():
            spool = Spool("/tmp/lines")
            spool.write("x")
            return "ok"
      `,
    },
    {
      name: 'file never closed',
      code: `
        import json

        def load_config(path):
            f = open(path)
            config = json.load(f)
            return config
      `,
      errors: [{ line: 4, column: 9, message: '`f` from `open()` is never closed in `load_config()`' }],
      output: `
        import json

        def load_config(path):
            with open(path) as f:
                config = json.load(f)
            return config
      `,
    },
    {
      name: 'open(path).read() chain: with block (path may be a descriptor)',
      code: `
        def read_all(path):
            return open(path).read()
      `,
      errors: [
        {
          line: 2,
          column: 12,
          message: 'The file from `open()` is used once (`.read()`) and never closed in `read_all()`',
        },
      ],
      output: `
        def read_all(path):
            with open(path) as f:
                return f.read()
      `,
    },
    {
      name: 'open("VERSION").read() → Path.read_text()',
      code: `
        def version():
            return open("VERSION").read().strip()
      `,
      errors: [
        {
          line: 2,
          column: 12,
          message: 'The file from `open()` is used once (`.read()`) and never closed in `version()`',
        },
      ],
      output: `
        from pathlib import Path
        def version():
            return Path("VERSION").read_text().strip()
      `,
    },
    {
      name: 'binary read of an os.path.join path → Path.read_bytes()',
      code: `
        import os

        def blob(root, name):
            data = open(os.path.join(root, name), "rb").read()
            return data
      `,
      errors: [
        {
          line: 4,
          column: 12,
          message: 'The file from `open()` is used once (`.read()`) and never closed in `blob()`',
        },
      ],
      output: `
        import os
        from pathlib import Path

        def blob(root, name):
            data = Path(os.path.join(root, name)).read_bytes()
            return data
      `,
    },
    {
      name: 'text write with encoding → Path.write_text()',
      code: `
        def save(name, text):
            open(f"/tmp/{name}.txt", "w", encoding="utf-8").write(text)
      `,
      errors: [
        {
          line: 2,
          column: 5,
          message: 'The file from `open()` is used once (`.write()`) and never closed in `save()`',
        },
      ],
      output: `
        from pathlib import Path
        def save(name, text):
            Path(f"/tmp/{name}.txt").write_text(text, encoding="utf-8")
      `,
    },
    {
      name: 'Path(p).open().read() → Path(p).read_text()',
      code: `
        from pathlib import Path

        def load(p):
            return Path(p).open(encoding="utf-8").read()
      `,
      errors: [
        {
          line: 4,
          column: 12,
          message: 'The file from `Path(p).open()` is used once (`.read()`) and never closed in `load()`',
        },
      ],
      output: `
        from pathlib import Path

        def load(p):
            return Path(p).read_text(encoding="utf-8")
      `,
    },
    {
      name: 'passed inline to json.load',
      code: `
        import json

        def load(path):
            data = json.load(open(path))
            return data["items"]
      `,
      errors: [
        {
          line: 4,
          column: 22,
          message: 'The file from `open()` is passed to `json.load()` and never closed in `load()`',
        },
      ],
      output: `
        import json

        def load(path):
            with open(path) as f:
                data = json.load(f)
            return data["items"]
      `,
    },
    {
      name: 'closed only on the normal path, 2-space indentation',
      code: `
        def copy(src, dst):
          f = open(dst, "w")
          for line in open(src).readlines():
            f.write(line)
          f.close()
      `,
      errors: [
        {
          line: 2,
          column: 7,
          message:
            '`f` from `open()` is closed in `copy()` only if no exception occurs first: close it in `finally` or use `with`',
          severity: 'hint',
        },
        {
          line: 3,
          column: 15,
          message: 'The file from `open()` is used once (`.readlines()`) and never closed in `copy()`',
        },
      ],
      output: `
        def copy(src, dst):
          with open(dst, "w") as f:
            with open(src) as f2:
              for line in f2.readlines():
                f.write(line)
      `,
    },
    {
      name: 'tabs, a comment and a multi-line string inside the wrapped block',
      code: `
        def write_report(path, items):
        	out = open(path, "w")
        	for item in items:
        		if item:
        			out.write(item)  # one per line
        	footer = """---
        end of report
        """
        	out.write(footer)
        	return len(items)
      `,
      errors: [{ line: 2, column: 8, message: '`out` from `open()` is never closed in `write_report()`' }],
      output: `
        def write_report(path, items):
        	with open(path, "w") as out:
        		for item in items:
        			if item:
        				out.write(item)  # one per line
        		footer = """---
        end of report
        """
        		out.write(footer)
        	return len(items)
      `,
    },
    {
      name: 'gzip.open never closed',
      code: `
        import gzip

        def head(path):
            g = gzip.open(path, "rt")
            first = g.readline()
            return first
      `,
      errors: [{ line: 4, column: 9, message: '`g` from `gzip.open()` is never closed in `head()`' }],
      output: `
        import gzip

        def head(path):
            with gzip.open(path, "rt") as g:
                first = g.readline()
            return first
      `,
    },
    {
      name: 'zipfile.ZipFile(p).namelist() chain',
      code: `
        import zipfile

        def names(path):
            return zipfile.ZipFile(path).namelist()
      `,
      errors: [
        {
          line: 4,
          column: 12,
          message:
            'The file from `zipfile.ZipFile()` is used once (`.namelist()`) and never closed in `names()`',
        },
      ],
      output: `
        import zipfile

        def names(path):
            with zipfile.ZipFile(path) as f:
                return f.namelist()
      `,
    },
    {
      name: 'NamedTemporaryFile(delete=False) never closed',
      code: `
        import tempfile

        def dump(data):
            tmp = tempfile.NamedTemporaryFile(delete=False)
            tmp.write(data)
            return tmp.name
      `,
      errors: [
        {
          line: 4,
          column: 11,
          message: '`tmp` from `tempfile.NamedTemporaryFile()` is never closed in `dump()`',
        },
      ],
      output: `
        import tempfile

        def dump(data):
            with tempfile.NamedTemporaryFile(delete=False) as tmp:
                tmp.write(data)
                return tmp.name
      `,
    },
    {
      name: 'class teardown forgets the file',
      code: `
        class Recorder:
            def start(self, path):
                self._log = open(path, "a")
                self._active = True

            def close(self):
                self._active = False
      `,
      errors: [
        {
          line: 3,
          column: 21,
          message: '`self._log` from `open()` is never closed: `Recorder.close()` does not close it',
        },
      ],
      unsafeOutput: `
        class Recorder:
            def start(self, path):
                self._log = open(path, "a")
                self._active = True

            def close(self):
                self._active = False
                if getattr(self, "_log", None) is not None:
                    self._log.close()
      `,
    },
    {
      name: 'subprocess stdout=open(...)',
      code: `
        import subprocess

        def run(cmd, log):
            subprocess.run(cmd, stdout=open(log, "w"), check=True)
      `,
      errors: [
        {
          line: 4,
          column: 32,
          message: 'The file from `open()` is passed to `subprocess.run()` and never closed in `run()`',
        },
      ],
      output: `
        import subprocess

        def run(cmd, log):
            with open(log, "w") as f:
                subprocess.run(cmd, stdout=f, check=True)
      `,
    },
    {
      name: 'backslash continuation inside the wrapped block',
      code: `
        def total(path):
            f = open(path)
            n = len(f.readline()) + \\
                len(f.readline())
            return n
      `,
      errors: [{ line: 2, column: 9, message: '`f` from `open()` is never closed in `total()`' }],
      output: `
        def total(path):
            with open(path) as f:
                n = len(f.readline()) + \\
                    len(f.readline())
            return n
      `,
    },
    {
      name: 'nested block: opened inside an if',
      code: `
        def maybe_read(path, enabled):
            if enabled:
                f = open(path)
                text = f.read()
                print(text)
            return enabled
      `,
      errors: [{ line: 3, column: 13, message: '`f` from `open()` is never closed in `maybe_read()`' }],
      output: `
        def maybe_read(path, enabled):
            if enabled:
                with open(path) as f:
                    text = f.read()
                print(text)
            return enabled
      `,
    },
    {
      name: 'conditional creation (it may be stdin): stdin goes through nullcontext',
      code: `
        import sys

        def lines(path):
            f = open(path) if path != "-" else sys.stdin
            return f.readlines()
      `,
      errors: [{ line: 4, column: 9, message: '`f` from `open()` is never closed in `lines()`' }],
      output: `
        import sys
        from contextlib import nullcontext

        def lines(path):
            with (open(path) if path != "-" else nullcontext(sys.stdin)) as f:
                return f.readlines()
      `,
    },
    {
      name: 'name rebound in the region: the first closed before the rebinding, the one held in finally',
      code: `
        def pick(a, b, second):
            f = open(a)
            if second:
                f = open(b)
            return f.read()
      `,
      errors: [
        { line: 2, column: 9, message: '`f` from `open()` is never closed in `pick()`' },
        { line: 4, column: 13, message: '`f` from `open()` is never closed in `pick()`' },
      ],
      output: `
        def pick(a, b, second):
            f = open(a)
            try:
                if second:
                    f.close()
                    f = open(b)
                return f.read()
            finally:
                f.close()
      `,
    },
    {
      name: 'created in a try whose finally uses it: closed at the end of that finally',
      code: `
        def size(path):
            try:
                f = open(path)
                data = f.read()
            finally:
                print("read", f.name)
            return len(data)
      `,
      errors: [{ line: 3, column: 13, message: '`f` from `open()` is never closed in `size()`' }],
      output: `
        def size(path):
            try:
                f = open(path)
                data = f.read()
            finally:
                print("read", f.name)
                f.close()
            return len(data)
      `,
    },
    {
      name: 'print(file=open(...))',
      code: `
        def append(path, msg):
            print(msg, file=open(path, "a"))
      `,
      errors: [
        {
          line: 2,
          column: 21,
          message: 'The file from `open()` is passed to `print()` and never closed in `append()`',
        },
      ],
      output: `
        def append(path, msg):
            with open(path, "a") as f:
                print(msg, file=f)
      `,
    },
    {
      name: 'lambda: Path one-liner works inside expressions',
      code: `
        def make_loader():
            return lambda: open("settings.ini").read()
      `,
      errors: [
        {
          line: 2,
          column: 20,
          message: 'The file from `open()` is used once (`.read()`) and never closed in a lambda',
        },
      ],
      output: `
        from pathlib import Path
        def make_loader():
            return lambda: Path("settings.ini").read_text()
      `,
    },
    {
      name: 'iterated directly in a for loop and a comprehension',
      code: `
        def words(path):
            count = 0
            for line in open(path):
                count += len(line.split())
            return count, [l.strip() for l in open(path)]
      `,
      errors: [
        {
          line: 3,
          column: 17,
          message: 'The file from `open()` is iterated once and never closed in `words()`',
        },
        {
          line: 5,
          column: 39,
          message: 'The file from `open()` is iterated once and never closed in `words()`',
        },
      ],
      output: `
        def words(path):
            count = 0
            with open(path) as f:
                for line in f:
                    count += len(line.split())
            with open(path) as f2:
                return count, [l.strip() for l in f2]
      `,
    },
    {
      name: 'os.fdopen never closed',
      code: `
        import os
        import tempfile

        def scratch():
            fd, name = tempfile.mkstemp()
            f = os.fdopen(fd, "w")
            f.write("x")
            return name
      `,
      errors: [{ line: 6, column: 9, message: '`f` from `os.fdopen()` is never closed in `scratch()`' }],
      output: `
        import os
        import tempfile

        def scratch():
            fd, name = tempfile.mkstemp()
            with os.fdopen(fd, "w") as f:
                f.write("x")
            return name
      `,
    },
    {
      name: 'opened in a comprehension element: no with possible',
      code: `
        def read_all(paths):
            return [open(p).read() for p in paths]
      `,
      errors: [
        {
          line: 2,
          column: 13,
          message: 'The file from `open()` is used once (`.read()`) and never closed in `read_all()`',
        },
      ],
      unsafeOutput: `
        from pathlib import Path
        def read_all(paths):
            return [Path(p).read_text() for p in paths]
      `,
    },
    {
      name: 'Path.open on a Path-bound name, never closed',
      code: `
        from pathlib import Path

        def first_line(root):
            p = Path(root) / "README"
            f = p.open()
            return f.readline()
      `,
      errors: [{ line: 5, column: 9, message: '`f` from `p.open()` is never closed in `first_line()`' }],
      output: `
        from pathlib import Path

        def first_line(root):
            p = Path(root) / "README"
            with p.open() as f:
                return f.readline()
      `,
    },
    {
      name: 'the name f is taken: the inline fix picks f2',
      code: `
        import json

        def load(path, f):
            return f(json.load(open(path)))
      `,
      errors: [
        {
          line: 4,
          column: 24,
          message: 'The file from `open()` is passed to `json.load()` and never closed in `load()`',
        },
      ],
      output: `
        import json

        def load(path, f):
            with open(path) as f2:
                return f(json.load(f2))
      `,
    },
    {
      name: 'finally closes only when the name holds nothing (is None)',
      code: `
        def save(path, text):
            f = None
            try:
                f = open(path, "w")
                f.write(text)
            finally:
                if f is None:
                    f.close()
      `,
      errors: [{ line: 4, column: 13, message: '`f` from `open()` is never closed in `save()`' }],
      unsafeOutput: `
        def save(path, text):
            f = None
            try:
                f = open(path, "w")
                f.write(text)
            finally:
                if f is not None:
                    f.close()
      `,
    },
    {
      name: 'finally closes only a file that is already closed',
      code: `
        def save(path, text):
            out = open(path, "w")
            try:
                out.write(text)
            finally:
                if out.closed:
                    out.close()
      `,
      errors: [{ line: 2, column: 11, message: '`out` from `open()` is never closed in `save()`' }],
      output: `
        def save(path, text):
            with open(path, "w") as out:
                try:
                    out.write(text)
                finally:
                    if out.closed:
                        out.close()
      `,
    },
    {
      name: 'the else of `if f:` only runs without a file',
      code: `
        def head(path):
            f = open(path)
            try:
                return f.readline()
            finally:
                if f:
                    pass
                else:
                    f.close()
      `,
      errors: [{ line: 2, column: 9, message: '`f` from `open()` is never closed in `head()`' }],
      output: `
        def head(path):
            with open(path) as f:
                try:
                    return f.readline()
                finally:
                    if f:
                        pass
                    else:
                        f.close()
      `,
    },
    {
      name: 'a close in a handler for one exception type does not cover the others',
      code: `
        def append(path, line):
            f = open(path, "a")
            try:
                f.write(line)
            except ValueError:
                f.close()
                raise
            f.close()
      `,
      errors: [
        {
          line: 2,
          column: 9,
          message: '`f` from `open()` is closed in `append()` only if no exception occurs first',
          severity: 'hint',
        },
      ],
      output: `
        def append(path, line):
            with open(path, "a") as f:
                try:
                    f.write(line)
                except ValueError:
                    f.close()
                    raise
      `,
    },
    {
      name: 'a file returned by a helper of the same module',
      code: `
        def _open_log(name):
            return open(name, "a")


        def record(name, message):
            log = _open_log(name)
            log.write(message)
      `,
      errors: [{ line: 6, column: 11, message: '`log` from `_open_log()` is never closed in `record()`' }],
      output: `
        def _open_log(name):
            return open(name, "a")


        def record(name, message):
            with _open_log(name) as log:
                log.write(message)
      `,
    },
    {
      name: 'a zip member opened with ZipFile.open() is never closed',
      code: `
        import zipfile


        def read_member(path, name):
            with zipfile.ZipFile(path) as zf:
                member = zf.open(name)
                return member.read(100)
      `,
      errors: [
        {
          line: 6,
          column: 18,
          message:
            '`member` from `zf.open()` is never closed in `read_member()`: it stays open until it is garbage-collected',
          severity: 'information',
        },
      ],
      output: `
        import zipfile


        def read_member(path, name):
            with zipfile.ZipFile(path) as zf:
                with zf.open(name) as member:
                    return member.read(100)
      `,
    },
    {
      name: 'dbm and shelve files never closed',
      code: `
        import dbm
        import shelve


        def lookup(path, key):
            db = dbm.open(path)
            return db.get(key)


        def remember(path, key, value):
            shelf = shelve.open(path)
            shelf[key] = value
      `,
      errors: [
        {
          line: 6,
          column: 10,
          message:
            '`db` from `dbm.open()` is never closed in `lookup()`: it stays open until it is garbage-collected',
          severity: 'information',
        },
        {
          line: 11,
          column: 13,
          message:
            '`shelf` from `shelve.open()` is never closed in `remember()`: it stays open until it is garbage-collected',
          severity: 'information',
        },
      ],
      output: `
        import dbm
        import shelve


        def lookup(path, key):
            with dbm.open(path) as db:
                return db.get(key)


        def remember(path, key, value):
            with shelve.open(path) as shelf:
                shelf[key] = value
      `,
    },
    {
      name: 'tokenize.open and io.open_code used once: a hint',
      code: `
        import io
        import tokenize


        def source_of(path):
            return tokenize.open(path).read()


        def code_bytes(path):
            return io.open_code(path).read()
      `,
      errors: [
        {
          line: 6,
          column: 12,
          message:
            'The file from `tokenize.open()` is used once (`.read()`) and never closed in `source_of()`: CPython closes it as soon as nothing refers to it, other interpreters later',
          severity: 'hint',
        },
        {
          line: 10,
          column: 12,
          message:
            'The file from `io.open_code()` is used once (`.read()`) and never closed in `code_bytes()`: CPython closes it as soon as nothing refers to it, other interpreters later',
          severity: 'hint',
        },
      ],
      output: `
        import io
        import tokenize


        def source_of(path):
            with tokenize.open(path) as f:
                return f.read()


        def code_bytes(path):
            with io.open_code(path) as f:
                return f.read()
      `,
    },
    {
      name: 'Popen with a pipe nobody reads, never waited for (it may be meant to outlive the call): the streams go to DEVNULL, unsafe',
      code: `
        import subprocess


        def start_tail(path):
            proc = subprocess.Popen(["tail", "-n", "1", path], stdout=subprocess.PIPE)
            return proc.pid
      `,
      errors: [
        {
          line: 5,
          column: 12,
          message:
            '`proc` from `subprocess.Popen()` is never waited for in `start_tail()`: its pipes stay open, and once it exits it stays a zombie, until the `Popen` object is garbage-collected',
          severity: 'information',
        },
      ],
      unsafeOutput: `
        import subprocess


        def start_tail(path):
            proc = subprocess.Popen(["tail", "-n", "1", path], stdout=subprocess.DEVNULL)
            return proc.pid
      `,
    },
    {
      name: 'Popen with pipes from a from-import, only polled and its pid kept: DEVNULL imported after the existing import',
      code: `
        from subprocess import PIPE, Popen


        def spawn(cmd):
            child = Popen(cmd, stdout=PIPE, stderr=PIPE)
            if child.poll() is None:
                return child.pid
            return None
      `,
      errors: [{ line: 5, message: 'is never waited for' }],
      unsafeOutput: `
        from subprocess import PIPE, Popen
        from subprocess import DEVNULL


        def spawn(cmd):
            child = Popen(cmd, stdout=DEVNULL, stderr=DEVNULL)
            if child.poll() is None:
                return child.pid
            return None
      `,
    },
    {
      name: 'Popen with one pipe through the module and one imported by name: both go to DEVNULL through the module',
      code: `
        import subprocess
        from subprocess import PIPE


        def spawn(cmd):
            child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=PIPE)
            return child.pid
      `,
      errors: [{ line: 6, message: 'is never waited for' }],
      unsafeOutput: `
        import subprocess
        from subprocess import PIPE


        def spawn(cmd):
            child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return child.pid
      `,
    },
    {
      name: 'Popen waited for only on the normal path',
      code: `
        from subprocess import PIPE, Popen


        def run_filter(cmd, data):
            proc = Popen(cmd, stdin=PIPE, stdout=PIPE)
            payload = data.encode()
            out, _ = proc.communicate(payload)
            return out
      `,
      errors: [
        {
          line: 5,
          column: 12,
          message:
            '`proc` from `Popen()` is waited for in `run_filter()` only if no exception occurs first: wait for it in `finally` or use `with`',
          severity: 'hint',
        },
      ],
      output: `
        from subprocess import PIPE, Popen


        def run_filter(cmd, data):
            with Popen(cmd, stdin=PIPE, stdout=PIPE) as proc:
                payload = data.encode()
                out, _ = proc.communicate(payload)
                return out
      `,
    },
    {
      name: 'Popen waited for only when a flag is set: only on some paths, and `with` (which always waits) is unsafe',
      code: `
        from subprocess import PIPE, Popen


        def run_alert(cmd, text, strict):
            proc = Popen(cmd, stdin=PIPE)
            if text:
                proc.communicate(text.encode())
            if strict and proc.wait():
                raise RuntimeError(cmd)
      `,
      errors: [
        {
          line: 5,
          column: 12,
          message:
            '`proc` from `Popen()` is waited for in `run_alert()` only on some paths: wait for it in `finally` or use `with`',
          severity: 'hint',
        },
      ],
      unsafeOutput: `
        from subprocess import PIPE, Popen


        def run_alert(cmd, text, strict):
            with Popen(cmd, stdin=PIPE) as proc:
                if text:
                    proc.communicate(text.encode())
                if strict and proc.wait():
                    raise RuntimeError(cmd)
      `,
    },
    {
      name: 'fileinput, wave, TarFile.taropen and PyZipFile never closed',
      code: `
        import fileinput
        import tarfile
        import wave
        import zipfile


        def header(paths):
            stream = fileinput.input(paths)
            return stream.readline()


        def channels(path):
            w = wave.open(path)
            return w.getnchannels()


        def names(path):
            tar = tarfile.TarFile.taropen(path)
            return tar.getnames()


        def py_files(path):
            archive = zipfile.PyZipFile(path)
            return archive.namelist()
      `,
      errors: [
        {
          line: 8,
          column: 14,
          message:
            '`stream` from `fileinput.input()` is never closed in `header()`: it stays open until it is garbage-collected',
          severity: 'information',
        },
        {
          line: 13,
          column: 9,
          message:
            '`w` from `wave.open()` is never closed in `channels()`: it stays open until it is garbage-collected',
          severity: 'information',
        },
        {
          line: 18,
          column: 11,
          message:
            '`tar` from `tarfile.TarFile.taropen()` is never closed in `names()`: it stays open until it is garbage-collected',
          severity: 'information',
        },
        {
          line: 23,
          column: 15,
          message:
            '`archive` from `zipfile.PyZipFile()` is never closed in `py_files()`: it stays open until it is garbage-collected',
          severity: 'information',
        },
      ],
      output: `
        import fileinput
        import tarfile
        import wave
        import zipfile


        def header(paths):
            with fileinput.input(paths) as stream:
                return stream.readline()


        def channels(path):
            with wave.open(path) as w:
                return w.getnchannels()


        def names(path):
            with tarfile.TarFile.taropen(path) as tar:
                return tar.getnames()


        def py_files(path):
            with zipfile.PyZipFile(path) as archive:
                return archive.namelist()
      `,
    },
    {
      name: 'files in main() run from the __main__ guard: hints',
      code: `
        import json


        def main():
            config = json.load(open("settings.json"))
            out = open(config["log"], "a")
            out.write("started\\n")


        if __name__ == "__main__":
            main()
      `,
      errors: [
        {
          line: 5,
          column: 24,
          message:
            'The file from `open()` is passed to `json.load()` and never closed in `main()`: CPython closes it as soon as nothing refers to it, other interpreters later (`main()` runs once, from `if __name__ == "__main__":`)',
          severity: 'hint',
        },
        {
          line: 6,
          column: 11,
          message:
            '`out` from `open()` is never closed in `main()`: it stays open until it is garbage-collected (`main()` runs once, from `if __name__ == "__main__":`)',
          severity: 'hint',
        },
      ],
      output: `
        import json


        def main():
            with open("settings.json") as f:
                config = json.load(f)
            with open(config["log"], "a") as out:
                out.write("started\\n")


        if __name__ == "__main__":
            main()
      `,
    },
    {
      name: 'opened in a try whose handler returns, read after it: try/finally up to the last use',
      code: `
        def tail(f, n):
            return f.readlines()[-n:]


        def get_log_tail(path, window=20):
            try:
                logfile = open(path, "r", encoding="utf-8")
            except IOError:
                return []

            log_lines = tail(logfile, window)
            return [line.strip() for line in log_lines]
      `,
      errors: [{ line: 7, message: '`logfile` from `open()` is never closed' }],
      output: `
        def tail(f, n):
            return f.readlines()[-n:]


        def get_log_tail(path, window=20):
            try:
                logfile = open(path, "r", encoding="utf-8")
            except IOError:
                return []

            try:
                log_lines = tail(logfile, window)
                return [line.strip() for line in log_lines]
            finally:
                logfile.close()
      `,
    },
    {
      name: 'passed to json.dump after an argument computed by a call: the with opens it first, unsafe',
      code: `
        import json

        def export(data, path):
            json.dump(data.dict(), open(path, "w", encoding="utf-8"), indent=4)
      `,
      errors: [{ line: 4, message: 'passed to `json.dump()`' }],
      unsafeOutput: `
        import json

        def export(data, path):
            with open(path, "w", encoding="utf-8") as f:
                json.dump(data.dict(), f, indent=4)
      `,
    },
    {
      name: 'read to the end in the first iterable of a generator expression: the with goes around the statement',
      code: `
        import os

        def reqs(*f):
            return [
                r.strip() for r in (
                    line.split("#")[0] for line in open(
                        os.path.join(os.getcwd(), "requirements", *f)).readlines()
                ) if r]
      `,
      errors: [{ line: 6, message: 'used once (`.readlines()`)' }],
      output: `
        import os

        def reqs(*f):
            with open(os.path.join(os.getcwd(), "requirements", *f)) as f2:
                return [
                    r.strip() for r in (
                        line.split("#")[0] for line in f2.readlines()
                    ) if r]
      `,
    },
    {
      name: 'a writer rotated in a loop and closed after it only on the normal path: try/finally with a guarded close',
      code: `
        import zipfile


        def write_zips(pages, per_zip, out):
            current = None
            count = 0
            for page in pages:
                if count == 0 or count >= per_zip:
                    if current is not None:
                        current.close()
                    current = zipfile.ZipFile(out + "/part.zip", "w")
                    count = 0
                current.writestr(page + ".txt", page)
                count += 1
            if current is not None:
                current.close()
      `,
      errors: [{ line: 11, message: 'only if no exception occurs first' }],
      output: `
        import zipfile


        def write_zips(pages, per_zip, out):
            current = None
            count = 0
            try:
                for page in pages:
                    if count == 0 or count >= per_zip:
                        if current is not None:
                            current.close()
                        current = zipfile.ZipFile(out + "/part.zip", "w")
                        count = 0
                    current.writestr(page + ".txt", page)
                    count += 1
                if current is not None:
                    current.close()
            finally:
                if current is not None:
                    current.close()
      `,
    },
    {
      name: 'a file opened in one branch, the standard output bound in the other, closed at the end: only the file is entered in an ExitStack (the declaration stays before it)',
      code: `
        import sys
        from typing import IO


        def export(target, payload):
            out: IO[str]
            if target != "-":
                out = open(target, "w", encoding="utf-8")
            else:
                out = sys.stdout
            out.write(payload)
            out.close()
            return 0
      `,
      errors: [{ line: 8, message: 'only if no exception occurs first' }],
      output: `
        import sys
        from typing import IO
        from contextlib import ExitStack


        def export(target, payload):
            out: IO[str]
            with ExitStack() as stack:
                if target != "-":
                    out = stack.enter_context(open(target, "w", encoding="utf-8"))
                else:
                    out = sys.stdout
                out.write(payload)
                out.close()
            return 0
      `,
    },
    {
      name: 'a log file opened in one branch and None in the other, closed if not None at the end: the file entered in an ExitStack, the check stays',
      code: `
        import subprocess


        class Builder:
            def __init__(self, log):
                self.log = log

            def build(self, command):
                if self.log:
                    sink = open(self.log, "w")
                else:
                    sink = None
                subprocess.check_call(command, stdout=sink, stderr=subprocess.STDOUT)
                if sink is not None:
                    sink.close()
                    print("built")
      `,
      errors: [{ line: 10, message: 'only if no exception occurs first' }],
      output: `
        import subprocess
        from contextlib import ExitStack


        class Builder:
            def __init__(self, log):
                self.log = log

            def build(self, command):
                with ExitStack() as stack:
                    if self.log:
                        sink = stack.enter_context(open(self.log, "w"))
                    else:
                        sink = None
                    subprocess.check_call(command, stdout=sink, stderr=subprocess.STDOUT)
                    if sink is not None:
                        sink.close()
                        print("built")
      `,
    },
    {
      name: 'a process made in a try whose handler raises, waited for after it: with proc: around its uses after the try (safe: the code waits for it already)',
      code: `
        from subprocess import PIPE, Popen


        def execute(args):
            try:
                proc = Popen(args, stdout=PIPE, stderr=PIPE)
            except OSError as e:
                raise RuntimeError("cannot run " + args[0]) from e
            out, err = proc.communicate()
            return out.decode(), err.decode(), proc.returncode
      `,
      errors: [{ line: 6, message: 'only if no exception occurs first' }],
      output: `
        from subprocess import PIPE, Popen


        def execute(args):
            try:
                proc = Popen(args, stdout=PIPE, stderr=PIPE)
            except OSError as e:
                raise RuntimeError("cannot run " + args[0]) from e
            with proc:
                out, err = proc.communicate()
                return out.decode(), err.decode(), proc.returncode
      `,
    },
    {
      name: 'a process whose output is read, then killed, never waited for: with around its uses, unsafe (the block waits for it to exit)',
      code: `
        import subprocess


        def first_line(cmd):
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE)
            line = p.stdout.readline()
            p.kill()
            return line
      `,
      errors: [{ line: 5, message: 'never waited for' }],
      unsafeOutput: `
        import subprocess


        def first_line(cmd):
            with subprocess.Popen(cmd, stdout=subprocess.PIPE) as p:
                line = p.stdout.readline()
                p.kill()
            return line
      `,
    },
    {
      name: 'a process polled once after a sleep or killed, in a retry loop, reaped only on the normal path: with around its uses (safe: a finished or killed process is waited for at once)',
      code: `
        import subprocess
        import time


        def output_of(cmd, timeout, tries):
            attempt = 1
            while True:
                p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                time.sleep(timeout)
                if p.poll() is not None:
                    out = p.stdout.read()
                    if p.returncode == 0:
                        return out
                else:
                    p.kill()
                if attempt > tries:
                    return None
                attempt += 1
      `,
      errors: [{ line: 8, message: 'only if no exception occurs first' }],
      output: `
        import subprocess
        import time


        def output_of(cmd, timeout, tries):
            attempt = 1
            while True:
                with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as p:
                    time.sleep(timeout)
                    if p.poll() is not None:
                        out = p.stdout.read()
                        if p.returncode == 0:
                            return out
                    else:
                        p.kill()
                if attempt > tries:
                    return None
                attempt += 1
      `,
    },
    {
      name: 'a name reused for a second process in a later if, each waited for on the normal path: both entered in one ExitStack',
      code: `
        import subprocess


        def changed(old, new, base):
            names = []
            if base != old:
                p = subprocess.Popen(["git", "diff", "--name-only", old], stdout=subprocess.PIPE)
                for line in p.stdout:
                    names.append(line.strip())
                status = p.wait()
                if status:
                    print("git diff failed")
            if new != base:
                p = subprocess.Popen(["git", "rev-list", new], stdout=subprocess.PIPE)
                names.extend(p.stdout.read().split())
                status = p.wait()
            return names
      `,
      errors: [
        { line: 7, message: 'only if no exception occurs first' },
        { line: 14, message: 'only if no exception occurs first' },
      ],
      output: `
        import subprocess
        from contextlib import ExitStack


        def changed(old, new, base):
            names = []
            with ExitStack() as stack:
                if base != old:
                    p = stack.enter_context(subprocess.Popen(["git", "diff", "--name-only", old], stdout=subprocess.PIPE))
                    for line in p.stdout:
                        names.append(line.strip())
                    status = p.wait()
                    if status:
                        print("git diff failed")
                if new != base:
                    p = stack.enter_context(subprocess.Popen(["git", "rev-list", new], stdout=subprocess.PIPE))
                    names.extend(p.stdout.read().split())
                    status = p.wait()
            return names
      `,
    },
    {
      name: 'three files opened one after the other and used after all three are open: the first with goes on to the last use of the others, each nested in the one before',
      code: `
        import os
        import sys


        def redirect(stdin, stdout, stderr):
            si = open(stdin, "r")
            so = open(stdout, "a+")
            se = open(stderr, "a+")
            os.dup2(si.fileno(), sys.stdin.fileno())
            os.dup2(so.fileno(), sys.stdout.fileno())
            os.dup2(se.fileno(), sys.stderr.fileno())
      `,
      errors: [{ line: 6 }, { line: 7 }, { line: 8 }],
      output: `
        import os
        import sys


        def redirect(stdin, stdout, stderr):
            with open(stdin, "r") as si:
                with open(stdout, "a+") as so:
                    with open(stderr, "a+") as se:
                        os.dup2(si.fileno(), sys.stdin.fileno())
                        os.dup2(so.fileno(), sys.stdout.fileno())
                        os.dup2(se.fileno(), sys.stderr.fileno())
      `,
    },
  ],
};

ruleTester(rule, table);
