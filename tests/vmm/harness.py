"""Shared pieces of the VMM test drivers: starting Tandem on a JSON config,
waiting for its sockets, and reporting one PASS/FAIL line per test."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import traceback

import qmp


class Fail(Exception):
    pass


def check(cond, why):
    if not cond:
        raise Fail(why)


def tail(text, n=3, width=200):
    lines = [l for l in text.replace("\r", "").splitlines() if l.strip()]
    return " | ".join(l[:width] for l in lines[-n:])


class Tandem:
    """One `tandem run` process. Config is a dict (written to NAME.json) or None."""

    live = []

    def __init__(self, binary, workdir, name, config=None, args=(), stdin=None):
        self.binary = binary
        self.workdir = workdir
        self.name = name
        self.config_path = os.path.join(workdir, name + ".json")
        self.out_path = os.path.join(workdir, name + ".out")
        self.err_path = os.path.join(workdir, name + ".err")
        cmd = [binary, "run"]
        if config is not None:
            with open(self.config_path, "w") as f:
                json.dump(config, f, indent=1)
            cmd += ["--config", self.config_path]
        cmd += list(args)
        self.cmd = cmd
        self.rc = None
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, stdin=stdin if stdin is not None else subprocess.DEVNULL,
                                         stdout=out, stderr=err)
        Tandem.live.append(self)

    def alive(self):
        return self.proc.poll() is None

    def wait(self, timeout):
        """The exit status; Fail if it does not exit within timeout seconds."""
        try:
            self.rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise Fail("tandem did not exit within %g s (stderr: %s)" % (timeout, tail(self.stderr())))
        return self.rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stdout(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode(errors="replace")

    def died(self):
        """Fail if the process has already exited."""
        rc = self.proc.poll()
        if rc is not None:
            raise Fail("tandem exited %d (stderr: %s)" % (rc, tail(self.stderr())))

    def wait_path(self, path, timeout=10.0):
        """Waits until PATH exists (a socket or file Tandem creates)."""
        deadline = time.monotonic() + timeout
        while not os.path.exists(path):
            self.died()
            if time.monotonic() > deadline:
                raise Fail("%s did not appear within %g s" % (path, timeout))
            time.sleep(0.01)

    def control(self, path, timeout=10.0, negotiate=True):
        """A QMP client on the control socket PATH, negotiated."""
        self.wait_path(path, timeout)
        deadline = time.monotonic() + timeout
        while True:
            try:
                c = qmp.Qmp(path)
                break
            except (ConnectionRefusedError, FileNotFoundError):
                self.died()
                if time.monotonic() > deadline:
                    raise Fail("cannot connect to %s" % path)
                time.sleep(0.02)
        if negotiate:
            c.negotiate()
        return c


def connect_unix(path, timeout=5.0):
    """A connection to the Unix socket PATH; retried while the socket file
    exists but nobody listens yet (between bind and listen)."""
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(path)
            return s
        except (ConnectionRefusedError, FileNotFoundError):
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def read_until(sock, marker, timeout=5.0, buf=b""):
    """Reads from sock until marker (bytes) has been seen; returns all bytes read."""
    deadline = time.monotonic() + timeout
    while marker not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Fail("did not see %r within %g s (got %r)" % (marker, timeout, buf[-200:]))
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            raise Fail("connection reset before %r (got %r)" % (marker, buf[-200:]))
        if not chunk:
            raise Fail("connection closed before %r (got %r)" % (marker, buf[-200:]))
        buf += chunk
    return buf


def read_idle(sock, idle=0.5, limit=10.0):
    """Reads until nothing arrives for `idle` seconds (or EOF, or `limit`)."""
    buf = b""
    deadline = time.monotonic() + limit
    sock.settimeout(idle)
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
    return buf


def sanitizer_report(text):
    for l in text.splitlines():
        if "Sanitizer" in l or "runtime error" in l:
            return l.strip()
    return None


def run_tests(tests, only=None):
    """Runs each (name, fn) in order; fn returns an optional detail string or
    raises Fail. Processes a test started are killed when it ends."""
    for name, fn in tests:
        if only and name not in only:
            continue
        Tandem.live = []
        try:
            detail = fn()
            for t in Tandem.live:
                rep = sanitizer_report(t.stderr())
                if rep:
                    raise Fail("sanitizer: " + rep)
            print("PASS %s%s" % (name, " (%s)" % detail if detail else ""), flush=True)
        except Fail as e:
            print("FAIL %s (%s)" % (name, e), flush=True)
        except (qmp.QmpError, qmp.Timeout, qmp.Closed, OSError, ValueError, KeyError, TypeError) as e:
            where = traceback.extract_tb(e.__traceback__)[-1]
            print("FAIL %s (%s: %s, at %s:%d)" % (name, type(e).__name__, e, os.path.basename(where.filename),
                                                   where.lineno), flush=True)
        finally:
            for t in Tandem.live:
                t.kill()
            Tandem.live = []


def wait_until(pred, timeout, what, interval=0.02):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise Fail("timed out after %g s waiting for %s" % (timeout, what))
        time.sleep(interval)


def main_args(argv):
    """--tandem BIN --work DIR --images DIR [--only NAME,...]"""
    opts = {"only": None}
    it = iter(argv[1:])
    for a in it:
        if a in ("--tandem", "--work", "--images", "--kernel", "--initrd", "--qemu-out"):
            opts[a[2:].replace("-", "_")] = next(it)
        elif a == "--only":
            opts["only"] = set(next(it).split(","))
        else:
            sys.exit("unknown argument " + a)
    return opts


class SocketReader:
    """Collects everything a Unix socket delivers, in a thread, from the moment
    the socket can be connected to until EOF (or stop())."""

    def __init__(self, path, timeout=30.0):
        import threading
        self.path = path
        self.data = b""
        self.error = None
        self.sock = None
        self.eof = False
        self._stop = False
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(timeout,), daemon=True)
        self._thread.start()

    def _run(self, timeout):
        deadline = time.monotonic() + timeout
        while not self._stop:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.path)
                break
            except OSError as e:
                s.close()
                if time.monotonic() > deadline:
                    self.error = "cannot connect to %s: %s" % (self.path, e)
                    return
                time.sleep(0.01)
        else:
            return
        self.sock = s
        self._connected.set()
        s.settimeout(0.2)
        while not self._stop:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if not chunk:
                break
            with self._lock:
                self.data += chunk
        self.eof = True

    def connected(self, timeout):
        return self._connected.wait(timeout)

    def send(self, data):
        self.sock.sendall(data)

    def text(self):
        with self._lock:
            return self.data.decode(errors="replace")

    def stop(self, timeout=2.0):
        """Waits up to timeout for EOF, then stops reading."""
        self._thread.join(timeout)
        self._stop = True
        self._thread.join()
        if self.sock:
            self.sock.close()
