#!/usr/bin/env python3
"""Fault tolerance: a protected VM (backup VM, checkpoints, failover), its
failure detectors, output commit and input replay, fault injection, the
repeated-fault guard, and the control commands and events.

The workload is tb-chain (guest/bench/chain.c): a chain of steps whose
digests depend on all earlier state, so a lost, duplicated or corrupted step
shows in every line after it. A run under faults must print exactly the lines
of the fault-free run, each once. Scenarios run FT_JOBS (2) at a time; each
test prints one PASS or FAIL line. A feature Tandem does not have yet is a
"FAIL NAME (not implemented: ...)" line, never a pass.

usage: test_ft.py --tandem BIN --tandem-san BIN --work DIR --kernel IMAGE --initrd CPIO [--only NAME,...]
"""
import collections
import concurrent.futures
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "vmm"))
sys.path.insert(0, HERE)
import ftguests  # noqa: E402
import overlay  # noqa: E402
import qmp  # noqa: E402
from harness import Fail, SocketReader, Tandem, check, sanitizer_report, tail  # noqa: E402

# --- the contract's names (fixed) -----------------------------------------------------------------
FLAG_BACKUP, KEY_BACKUP = "--backup", "backup"
FLAG_CHECKPOINT, KEY_CHECKPOINT = "--checkpoint", "checkpoint"
FLAG_HANG_TIMEOUT, KEY_HANG_TIMEOUT = "--hang-timeout", "hang-timeout"
FLAG_INJECT, KEY_INJECT = "--inject", "inject"
CMD_CHECKPOINT, CMD_FAILOVER, CMD_QUERY_FT, CMD_INJECT = "checkpoint", "failover", "query-ft", "inject-fault"
EV_FAILURE, EV_FAILOVER, EV_STATE, EV_RESET = "FAILURE", "FAILOVER", "VM_STATE_CHANGE", "RESET"
EV_INJECTED = "FAULT_INJECTED"       # README: FAULT_INJECTED {"vm", "kind", "what"}
FT_FIELDS = ("checkpoints", "failovers", "last-checkpoint-age-ms", "pages-per-epoch", "pause-us", "backup-bytes")
EXIT_FAILED = 4
FT_STATS_RE = re.compile(r"^tandem: (?:([\w.-]+): )?ft:(.*)$")

# --- names the contract leaves open ('?'): adjust here ---------------------------------------------
FLAG_MAX_FAILOVERS = "--repeat-limit"           # ? the repeated-fault guard's K (README: --repeat-limit)
DEFAULT_MAX_FAILOVERS = 3                        # the contract's default K
GUARD_MESSAGE_RE = r"repeat|recur|again|times|transient|same|loop"   # ? words of the guard's stderr message
REASON_PANIC_RE = r"panic|oops"                  # FAILURE reasons, per detector (case-insensitive)
REASON_HANG_RE = r"hang|progress"
REASON_LOOP_RE = r"exception"
REASON_WATCHDOG_RE = r"watchdog|sp805"
# stderr of an unprotected VM's failure: the failure the detector saw (an injected crash
# corrupts the kernel's stack pointer: the kernel panics or oopses)
FAILED_MESSAGE_RE = {"crash": r"failed.*(crash|panic|oops|unable to handle|exception)", "hang": r"failed.*(hang|progress)"}

# --- the runs -------------------------------------------------------------------------------------
BASE = "console=ttyAMA0 panic=-1 quiet nokaslr"
CHAIN_STEPS = 250                # 20-30 ms of CPU each on Tandem: a run outlasts the last injection (6.5 s)
CHAIN = BASE + " tandem.run=/usr/bin/tb-chain tandem.chain=%d" % CHAIN_STEPS
TRUE = BASE + " tandem.run=/bin/true"
SHELL = BASE
MAX_INSNS = 8000000000           # a chain run is about 2.5 G instructions
TINY_MAX_INSNS = 3000000000
HANG_TIMEOUT_MS = 1000
CRASHES = ("3500ms", "5s", "6500ms")   # all well inside a run of 8 s or more
HANGS = ("4s", "7s")
JOBS = int(os.environ.get("FT_JOBS", "2"))


def main_args(argv):
    opts = {"only": None}
    it = iter(argv[1:])
    for a in it:
        if a in ("--tandem", "--tandem-san", "--work", "--kernel", "--initrd"):
            opts[a[2:].replace("-", "_")] = next(it)
        elif a == "--only":
            opts["only"] = set(next(it).split(","))
        else:
            sys.exit("test_ft.py: unknown argument " + a)
    return opts


O = main_args(sys.argv)
T, TS, W, K, I = O["tandem"], O["tandem_san"], O["work"], O["kernel"], O["initrd"]


class NotImpl(Exception):
    """What Tandem does not implement yet (a FAIL line that says so)."""


def read(p):
    try:
        with open(p, "rb") as f:
            return f.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


def clean(text):
    return text.replace("\r", "")


def rejected(rc, err):
    """The message of a run Tandem refused to start because of an option or
    key it does not know, or None."""
    if rc != 1:
        return None
    for l in err.splitlines():
        if re.search(r"unknown (option|key|argument)|unrecognized|invalid option", l, re.I):
            return l.strip()
    return None


# --- control-socket events, collected in a thread ---------------------------------------------------

class EventLog:
    """Every event the control socket PATH sends, with its arrival time, from
    as early as the socket can be connected to until Tandem exits."""

    def __init__(self, path, tandem):
        self.path, self.tandem = path, tandem
        self.events = []
        self.error = None
        self.cond = threading.Condition()
        self.done = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        deadline = time.monotonic() + 30
        c = None
        while c is None:
            try:
                c = qmp.Qmp(self.path)
            except (OSError, qmp.Closed, qmp.Timeout, ValueError):
                if not self.tandem.alive() or time.monotonic() > deadline:
                    self.error = "could not connect to the control socket %s" % self.path
                    self._finish()
                    return
                time.sleep(0.01)
        try:
            c.negotiate()
            for ev in c.events:
                self._add(ev)
            while True:
                try:
                    msg = c.recv(1.0)
                except qmp.Timeout:
                    if not self.tandem.alive():
                        break
                    continue
                if isinstance(msg, dict) and "event" in msg:
                    self._add(msg)
        except (qmp.Closed, qmp.Timeout, qmp.QmpError, OSError, ValueError) as e:
            if not isinstance(e, qmp.Closed):
                self.error = "%s: %s" % (type(e).__name__, e)
        finally:
            c.close()
            self._finish()

    def _add(self, ev):
        with self.cond:
            self.events.append(ev)
            self.cond.notify_all()

    def _finish(self):
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def of(self, name, vm=None):
        with self.cond:
            return [e for e in self.events if e.get("event") == name and
                    (vm is None or (e.get("data") or {}).get("vm") == vm)]

    def wait(self, name, vm=None, count=1, timeout=30.0):
        """The count-th event NAME (for VM), or None after timeout or EOF."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                got = [e for e in self.events if e.get("event") == name and
                       (vm is None or (e.get("data") or {}).get("vm") == vm)]
                if len(got) >= count:
                    return got[count - 1]
                left = deadline - time.monotonic()
                if left <= 0 or self.done:
                    return None
                self.cond.wait(min(left, 0.2))

    def stop(self, timeout=5.0):
        self.thread.join(timeout)


def ev_time(ev):
    ts = ev.get("timestamp") or {}
    return ts.get("seconds", 0) + ts.get("microseconds", 0) / 1e6


def summary(events, names=(EV_FAILURE, EV_FAILOVER, EV_RESET)):
    return "; ".join("%s %s" % (e["event"], json.dumps(e.get("data"))) for e in events
                     if e.get("event") in names)[:600] or "none"


# --- the chain's output ---------------------------------------------------------------------------

def chain_of(text, strip_time=True):
    out = []
    for l in clean(text).split("\n"):
        if l.startswith("CHAIN"):
            if strip_time:
                l = re.sub(r" @\d+$", "", l)
            out.append(l)
    return out


def chain_problem(ref, got):
    """None when got is ref; else what differs: duplicates, missing, foreign lines, order."""
    if got == ref:
        return None
    cg = collections.Counter(got)
    refset = set(ref)
    dups = ["%s (x%d)" % (l, n) for l, n in cg.items() if n > 1]
    missing = [l for l in ref if l not in cg]
    extra = [l for l in cg if l not in refset]
    parts = []
    if dups:
        parts.append("%d duplicated: %s" % (len(dups), ", ".join(dups[:3])))
    if missing:
        parts.append("%d missing: %s" % (len(missing), ", ".join(missing[:3])))
    if extra:
        parts.append("%d not in the reference: %s" % (len(extra), ", ".join(extra[:3])))
    if not parts:
        i = next(i for i in range(len(ref)) if ref[i] != got[i])
        parts.append("out of order from line %d: %r, want %r" % (i + 1, got[i], ref[i]))
    return "; ".join(parts) + " (%d lines, want %d)" % (len(got), len(ref))


def ft_stats(err, vm=None):
    """{"checkpoints": N, "failovers": N, "line": ...} from the --stats ft: line of VM, or None."""
    for l in err.splitlines():
        m = FT_STATS_RE.match(l.strip())
        if not m or (vm is not None and m.group(1) not in (vm, None)):
            continue
        d = {"line": l.strip()}
        for k in ("checkpoints", "failovers"):
            mm = re.search(r"\b%s[ :=]+(\d+)" % k, m.group(2))
            d[k] = int(mm.group(1)) if mm else None
        return d
    return None


def need_ft_stats(err, vm=None):
    s = ft_stats(err, vm)
    if s is None:
        raise Fail("no --stats line beginning 'ft:'%s (stderr: %s)" % (" for " + vm if vm else "", tail(err, 4)))
    for k in ("checkpoints", "failovers"):
        check(s[k] is not None, "the ft: line has no '%s N': %r" % (k, s["line"]))
    return s


def instructions_of(err):
    m = re.search(r"^tandem: (?:[\w.-]+: )?(\d+) instructions in", err, re.M)
    return int(m.group(1)) if m else None


# --- starting Tandem ------------------------------------------------------------------------------

_probe = {}


def probe():
    """Which FT flags `tandem run` accepts (a tiny guest, stopped at once)."""
    if _probe:
        return _probe
    img = os.path.join(W, "probe.img")
    ftguests.lines_image(img, 1, 1000)
    cases = {
        FLAG_BACKUP: [FLAG_BACKUP],
        FLAG_CHECKPOINT: [FLAG_BACKUP, FLAG_CHECKPOINT, "interval:20"],
        FLAG_INJECT: [FLAG_INJECT, "crash@1s"],
        FLAG_HANG_TIMEOUT: [FLAG_HANG_TIMEOUT, "1000"],
        FLAG_MAX_FAILOVERS: [FLAG_BACKUP, FLAG_MAX_FAILOVERS, "3"],
    }
    for flag, args in cases.items():
        p = subprocess.run([T, "run", "--kernel", img, "--mem", "32M", "--console", "null", "--max-insns", "1000"] + args,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        err = p.stderr.decode(errors="replace")
        _probe[flag] = None if p.returncode != 1 else (err.strip().splitlines() or ["exit 1"])[0]
    return _probe


def need(*flags):
    pr = probe()
    for f in flags:
        if pr.get(f):
            raise NotImpl("tandem run rejects %s: %s" % (f, pr[f]))


class Run:
    """One Tandem process with a console, a control socket and its events."""

    def __init__(self, name, args=(), config=None, binary=None, control=True, console="file", stdin=None):
        self.name = name
        self.ctl = os.path.join(W, name + ".ctl") if control else None
        self.console_path = os.path.join(W, name + ".console")
        self.sock_path = os.path.join(W, name + ".con.sock")
        a = list(args)
        if config is None:
            if console == "file":
                a += ["--console", "file:" + self.console_path]
            elif console == "socket":
                a += ["--console", "socket:" + self.sock_path]
            if control:
                a += ["--control", self.ctl]
        elif control:
            config = dict(config, control=self.ctl)
        self.t0 = time.time()
        self.m0 = time.monotonic()
        self.t = Tandem(binary or T, W, name, config, a, stdin=stdin)
        self.ev = EventLog(self.ctl, self.t) if control else None
        self.rc = None
        if hasattr(_local, "runs"):
            _local.runs.append(self)

    def client(self):
        return self.t.control(self.ctl, timeout=20)

    def wait(self, timeout):
        try:
            self.rc = self.t.wait(timeout)
        finally:
            self.t.kill()
            if self.ev:
                self.ev.stop()
        self.wall = time.monotonic() - self.m0
        why = rejected(self.rc, self.t.stderr())
        if why:
            raise NotImpl("tandem refused the run: " + why)
        return self.rc

    def kill(self):
        self.t.kill()
        if self.ev:
            self.ev.stop()

    def result(self, **extra):
        r = {"rc": self.rc, "err": self.t.stderr(), "out": self.t.stdout(), "console": read(self.console_path),
             "events": list(self.ev.events) if self.ev else [], "wall": getattr(self, "wall", None),
             "t0": self.t0, "name": self.name}
        r.update(extra)
        return r


def debian_args(append, *extra):
    return ["--kernel", K, "--initrd", I, "--append", append, "--no-rng-seed", "--max-insns", str(MAX_INSNS),
            "--stats"] + list(extra)


def vm_name(c):
    names = [v["name"] for v in c.cmd("query-vms")]
    check(len(names) == 1, "query-vms lists %r" % names)
    return names[0]


def wait_text(get, pattern, timeout, what, alive=None):
    """Waits until the text get() returns matches pattern (a regex); returns the text."""
    deadline = time.monotonic() + timeout
    while True:
        text = clean(get())
        if re.search(pattern, text, re.M):
            return text
        if alive is not None and not alive():
            raise Fail("tandem exited before %s (console: %s)" % (what, tail(text, 2)))
        if time.monotonic() > deadline:
            raise Fail("no %s within %g s (console: %s)" % (what, timeout, tail(text, 2)))
        time.sleep(0.05)


def shell_ready(reader, t, timeout=90):
    """Waits for the guest's shell: repeats a probe command until it answers."""
    wait_text(reader.text, r"^TANDEM-GUEST-UP", timeout, "TANDEM-GUEST-UP", t.alive)
    deadline = time.monotonic() + 40
    while True:
        reader.send(b"echo ready-$((40+2))\n")
        try:
            wait_text(reader.text, r"^ready-42$", 2.0, "shell", t.alive)
            return
        except Fail:
            if not t.alive() or time.monotonic() > deadline:
                raise


# --- scenarios: each runs once, FT_JOBS at a time; the tests read their results --------------------

SCENARIOS = collections.OrderedDict()
_futures = {}


_local = threading.local()


def scenario(fn):
    """Registers a scenario; an unexpected error in it (a closed control
    connection, say) is reported with the stderr of a Tandem it started that
    has exited."""
    def wrapped():
        _local.runs = []
        try:
            return fn()
        except (NotImpl, Fail):
            raise
        except Exception as e:  # noqa: BLE001
            died = [r for r in _local.runs if not r.t.alive()]
            why = "; ".join("tandem exited %s (stderr: %s)" % (r.t.proc.returncode, tail(r.t.stderr(), 2)) for r in died)
            raise Fail("%s: %s%s" % (type(e).__name__, e, "; " + why if why else ""))
    wrapped.__name__ = fn.__name__
    SCENARIOS[fn.__name__] = wrapped
    return wrapped


def get(name):
    f = _futures.get(name)
    if f is None:
        f = _futures[name] = _pool.submit(SCENARIOS[name])
    try:
        return f.result()
    except (NotImpl, Fail):
        raise
    except Exception as e:  # noqa: BLE001 - reported by each test of the scenario
        raise Fail("scenario %s: %s: %s" % (name, type(e).__name__, e))


@scenario
def s_qemu():
    if not shutil.which("qemu-system-aarch64"):
        raise Fail("qemu-system-aarch64 is missing (scripts/setup.sh installs it)")
    log = os.path.join(W, "qemu.log")
    with open(log, "wb") as f:
        p = subprocess.run(["qemu-system-aarch64", "-M", "virt,dtb-kaslr-seed=off", "-cpu", "cortex-a53", "-m", "512",
                            "-nographic", "-no-reboot", "-nic", "none", "-kernel", K, "-initrd", I, "-append", CHAIN],
                           stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT, timeout=240)
    text = read(log)
    lines = chain_of(text)
    if p.returncode != 0 or not lines or not lines[-1].startswith("CHAIN-END"):
        raise Fail("QEMU's chain run is incomplete (exit %d; %s)" % (p.returncode, tail(text)))
    return lines


@scenario
def s_free():
    r = Run("free", debian_args(CHAIN), control=False)
    r.wait(200)
    return r.result()


def reference():
    """The fault-free chain: Tandem's own run without a backup, or QEMU's if that failed."""
    try:
        s = get("s_free")
        lines = chain_of(s["console"])
        if s["rc"] == 0 and lines and lines[-1].startswith("CHAIN-END"):
            return lines
    except (Fail, NotImpl):
        pass
    return get("s_qemu")


def chain_run(name, *extra, append=CHAIN, timeout=240, queries=False):
    """A protected chain run with the control socket; with queries, query-ft
    every half second while it runs."""
    r = Run(name, debian_args(append, *extra))
    samples, errors = [], []
    if queries:
        try:
            c = r.client()
            vm = vm_name(c)
            while r.t.alive():
                try:
                    samples.append((time.monotonic(), c.cmd(CMD_QUERY_FT, {"vm": vm})))
                except qmp.QmpError as e:
                    errors.append(str(e))
                    break
                except (qmp.Closed, qmp.Timeout, OSError):
                    break
                time.sleep(0.5)
            c.close()
        except Fail:
            pass
    r.wait(timeout)
    return r.result(samples=samples, query_errors=errors)


@scenario
def s_backup():
    need(FLAG_BACKUP)
    return chain_run("backup", FLAG_BACKUP, queries=True)


@scenario
def s_crashes():
    need(FLAG_BACKUP, FLAG_INJECT)
    inj = []
    for at in CRASHES:
        inj += [FLAG_INJECT, "crash@" + at]
    return chain_run("crashes", FLAG_BACKUP, *inj)


@scenario
def s_hangs():
    need(FLAG_BACKUP, FLAG_INJECT, FLAG_HANG_TIMEOUT)
    inj = []
    for at in HANGS:
        inj += [FLAG_INJECT, "hang@" + at]
    return chain_run("hangs", FLAG_BACKUP, FLAG_HANG_TIMEOUT, str(HANG_TIMEOUT_MS), *inj)


@scenario
def s_ktext():
    need(FLAG_BACKUP, FLAG_INJECT)
    return chain_run("ktext", FLAG_BACKUP, FLAG_INJECT, "kernel-text@5s")


PANIC_STEP = 20


@scenario
def s_panic():
    need(FLAG_BACKUP)
    return chain_run("panic", FLAG_BACKUP, append=CHAIN + " tandem.chain.panic=%d" % PANIC_STEP, timeout=120)


@scenario
def s_panic_k2():
    need(FLAG_BACKUP, FLAG_MAX_FAILOVERS)
    return chain_run("panic-k2", FLAG_BACKUP, FLAG_MAX_FAILOVERS, "2",
                     append=CHAIN + " tandem.chain.panic=%d" % PANIC_STEP, timeout=120)


@scenario
def s_unprot_crash():
    need(FLAG_INJECT)
    r = Run("unprot-crash", debian_args(CHAIN, FLAG_INJECT, "crash@4s"))
    r.wait(120)
    return r.result()


@scenario
def s_unprot_hang():
    need(FLAG_INJECT, FLAG_HANG_TIMEOUT)
    r = Run("unprot-hang", debian_args(CHAIN, FLAG_HANG_TIMEOUT, str(HANG_TIMEOUT_MS), FLAG_INJECT, "hang@4s"))
    r.wait(120)
    return r.result()


@scenario
def s_reboot():
    need(FLAG_BACKUP)
    r = Run("reboot", debian_args(SHELL, FLAG_BACKUP, "--on-reset", "reboot"), console="socket")
    reader = SocketReader(r.sock_path)
    res = {}
    try:
        shell_ready(reader, r.t)
        reader.send(b"reboot -f\n")
        wait_text(reader.text, r"TANDEM-GUEST-UP[\s\S]*TANDEM-GUEST-UP", 90, "a second boot", r.t.alive)
        time.sleep(1)
        n = clean(reader.text()).count("ready-42\n")
        deadline = time.monotonic() + 40
        while clean(reader.text()).count("ready-42\n") <= n:
            reader.send(b"echo ready-$((40+2))\n")
            time.sleep(2)
            check(time.monotonic() < deadline and r.t.alive(), "no shell after the reboot (%s)" % tail(reader.text()))
        with r.client() as c:
            vm = vm_name(c)
            res["vms"] = c.vms()
            try:
                res["ft"] = c.cmd(CMD_QUERY_FT, {"vm": vm})
            except qmp.QmpError as e:
                res["ft"] = "error: %s" % e
        reader.send(b"poweroff -f\n")
        r.wait(60)
    finally:
        r.kill()
        reader.stop()
    return r.result(console=reader.text(), **res)


INPUT_DELAYS = (0, 0.003, 0.01, 0.03, 0.1, 0.3)   # s between a command and the forced failover


@scenario
def s_input():
    need(FLAG_BACKUP)
    r = Run("input", debian_args(SHELL, FLAG_BACKUP), console="socket")
    reader = SocketReader(r.sock_path)
    res = {"steps": []}
    try:
        c = r.client()
        vm = vm_name(c)
        shell_ready(reader, r.t)
        for k, d in enumerate(INPUT_DELAYS, 1):
            reader.send(b"n=$((n+1)); echo count-$n-$((n*7))\n")
            if d:
                time.sleep(d)
            try:
                c.cmd(CMD_FAILOVER, {"vm": vm})
            except qmp.QmpError as e:
                if re.search(r"unknown|not found|no such command", str(e), re.I):
                    raise NotImpl("control command %s: %s" % (CMD_FAILOVER, e))
                raise Fail("%s after command %d: %s" % (CMD_FAILOVER, k, e))
            ev = r.ev.wait(EV_FAILOVER, count=k, timeout=20)
            check(ev is not None, "no %s event after the forced failover %d (events: %s)" %
                  (EV_FAILOVER, k, summary(r.ev.events)))
            wait_text(reader.text, r"^count-%d-%d$" % (k, 7 * k), 20, "the output of command %d" % k, r.t.alive)
            res["steps"].append(k)
        reader.send(b"echo done-$n\n")
        wait_text(reader.text, r"^done-\d+$", 20, "the output of the last command", r.t.alive)
        time.sleep(0.5)
        try:
            res["ft"] = c.cmd(CMD_QUERY_FT, {"vm": vm})
        except qmp.QmpError as e:
            res["ft"] = "error: %s" % e
        c.close()
        reader.send(b"poweroff -f\n")
        r.wait(60)
    finally:
        r.kill()
        reader.stop()
    return r.result(console=reader.text(), **res)


class TimedReader:
    """The lines a Unix socket delivers, each with the host time it arrived."""

    def __init__(self, path, timeout=30.0):
        self.path, self.lines, self.buf = path, [], b""
        self.thread = threading.Thread(target=self._run, args=(timeout,), daemon=True)
        self.thread.start()

    def _run(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.path)
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    return
                time.sleep(0.01)
        s.settimeout(60)
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                now = time.monotonic()
                self.buf += chunk
                while b"\n" in self.buf:
                    line, self.buf = self.buf.split(b"\n", 1)
                    self.lines.append((now, line.decode(errors="replace").rstrip("\r")))
        except OSError:
            pass
        finally:
            s.close()

    def stop(self):
        self.thread.join(10)


COMMIT_INTERVAL_MS = 250


@scenario
def s_commit():
    need(FLAG_BACKUP, FLAG_CHECKPOINT)
    r = Run("commit", debian_args(CHAIN + " tandem.chain.time=1", FLAG_BACKUP, FLAG_CHECKPOINT,
                                  "interval:%d" % COMMIT_INTERVAL_MS), console="socket")
    reader = TimedReader(r.sock_path)
    try:
        r.wait(240)
    finally:
        r.kill()
        reader.stop()
    return r.result(lines=reader.lines, console="\n".join(l for _, l in reader.lines))


@scenario
def s_control():
    """Faults through the control socket at points of the chain's progress."""
    need(FLAG_BACKUP, FLAG_HANG_TIMEOUT)
    r = Run("control", debian_args(CHAIN, FLAG_BACKUP, FLAG_HANG_TIMEOUT, str(HANG_TIMEOUT_MS)))
    res = {"acts": []}
    try:
        c = r.client()
        cmds = {x.get("name") for x in c.cmd("query-commands")}
        res["commands"] = cmds
        missing = [x for x in (CMD_CHECKPOINT, CMD_FAILOVER, CMD_QUERY_FT, CMD_INJECT) if x not in cmds]
        if missing:
            raise NotImpl("query-commands lacks %s" % ", ".join(missing))
        vm = vm_name(c)
        res["vm"] = vm
        con = lambda: read(r.console_path)  # noqa: E731
        wait_text(con, r"^CHAIN 10 ", 120, "CHAIN 10", r.t.alive)
        res["ft1"] = c.cmd(CMD_QUERY_FT, {"vm": vm})
        res["checkpoint"] = c.cmd(CMD_CHECKPOINT, {"vm": vm})
        res["ft2"] = c.cmd(CMD_QUERY_FT, {"vm": vm})
        wait_text(con, r"^CHAIN 30 ", 60, "CHAIN 30", r.t.alive)
        res["crash-at"] = time.time()
        res["inject-crash"] = c.cmd(CMD_INJECT, {"vm": vm, "kind": "crash"})
        check(r.ev.wait(EV_FAILOVER, count=1, timeout=20), "no %s after inject-fault crash (events: %s)" %
              (EV_FAILOVER, summary(r.ev.events)))
        wait_text(con, r"^CHAIN 60 ", 60, "CHAIN 60", r.t.alive)
        res["hang-at"] = time.time()
        res["inject-hang"] = c.cmd(CMD_INJECT, {"vm": vm, "kind": "hang"})
        check(r.ev.wait(EV_FAILOVER, count=2, timeout=20), "no %s after inject-fault hang (events: %s)" %
              (EV_FAILOVER, summary(r.ev.events)))
        wait_text(con, r"^CHAIN 90 ", 60, "CHAIN 90", r.t.alive)
        res["ft3"] = c.cmd(CMD_QUERY_FT, {"vm": vm})
        c.close()
        r.wait(200)
    finally:
        r.kill()
    return r.result(**res)


def tiny_bin():
    """Tiny guests run on the sanitized build (FT_TINY_OPTIMISED=1: on the optimised one)."""
    if os.environ.get("FT_TINY_OPTIMISED") == "1":
        return T
    return TS if TS and os.path.exists(TS) else T


@scenario
def s_excloop():
    need(FLAG_BACKUP)
    img = os.path.join(W, "excloop.img")
    ftguests.exception_loop_image(img, 100000000)
    r = Run("excloop", ["--kernel", img, "--mem", "32M", "--max-insns", str(TINY_MAX_INSNS), "--stats", FLAG_BACKUP,
                        FLAG_HANG_TIMEOUT, "0"],
            binary=tiny_bin())
    r.wait(120)
    return r.result()


TINY_LINES = 20


@scenario
def s_tiny_commit():
    """A tiny guest printing lines, checkpoints only on command."""
    need(FLAG_BACKUP, FLAG_CHECKPOINT)
    img = os.path.join(W, "lines.img")
    ftguests.lines_image(img, TINY_LINES, 20000000)
    r = Run("tiny-commit", ["--kernel", img, "--mem", "32M", "--max-insns", str(TINY_MAX_INSNS), "--stats",
                            FLAG_BACKUP, FLAG_CHECKPOINT, "interval:3600000", FLAG_HANG_TIMEOUT, "0"],
            binary=tiny_bin())
    res = {}
    con = lambda: clean(read(r.console_path))  # noqa: E731
    try:
        c = r.client()
        vm = vm_name(c)
        deadline = time.monotonic() + 20
        while c.instructions(vm) < 200000000:
            check(time.monotonic() < deadline and r.t.alive(), "the tiny guest does not run")
            time.sleep(0.05)
        res["held"] = con()
        res["ft0"] = c.cmd(CMD_QUERY_FT, {"vm": vm})
        res["checkpoint"] = c.cmd(CMD_CHECKPOINT, {"vm": vm})
        time.sleep(0.5)
        res["committed"] = con()
        res["ft1"] = c.cmd(CMD_QUERY_FT, {"vm": vm})
        time.sleep(0.5)
        res["failover"] = c.cmd(CMD_FAILOVER, {"vm": vm})
        res["failover-event"] = r.ev.wait(EV_FAILOVER, count=1, timeout=10)
        res["ft2"] = c.cmd(CMD_QUERY_FT, {"vm": vm})
        c.close()
        r.wait(120)
    finally:
        r.kill()
    return r.result(**res)


@scenario
def s_ctl_errors():
    need(FLAG_BACKUP)
    img = os.path.join(W, "spin.img")
    ftguests.write(img, ftguests.tiny.build([("spin", 1000)], end="loop"))
    r = Run("ctl-errors", ["--kernel", img, "--mem", "32M", "--max-insns", str(TINY_MAX_INSNS), FLAG_BACKUP,
                           FLAG_HANG_TIMEOUT, "0"],
            binary=tiny_bin())
    res = {}
    try:
        c = r.client()
        vm = vm_name(c)
        for key, cmd, args in (("bitflip", CMD_INJECT, {"vm": vm, "kind": "bitflip:4"}),
                               ("bad-kind", CMD_INJECT, {"vm": vm, "kind": "explode"}),
                               ("no-kind", CMD_INJECT, {"vm": vm}),
                               ("ft-unknown-vm", CMD_QUERY_FT, {"vm": "no-such-vm"}),
                               ("failover-unknown-vm", CMD_FAILOVER, {"vm": "no-such-vm"}),
                               ("checkpoint-unknown-vm", CMD_CHECKPOINT, {"vm": "no-such-vm"}),
                               ("inject-unknown-vm", CMD_INJECT, {"vm": "no-such-vm", "kind": "crash"})):
            res[key] = c.execute(cmd, args)
        p = subprocess.run([T, "ctl", r.ctl, CMD_QUERY_FT, json.dumps({"vm": vm})], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30)
        res["ctl"] = (p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"))
        time.sleep(0.3)
        res["vms"] = c.vms()
        res["alive"] = r.t.alive()
        c.cmd("quit")
        c.close()
        r.wait(30)
    finally:
        r.kill()
    return r.result(**res)


def gvm(name, console, **kw):
    d = {"name": name, "kernel": K, "initrd": I, "append": CHAIN, "mem": "256M", "console": "file:" + console,
         "no-rng-seed": True, "max-insns": MAX_INSNS, "on-reset": "stop"}
    d.update(kw)
    return d


def two_vms(name, alpha_kw, beta_kw):
    need(FLAG_BACKUP)
    af, bf = os.path.join(W, name + "-alpha.console"), os.path.join(W, name + "-beta.console")
    cfg = {"stats": True, "vms": [gvm("alpha", af, **alpha_kw), gvm("beta", bf, **beta_kw)]}
    r = Run(name, config=cfg)
    r.wait(300)
    return r.result(alpha=read(af), beta=read(bf))


@scenario
def s_two_a():
    """alpha protected; a crash in the unprotected beta."""
    return two_vms("two-a", {KEY_BACKUP: True}, {KEY_INJECT: ["crash@6s"]})


@scenario
def s_two_b():
    """alpha protected, with crashes; beta unprotected, no fault."""
    return two_vms("two-b", {KEY_BACKUP: True, KEY_CHECKPOINT: "interval:20", KEY_HANG_TIMEOUT: 2000,
                             KEY_INJECT: ["crash@6s", "crash@10s"]}, {})


def policy_run(name, policy):
    need(FLAG_BACKUP, FLAG_CHECKPOINT)
    r = Run(name, debian_args(TRUE, FLAG_BACKUP, FLAG_CHECKPOINT, policy), control=False)
    r.wait(120)
    return r.result()


@scenario
def s_policy_insns():
    return policy_run("policy-insns", "insns:50000000")


@scenario
def s_policy_ctx():
    return policy_run("policy-ctx", "context-switch")


@scenario
def s_policy_vmswitch():
    """Two VMs booting (they take timer interrupts: Tandem commits a checkpoint
    only after a slice in which the guest made progress); alpha checkpoints
    whenever the scheduler switches away from it."""
    need(FLAG_BACKUP, FLAG_CHECKPOINT)
    cfg = {"stats": True, "vms": [
        gvm("alpha", os.path.join(W, "vmswitch-alpha.console"), append=TRUE, **{KEY_BACKUP: True,
                                                                               KEY_CHECKPOINT: "vm-switch"}),
        gvm("beta", os.path.join(W, "vmswitch-beta.console"), append=TRUE)]}
    r = Run("policy-vmswitch", config=cfg, control=False)
    r.wait(180)
    return r.result()


WDT_SCRIPT = b"""#!/bin/sh
ls /dev/watchdog* 2>&1
echo "wdt: arming"
watchdog -T 3 -t 1000 /dev/watchdog
echo "wdt: armed"
sleep 60
echo "wdt: not expired"
"""


@scenario
def s_watchdog():
    dtb = os.path.join(W, "board.dtb")
    subprocess.run([T, "run", "--kernel", K, "--dtb-out", dtb, "--max-insns", "1"], stdin=subprocess.DEVNULL,
                   capture_output=True, timeout=30)
    dts = ""
    if shutil.which("dtc") and os.path.exists(dtb):
        dts = subprocess.run(["dtc", "-I", "dtb", "-O", "dts", dtb], capture_output=True, timeout=30).stdout.decode()
    if "arm,sp805" not in dts:
        raise NotImpl("the board has no SP805 watchdog (no arm,sp805 node in the device tree); "
                      "this test runs by itself once the watchdog lands")
    need(FLAG_BACKUP)
    initrd = os.path.join(W, "wdt-initrd.cpio.gz")
    overlay.write_overlay(I, initrd, [("/usr/bin/tandem-wdt", WDT_SCRIPT)])
    args = ["--kernel", K, "--initrd", initrd, "--append", BASE + " tandem.run=/usr/bin/tandem-wdt", "--no-rng-seed",
            "--max-insns", str(MAX_INSNS), "--stats", FLAG_BACKUP]
    r = Run("watchdog", args)
    try:
        wait_text(lambda: read(r.console_path), r"^wdt: armed", 90, "wdt: armed", r.t.alive)
        armed = time.time()
        ev = r.ev.wait(EV_FAILURE, timeout=30)
        time.sleep(2)
        try:
            with r.client() as c:
                c.cmd("quit")
        except (Fail, qmp.QmpError, qmp.Closed, qmp.Timeout, OSError):
            pass
        r.wait(30)
    finally:
        r.kill()
    return r.result(armed=armed, failure=ev)


BAD_CASES = [
    # (test name, flags, json keys of the VM, words stderr must name)
    ("cli-bad-checkpoint-policy", [FLAG_BACKUP, FLAG_CHECKPOINT, "sometimes"], None, ["checkpoint", "sometimes"]),
    ("cli-bad-checkpoint-interval", [FLAG_BACKUP, FLAG_CHECKPOINT, "interval:soon"], None, ["checkpoint", "interval:soon"]),
    ("cli-bad-inject-kind", [FLAG_BACKUP, FLAG_INJECT, "explode@1s"], None, ["inject", "explode"]),
    ("cli-bad-inject-time", [FLAG_BACKUP, FLAG_INJECT, "crash@later"], None, ["inject", "later"]),
    ("cli-bad-hang-timeout", [FLAG_BACKUP, FLAG_HANG_TIMEOUT, "-5"], None, ["hang-timeout"]),
    ("config-bad-backup", None, {KEY_BACKUP: "yes"}, ["backup", "alpha"]),
    ("config-bad-checkpoint", None, {KEY_BACKUP: True, KEY_CHECKPOINT: 42}, ["checkpoint", "alpha"]),
    ("config-bad-inject", None, {KEY_BACKUP: True, KEY_INJECT: ["crash@1s", "explode@2s"]}, ["inject", "explode"]),
]


@scenario
def s_bad():
    img = os.path.join(W, "bad.img")
    ftguests.lines_image(img, 1, 1000)
    out = {}
    for name, flags, keys, words in BAD_CASES:
        if flags is not None:
            cmd = [T, "run", "--kernel", img, "--mem", "32M", "--console", "null", "--max-insns", "1000"] + flags
        else:
            cfgp = os.path.join(W, name + ".json")
            vm = {"name": "alpha", "kernel": img, "mem": "32M", "console": "null", "max-insns": 1000}
            vm.update(keys)
            with open(cfgp, "w") as f:
                json.dump({"vms": [vm]}, f)
            cmd = [T, "run", "--config", cfgp]
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        out[name] = (p.returncode, p.stderr.decode(errors="replace"))
    return out


# --- the tests ------------------------------------------------------------------------------------

def chain_ok(s, what, console_key="console"):
    """The run's chain equals the reference, one boot, exit 0."""
    text = s[console_key]
    check(s["rc"] == 0, "%s: exit %s, want 0 (stderr: %s; events: %s)" % (what, s["rc"], tail(s["err"], 3),
                                                                         summary(s.get("events", []))))
    prob = chain_problem(reference(), chain_of(text))
    check(prob is None, "%s: chain differs from the fault-free run: %s" % (what, prob))
    ups = clean(text).count("TANDEM-GUEST-UP")
    check(ups == 1, "%s: the console shows %d boots" % (what, ups))


def failure_events_ok(s, vm=None):
    """Every FAILURE has vm and reason, every FAILOVER vm and recovery-us."""
    for e in s["events"]:
        d = e.get("data") or {}
        if e.get("event") == EV_FAILURE:
            check(isinstance(d.get("vm"), str) and isinstance(d.get("reason"), str) and d["reason"],
                  "%s event without vm and reason: %s" % (EV_FAILURE, json.dumps(e)))
        if e.get("event") == EV_FAILOVER:
            check(isinstance(d.get("vm"), str), "%s event without vm: %s" % (EV_FAILOVER, json.dumps(e)))
            ru = d.get("recovery-us")
            check(isinstance(ru, (int, float)) and ru >= 0, "%s event without recovery-us: %s" %
                  (EV_FAILOVER, json.dumps(e)))


def reasons(s, name=EV_FAILURE):
    return [(e.get("data") or {}).get("reason", "") for e in s["events"] if e.get("event") == name]


def t_fault_free():
    s = get("s_free")
    got = chain_of(s["console"])
    check(s["rc"] == 0 and got and got[-1].startswith("CHAIN-END"),
          "Tandem's run: exit %s, %d chain lines (%s)" % (s["rc"], len(got), tail(s["console"] + s["err"])))
    q = get("s_qemu")
    prob = chain_problem(q, got)
    check(prob is None, "Tandem's chain differs from QEMU's: %s" % prob)
    print("INFO chain: %d lines, %s; %.1f s wall" % (len(got), got[-1], s["wall"]), flush=True)
    return "%d lines, equal to QEMU's" % len(got)


def t_backup_no_fault():
    s = get("s_backup")
    chain_ok(s, "--backup")
    st = need_ft_stats(s["err"])
    check(st["checkpoints"] > 0, "no checkpoints: %r" % st["line"])
    check(st["failovers"] == 0, "failovers without a fault: %r" % st["line"])
    check(not s["events"] or not [e for e in s["events"] if e.get("event") in (EV_FAILURE, EV_FAILOVER)],
          "failure events without a fault: %s" % summary(s["events"]))
    free = get("s_free")
    print("INFO ft: %s; %.1f s wall, %.1f s without --backup" % (st["line"], s["wall"], free["wall"] or 0), flush=True)
    return "%d checkpoints" % st["checkpoints"]


def t_query_ft():
    s = get("s_backup")
    if s["query_errors"]:
        e = s["query_errors"][0]
        if re.search(r"unknown|not found|CommandNotFound", e, re.I):
            raise NotImpl("%s: %s" % (CMD_QUERY_FT, e))
        raise Fail("%s failed: %s" % (CMD_QUERY_FT, e))
    samp = [q for _, q in s["samples"]]
    check(len(samp) >= 4, "only %d query-ft answers during the run" % len(samp))
    for q in samp:
        check(isinstance(q, dict), "query-ft returned %r" % (q,))
        miss = [f for f in FT_FIELDS if f not in q]
        check(not miss, "query-ft lacks %s: %s" % (", ".join(miss), json.dumps(q)[:300]))
        check(isinstance(q["pause-us"], dict), "pause-us is not an object: %r" % (q["pause-us"],))
        for f in ("checkpoints", "failovers", "backup-bytes", "last-checkpoint-age-ms"):
            check(isinstance(q[f], (int, float)) and q[f] >= 0, "%s is %r" % (f, q[f]))
    cps = [q["checkpoints"] for q in samp]
    check(cps == sorted(cps) and cps[-1] > cps[0], "checkpoints do not grow: %s" % cps[:12])
    # Mid-run: with the default interval (20 ms) the last checkpoint is recent
    # and an epoch dirties pages.
    mid = samp[len(samp) // 2]
    check(mid["last-checkpoint-age-ms"] < 2000, "mid-run last-checkpoint-age-ms %r" % mid["last-checkpoint-age-ms"])
    # The backup shares clean frames with the primary: what it costs is the
    # pages written in the current epoch, never nothing while the chain runs.
    check(max(q["backup-bytes"] for q in samp) > 0, "backup-bytes is 0 throughout the run")
    ppe = mid["pages-per-epoch"]
    vals = [v for v in (ppe.values() if isinstance(ppe, dict) else [ppe]) if isinstance(v, (int, float))]
    check(vals and max(vals) > 0, "pages-per-epoch %r mid-run" % (ppe,))
    check(all(q["failovers"] == 0 for q in samp), "failovers without a fault")
    print("INFO query-ft mid-run: %s" % json.dumps(mid)[:300], flush=True)
    return "%d samples" % len(samp)


def t_survives(sc, n, what, pattern=None):
    s = get(sc)
    chain_ok(s, what)
    failure_events_ok(s)
    st = need_ft_stats(s["err"])
    fo = len([e for e in s["events"] if e.get("event") == EV_FAILOVER])
    check(st["failovers"] == n, "ft: failovers %d, want %d (%s; events: %s)" % (st["failovers"], n, st["line"],
                                                                            summary(s["events"])))
    check(fo == n, "%d %s events, want %d" % (fo, EV_FAILOVER, n))
    rs = reasons(s)
    check(len(rs) == n, "%d %s events, want %d: %s" % (len(rs), EV_FAILURE, n, rs))
    if pattern:
        bad = [x for x in rs if not re.search(pattern, x, re.I)]
        check(not bad, "%s reasons do not match /%s/: %s" % (EV_FAILURE, pattern, bad))
    rec = [(e.get("data") or {}).get("recovery-us") for e in s["events"] if e.get("event") == EV_FAILOVER]
    return "%d failovers, recovery %s us; reasons %s" % (n, rec, rs)


def t_crashes():
    return t_survives("s_crashes", len(CRASHES), "--inject crash x%d" % len(CRASHES))


def t_hangs():
    return t_survives("s_hangs", len(HANGS), "--inject hang x%d" % len(HANGS))


def t_detector_hang():
    s = get("s_hangs")
    fails = [e for e in s["events"] if e.get("event") == EV_FAILURE]
    check(fails, "no %s event (events: %s; stderr: %s)" % (EV_FAILURE, summary(s["events"]), tail(s["err"])))
    out = []
    for at, e in zip(HANGS, fails):
        r = (e.get("data") or {}).get("reason", "")
        check(re.search(REASON_HANG_RE, r, re.I), "reason %r does not name a hang" % r)
        inj = s["t0"] + (float(at[:-2]) / 1000 if at.endswith("ms") else float(at[:-1]))
        lat = ev_time(e) - inj
        lo, hi = 0.7 * HANG_TIMEOUT_MS / 1000, HANG_TIMEOUT_MS / 1000 + 3.0
        check(lo <= lat <= hi, "hang@%s detected %.2f s after injection, want %.1f..%.1f s (hang-timeout %d ms)"
              % (at, lat, lo, hi, HANG_TIMEOUT_MS))
        out.append("%.2f s" % lat)
    return "detected after %s (hang-timeout %d ms); reason %r" % (", ".join(out), HANG_TIMEOUT_MS,
                                                                  (fails[0].get("data") or {}).get("reason"))


def t_ktext():
    """One random bit of the kernel's text: often in code that never runs, so
    it need not be detected; the chain must be right either way, and every
    failure must have been recovered."""
    s = get("s_ktext")
    chain_ok(s, "--inject kernel-text")
    failure_events_ok(s)
    inj = [e for e in s["events"] if e.get("event") == EV_INJECTED]
    check(inj, "no %s event (events: %s)" % (EV_INJECTED, summary(s["events"], (EV_INJECTED, EV_FAILURE))))
    st = need_ft_stats(s["err"])
    fl = reasons(s)
    check(st["failovers"] == len(fl), "ft: failovers %d for %d %s events" % (st["failovers"], len(fl), EV_FAILURE))
    return "%s; %s" % ((inj[0].get("data") or {}).get("what", "?"),
                       "detected: %s" % fl if fl else "never executed, not detected")


def t_detector_panic():
    s = get("s_panic")
    fails = reasons(s)
    check(fails, "no %s event after the guest's sysrq-c (exit %s; events: %s; stderr: %s)" %
          (EV_FAILURE, s["rc"], summary(s["events"]), tail(s["err"], 3)))
    check(re.search(REASON_PANIC_RE, fails[0], re.I), "%s reason %r does not mention a panic" % (EV_FAILURE, fails[0]))
    failure_events_ok(s)
    fo = [e for e in s["events"] if e.get("event") == EV_FAILOVER]
    check(fo, "the protected VM did not fail over (events: %s)" % summary(s["events"]))
    check(not [e for e in s["events"] if e.get("event") == EV_RESET],
          "the panic's reset request rebooted the VM (a %s event) instead of a failover" % EV_RESET)
    text = clean(s["console"])
    check(text.count("TANDEM-GUEST-UP") == 1, "the console shows %d boots" % text.count("TANDEM-GUEST-UP"))
    want = reference()[:PANIC_STEP]        # CHAIN-BEGIN and steps 1..PANIC_STEP-1
    got = [l for l in chain_of(text) if not l.startswith("CHAIN-PANIC")]
    prob = chain_problem(want, got)
    check(prob is None, "the chain before the panic: %s" % prob)
    n = text.count("CHAIN-PANIC at step %d" % PANIC_STEP)
    check(n == 1, "'CHAIN-PANIC at step %d' (committed before the panic) shown %d times" % (PANIC_STEP, n))
    return "reason %r" % fails[0]


def t_guard(sc="s_panic", k=DEFAULT_MAX_FAILOVERS):
    s = get(sc)
    fo = [e for e in s["events"] if e.get("event") == EV_FAILOVER]
    fl = reasons(s)
    check(s["rc"] == EXIT_FAILED, "exit %s, want %d (a VM failed) after the panic recurred; %d failovers "
          "(stderr: %s)" % (s["rc"], EXIT_FAILED, len(fo), tail(s["err"], 3)))
    check(1 <= len(fo) <= k, "%d failovers, want 1..%d (K = %d)" % (len(fo), k, k))
    check(len(fl) <= k + 1, "%d %s events for K = %d" % (len(fl), EV_FAILURE, k))
    st = [e for e in s["events"] if e.get("event") == EV_STATE and (e.get("data") or {}).get("state") == "failed"]
    check(st, "no %s to failed (events: %s)" % (EV_STATE, summary(s["events"], (EV_STATE, EV_FAILURE, EV_FAILOVER))))
    msg = [l for l in s["err"].splitlines() if re.search(GUARD_MESSAGE_RE, l, re.I) and not FT_STATS_RE.match(l)]
    check(msg, "no stderr message saying the fault recurs (/%s/): %s" % (GUARD_MESSAGE_RE, tail(s["err"], 4)))
    ftl = ft_stats(s["err"])
    if ftl and ftl["failovers"] is not None:
        check(ftl["failovers"] == len(fo), "ft: failovers %d, %d %s events" % (ftl["failovers"], len(fo), EV_FAILOVER))
    check(s["wall"] < 90, "took %.0f s" % s["wall"])
    return "%d failovers, then failed: %s; %r" % (len(fo), (st[-1].get("data") or {}).get("reason"), msg[0][:120])


def t_guard_k2():
    d = t_guard("s_panic_k2", 2)
    a = len([e for e in get("s_panic")["events"] if e.get("event") == EV_FAILOVER])
    b = len([e for e in get("s_panic_k2")["events"] if e.get("event") == EV_FAILOVER])
    check(b < a, "%s 2 made %d failovers, the default %d: the flag has no effect" % (FLAG_MAX_FAILOVERS, b, a))
    return d


def t_unprotected(sc, kind):
    s = get(sc)
    check(s["rc"] == EXIT_FAILED, "exit %s, want %d (stderr: %s)" % (s["rc"], EXIT_FAILED, tail(s["err"], 3)))
    msg = [l for l in s["err"].splitlines() if re.search(FAILED_MESSAGE_RE[kind], l, re.I)]
    check(msg, "stderr does not name the %s: %s" % (kind, tail(s["err"], 3)))
    st = [e for e in s["events"] if e.get("event") == EV_STATE and (e.get("data") or {}).get("state") == "failed"]
    check(st, "no %s to failed (events: %s)" % (EV_STATE, summary(s["events"], (EV_STATE, EV_FAILURE))))
    check(not [e for e in s["events"] if e.get("event") == EV_FAILOVER], "an unprotected VM failed over")
    check("CHAIN-END" not in s["console"], "the chain finished although the VM failed at 4 s")
    check(s["wall"] < 60, "took %.0f s to fail" % s["wall"])
    return "%r; state failed: %s" % (msg[0].strip()[:120], (st[-1].get("data") or {}).get("reason"))


def t_reboot():
    s = get("s_reboot")
    check(s["rc"] == 0, "exit %s after poweroff (stderr: %s)" % (s["rc"], tail(s["err"], 3)))
    bad = [e for e in s["events"] if e.get("event") in (EV_FAILURE, EV_FAILOVER)]
    check(not bad, "an orderly reboot was taken for a failure: %s" % summary(bad))
    check([e for e in s["events"] if e.get("event") == EV_RESET], "no %s event" % EV_RESET)
    vm = list(s["vms"].values())[0]
    check(vm.get("reboots") == 1, "query-vms: reboots %r" % vm.get("reboots"))
    ft = s["ft"]
    if isinstance(ft, str):
        raise Fail("%s: %s" % (CMD_QUERY_FT, ft))
    check(ft.get("failovers") == 0, "query-ft: failovers %r" % ft.get("failovers"))
    st = need_ft_stats(s["err"])
    check(st["failovers"] == 0, st["line"])
    return "rebooted once, %d checkpoints" % st["checkpoints"]


def t_input():
    s = get("s_input")
    text = clean(s["console"])
    lines = text.split("\n")
    n = len(INPUT_DELAYS)
    for k in range(1, n + 1):
        c = lines.count("count-%d-%d" % (k, 7 * k))
        check(c == 1, "'count-%d-%d' shown %d times (failover %.0f ms after the command)" %
              (k, 7 * k, c, INPUT_DELAYS[k - 1] * 1000))
    stray = [l for l in lines if re.match(r"^count-", l) and l not in ["count-%d-%d" % (k, 7 * k) for k in range(1, n + 1)]]
    check(not stray, "unexpected output %s: a command ran twice or with lost state" % stray[:3])
    check(lines.count("done-%d" % n) == 1, "the last command shows %r, want done-%d" %
          ([l for l in lines if l.startswith("done-")], n))
    typed = text.count("echo count-$n-$((n*7))")
    check(typed == n, "the typed command was echoed %d times, want %d" % (typed, n))
    check(s["rc"] == 0, "exit %s after poweroff" % s["rc"])
    ft = s.get("ft")
    if isinstance(ft, dict):
        check(ft.get("failovers") == n, "query-ft: failovers %r, want %d" % (ft.get("failovers"), n))
    return "%d commands, each followed by a forced failover, each ran once" % n


def t_commit_delay():
    s = get("s_commit")
    chain_ok(s, "interval:%d" % COMMIT_INTERVAL_MS)
    pts = []
    for at, l in s["lines"]:
        m = re.match(r"^CHAIN \d+ [0-9a-f]+ @(\d+)$", l)
        if m:
            pts.append(at - int(m.group(1)) / 1e6)
    check(len(pts) >= 50, "only %d timed lines" % len(pts))
    base = min(pts)
    delays = [p - base for p in pts]
    iv = COMMIT_INTERVAL_MS / 1000
    worst = max(delays)
    check(worst <= 4 * iv + 0.75, "a line reached the console %.2f s later than the promptest one "
          "(checkpoint interval %.2f s)" % (worst, iv))
    check(worst >= 0.3 * iv, "every line reached the console within %.0f ms of the promptest one: "
          "output is not held until a checkpoint (interval %.0f ms)" % (worst * 1000, iv * 1000))
    st = need_ft_stats(s["err"])
    expect = s["wall"] / iv
    check(0.3 * expect <= st["checkpoints"] <= 2 * expect + 10, "%d checkpoints in %.1f s at interval %d ms" %
          (st["checkpoints"], s["wall"], COMMIT_INTERVAL_MS))
    return "delays 0..%.0f ms beyond the promptest line, interval %d ms; %d checkpoints" % (
        worst * 1000, COMMIT_INTERVAL_MS, st["checkpoints"])


def t_tiny_commit():
    s = get("s_tiny_commit")
    held = [l for l in s["held"].split("\n") if l.startswith("line-")]
    committed = [l for l in s["committed"].split("\n") if l.startswith("line-")]
    c0, c1, c2 = s["ft0"]["checkpoints"], s["ft1"]["checkpoints"], s["ft2"]
    check(not held, "%d lines reached the console before any checkpoint (interval 1 h): %s" % (len(held), held[:3]))
    check(c1 == c0 + 1, "checkpoints %d before the %s command, %d after" % (c0, CMD_CHECKPOINT, c1))
    check(committed, "nothing reached the console 0.5 s after the %s command" % CMD_CHECKPOINT)
    check(s["failover-event"], "no %s event after the %s command" % (EV_FAILOVER, CMD_FAILOVER))
    check(c2["failovers"] == 1, "query-ft after %s: failovers %r" % (CMD_FAILOVER, c2["failovers"]))
    check(s["rc"] == 0, "exit %s (stderr: %s)" % (s["rc"], tail(s["err"], 3)))
    final = [l for l in clean(s["console"]).split("\n") if l]
    want = ["line-%d" % k for k in range(1, TINY_LINES + 1)]
    check(final == want, "the console after power-off: %s" % chain_problem(want, final))
    rep = sanitizer_report(s["err"])
    check(not rep, "sanitizer: " + rep if rep else "")
    return "%d lines held, %d shown after %s, all %d once after %s and power-off" % (
        0, len(committed), CMD_CHECKPOINT, TINY_LINES, CMD_FAILOVER)


def t_excloop():
    s = get("s_excloop")
    fl = reasons(s)
    check(fl, "no %s event (exit %s; stderr: %s)" % (EV_FAILURE, s["rc"], tail(s["err"], 3)))
    check(re.search(REASON_LOOP_RE, fl[0], re.I), "%s reason %r does not name the exception loop" % (EV_FAILURE, fl[0]))
    fo = [e for e in s["events"] if e.get("event") == EV_FAILOVER]
    check(fo, "the protected VM did not fail over (events: %s)" % summary(s["events"]))
    check(s["rc"] == EXIT_FAILED, "exit %s, want %d: the loop recurs after every rollback (stderr: %s)" %
          (s["rc"], EXIT_FAILED, tail(s["err"], 3)))
    text = clean(s["console"])
    # A guest that takes no interrupts shows no progress, so Tandem commits no
    # checkpoint of it and its output may never be released: at most once.
    check(text.count("tiny: up") <= 1, "'tiny: up' shown %d times" % text.count("tiny: up"))
    check(text.count("tiny: looping") <= 1, "'tiny: looping' shown %d times" % text.count("tiny: looping"))
    rep = sanitizer_report(s["err"])
    check(not rep, "sanitizer: " + rep if rep else "")
    return "reason %r; %d failovers, then exit %d" % (fl[0], len(fo), s["rc"])


def t_two_unprotected_fails_alone():
    s = get("s_two_a")
    check(s["rc"] == EXIT_FAILED, "exit %s, want %d (beta failed) (stderr: %s)" % (s["rc"], EXIT_FAILED, tail(s["err"], 3)))
    st = [e for e in s["events"] if e.get("event") == EV_STATE and (e.get("data") or {}).get("state") == "failed"]
    check([e for e in st if e["data"].get("vm") == "beta"], "beta never became failed (events: %s)" %
          summary(s["events"], (EV_STATE, EV_FAILURE)))
    check(not [e for e in st if e["data"].get("vm") == "alpha"], "alpha failed too")
    check("CHAIN-END" not in s["beta"], "beta's chain finished despite the crash")
    prob = chain_problem(reference(), chain_of(s["alpha"]))
    check(prob is None, "alpha's chain: %s" % prob)
    check(not [e for e in s["events"] if e.get("event") in (EV_FAILURE, EV_FAILOVER) and
               (e.get("data") or {}).get("vm") == "alpha"], "alpha saw a failure: %s" % summary(s["events"]))
    st_a = need_ft_stats(s["err"], "alpha")
    check(st_a["failovers"] == 0, "alpha: %s" % st_a["line"])
    return "beta failed, alpha's chain complete (%d checkpoints)" % st_a["checkpoints"]


def t_two_protected_crash_isolated():
    s = get("s_two_b")
    check(s["rc"] == 0, "exit %s (stderr: %s; events: %s)" % (s["rc"], tail(s["err"], 3), summary(s["events"])))
    for vm in ("alpha", "beta"):
        prob = chain_problem(reference(), chain_of(s[vm]))
        check(prob is None, "%s's chain: %s" % (vm, prob))
        check(clean(s[vm]).count("TANDEM-GUEST-UP") == 1, "%s booted more than once" % vm)
    st_a = need_ft_stats(s["err"], "alpha")
    check(st_a["failovers"] == 2, "alpha: %s, want failovers 2" % st_a["line"])
    check(not [e for e in s["events"] if (e.get("data") or {}).get("vm") == "beta" and
               e.get("event") in (EV_FAILURE, EV_FAILOVER, EV_RESET)], "beta was disturbed: %s" % summary(s["events"]))
    return "alpha failed over twice, beta's chain complete"


def t_control_commands():
    s = get("s_control")
    for k in ("checkpoint", "inject-crash", "inject-hang"):
        check(s[k] == {}, "%s returned %r, want {}" % (k, s[k]))
    check(s["ft2"]["checkpoints"] > s["ft1"]["checkpoints"], "checkpoints %d, then %d after the %s command" %
          (s["ft1"]["checkpoints"], s["ft2"]["checkpoints"], CMD_CHECKPOINT))
    check(s["ft3"]["failovers"] == 2, "query-ft failovers %r after two injected faults" % s["ft3"]["failovers"])
    chain_ok(s, "faults through %s" % CMD_INJECT)
    st = need_ft_stats(s["err"])
    check(st["failovers"] == 2, st["line"])
    return "%s, %s, %s crash and hang; chain complete" % (CMD_CHECKPOINT, CMD_QUERY_FT, CMD_INJECT)


def t_control_events():
    s = get("s_control")
    failure_events_ok(s)
    fl = [e for e in s["events"] if e.get("event") == EV_FAILURE]
    fo = [e for e in s["events"] if e.get("event") == EV_FAILOVER]
    check(len(fl) == 2 and len(fo) == 2, "%d %s and %d %s events, want 2 and 2" % (len(fl), EV_FAILURE, len(fo),
                                                                                  EV_FAILOVER))
    for e in fl + fo:
        check(e["data"]["vm"] == s["vm"], "event names VM %r, not %r" % (e["data"]["vm"], s["vm"]))
    r = fl[1]["data"]["reason"]
    check(re.search(REASON_HANG_RE, r, re.I), "the hang's %s reason %r" % (EV_FAILURE, r))
    lat = ev_time(fl[1]) - s["hang-at"]
    lo, hi = 0.7 * HANG_TIMEOUT_MS / 1000, HANG_TIMEOUT_MS / 1000 + 3.0
    check(lo <= lat <= hi, "the hang was detected %.2f s after inject-fault, want %.1f..%.1f s" % (lat, lo, hi))
    order = [e["event"] for e in s["events"] if e.get("event") in (EV_FAILURE, EV_FAILOVER)]
    check(order == [EV_FAILURE, EV_FAILOVER] * 2, "event order %s" % order)
    return "reasons %r, %r; recovery %s us" % (fl[0]["data"]["reason"], r, [e["data"]["recovery-us"] for e in fo])


def t_control_errors():
    s = get("s_ctl_errors")
    r = s["bitflip"]
    if isinstance(r, dict) and "error" in r and re.search(r"unknown|not found", json.dumps(r), re.I):
        raise NotImpl("%s: %s" % (CMD_INJECT, r["error"].get("desc")))
    check(isinstance(r, dict) and "return" in r, "%s bitflip:4 was refused: %r" % (CMD_INJECT, r))
    for k in ("bad-kind", "no-kind", "ft-unknown-vm", "failover-unknown-vm", "checkpoint-unknown-vm",
              "inject-unknown-vm"):
        r = s[k]
        check(isinstance(r, dict) and isinstance(r.get("error"), dict) and r["error"].get("desc"),
              "%s: expected an error reply, got %r" % (k, r))
    rc, out, err = s["ctl"]
    check(rc == 0 and '"checkpoints"' in out, "tandem ctl SOCKET %s: exit %d, %s" % (CMD_QUERY_FT, rc, tail(out + err, 2)))
    check(s["alive"], "Tandem died after the bad commands")
    check(s["rc"] == 0, "exit %s after quit" % s["rc"])
    rep = sanitizer_report(s["err"])
    check(not rep, "sanitizer: " + rep if rep else "")
    return "bitflip accepted; bad kind, missing kind and unknown VMs refused; tandem ctl %s" % CMD_QUERY_FT


def t_policy_insns():
    s = get("s_policy_insns")
    check(s["rc"] == 0, "exit %s (stderr: %s)" % (s["rc"], tail(s["err"], 3)))
    st = need_ft_stats(s["err"])
    n = instructions_of(s["err"])
    check(n, "no instruction count in --stats")
    want = n / 50000000
    check(0.5 * want <= st["checkpoints"] <= 1.5 * want + 5, "%d checkpoints for %d instructions at insns:50000000 "
          "(about %.0f expected)" % (st["checkpoints"], n, want))
    return "%d checkpoints for %.2f G instructions" % (st["checkpoints"], n / 1e9)


def t_policy_ctx():
    s = get("s_policy_ctx")
    check(s["rc"] == 0, "exit %s (stderr: %s)" % (s["rc"], tail(s["err"], 3)))
    st = need_ft_stats(s["err"])
    m = re.search(r"ASID switches (\d+)", s["err"])
    check(st["checkpoints"] >= 20, "%d checkpoints on context switches over a whole boot" % st["checkpoints"])
    return "%d checkpoints (ASID switches %s)" % (st["checkpoints"], m.group(1) if m else "?")


def t_policy_vmswitch():
    s = get("s_policy_vmswitch")
    check(s["rc"] == 0, "exit %s (stderr: %s)" % (s["rc"], tail(s["err"], 3)))
    st = need_ft_stats(s["err"], "alpha")
    m = re.search(r"^tandem: alpha: vm: slices (\d+)", s["err"], re.M)
    check(m, "no slices figure for alpha")
    sl = int(m.group(1))
    check(0.25 * sl <= st["checkpoints"] <= sl + 5, "alpha: %d checkpoints at vm-switch for %d slices" %
          (st["checkpoints"], sl))
    return "%d checkpoints, %d slices" % (st["checkpoints"], sl)


def t_watchdog():
    s = get("s_watchdog")
    e = s["failure"]
    check(e, "no %s event within 30 s of the watchdog being armed (timeout 3 s; events: %s)" %
          (EV_FAILURE, summary(s["events"])))
    r = e["data"].get("reason", "")
    check(re.search(REASON_WATCHDOG_RE, r, re.I), "reason %r does not name the watchdog" % r)
    lat = ev_time(e) - s["armed"]
    check(lat <= 15, "detected %.1f s after arming (timeout 3 s)" % lat)
    return "reason %r, %.1f s after arming" % (r, lat)


def bad_test(name, words):
    def t():
        rc, err = get("s_bad")[name]
        if rejected(rc, err):
            raise NotImpl(rejected(rc, err))
        miss = [w for w in words if w not in err]
        check(rc == 1 and not miss, "exit %d, want 1%s; stderr: %s" % (rc, "; stderr lacks " + ", ".join(miss)
                                                                     if miss else "", tail(err, 2)))
        return err.strip().splitlines()[0][:120]
    return t


TESTS = [
    ("chain-fault-free", t_fault_free),
    ("chain-backup-no-fault", t_backup_no_fault),
    ("query-ft-fields", t_query_ft),
    ("chain-survives-crashes", t_crashes),
    ("chain-survives-hangs", t_hangs),
    ("detector-hang", t_detector_hang),
    ("chain-survives-kernel-text", t_ktext),
    ("detector-panic", t_detector_panic),
    ("repeated-fault-guard", t_guard),
    ("repeated-fault-guard-max-failovers", t_guard_k2),
    ("detector-exception-loop", t_excloop),
    ("reboot-not-a-failure", t_reboot),
    ("unprotected-crash-fails-visibly", lambda: t_unprotected("s_unprot_crash", "crash")),
    ("unprotected-hang-fails-visibly", lambda: t_unprotected("s_unprot_hang", "hang")),
    ("output-commit-delay", t_commit_delay),
    ("output-commit-checkpoint-command", t_tiny_commit),
    ("input-replay", t_input),
    ("two-vms-unprotected-crash-fails-alone", t_two_unprotected_fails_alone),
    ("two-vms-protected-crash-isolated", t_two_protected_crash_isolated),
    ("control-commands", t_control_commands),
    ("control-events", t_control_events),
    ("control-errors", t_control_errors),
    ("checkpoint-policy-insns", t_policy_insns),
    ("checkpoint-policy-context-switch", t_policy_ctx),
    ("checkpoint-policy-vm-switch", t_policy_vmswitch),
    ("detector-watchdog", t_watchdog),      # needs the SP805 in the device tree, else "not implemented"
] + [(name, bad_test(name, words)) for name, _, _, words in BAD_CASES]

# The scenario each test needs first (submitted in this order, FT_JOBS at a time).
ORDER = ["s_qemu", "s_free", "s_backup", "s_crashes", "s_hangs", "s_ktext", "s_panic", "s_panic_k2", "s_excloop",
         "s_reboot", "s_unprot_crash", "s_unprot_hang", "s_commit", "s_tiny_commit", "s_input", "s_two_a", "s_two_b",
         "s_control", "s_ctl_errors", "s_policy_insns", "s_policy_ctx", "s_policy_vmswitch", "s_watchdog", "s_bad"]
CHAIN_SCENARIOS = {"s_backup", "s_crashes", "s_hangs", "s_ktext", "s_panic", "s_panic_k2", "s_commit", "s_two_a",
                   "s_two_b", "s_control"}
NEEDS = {
    "chain-fault-free": ["s_free", "s_qemu"], "chain-backup-no-fault": ["s_backup"], "query-ft-fields": ["s_backup"],
    "chain-survives-crashes": ["s_crashes"], "chain-survives-hangs": ["s_hangs"], "detector-hang": ["s_hangs"],
    "chain-survives-kernel-text": ["s_ktext"], "detector-panic": ["s_panic"], "repeated-fault-guard": ["s_panic"],
    "repeated-fault-guard-max-failovers": ["s_panic", "s_panic_k2"], "detector-exception-loop": ["s_excloop"],
    "reboot-not-a-failure": ["s_reboot"], "unprotected-crash-fails-visibly": ["s_unprot_crash"],
    "unprotected-hang-fails-visibly": ["s_unprot_hang"], "output-commit-delay": ["s_commit"],
    "output-commit-checkpoint-command": ["s_tiny_commit"], "input-replay": ["s_input"],
    "two-vms-unprotected-crash-fails-alone": ["s_two_a"], "two-vms-protected-crash-isolated": ["s_two_b"],
    "control-commands": ["s_control"], "control-events": ["s_control"], "control-errors": ["s_ctl_errors"],
    "checkpoint-policy-insns": ["s_policy_insns"], "checkpoint-policy-context-switch": ["s_policy_ctx"],
    "checkpoint-policy-vm-switch": ["s_policy_vmswitch"], "detector-watchdog": ["s_watchdog"],
}


def run(only):
    tests = [(n, f) for n, f in TESTS if not only or n in only]
    wanted = set()
    for n, _ in tests:
        wanted.update(NEEDS.get(n, ["s_bad"]))
    if wanted & CHAIN_SCENARIOS:
        wanted.add("s_free")        # the reference of every chain test
    probe()
    for s in ORDER:
        if s in wanted:
            get_future(s)
    for name, fn in tests:
        try:
            detail = fn()
            print("PASS %s%s" % (name, " (%s)" % detail if detail else ""), flush=True)
        except NotImpl as e:
            print("FAIL %s (not implemented: %s)" % (name, e), flush=True)
        except Fail as e:
            print("FAIL %s (%s)" % (name, e), flush=True)
        except (qmp.QmpError, qmp.Timeout, qmp.Closed, OSError, ValueError, KeyError, TypeError, IndexError) as e:
            print("FAIL %s (%s: %s)" % (name, type(e).__name__, e), flush=True)


def get_future(name):
    if name not in _futures:
        _futures[name] = _pool.submit(SCENARIOS[name])
    return _futures[name]


_pool = concurrent.futures.ThreadPoolExecutor(max_workers=JOBS)

if __name__ == "__main__":
    t0 = time.monotonic()
    try:
        run(O["only"])
    finally:
        for t in Tandem.live:
            t.kill()
        _pool.shutdown(wait=False, cancel_futures=True)
    print("INFO ft suite: %.0f s" % (time.monotonic() - t0), flush=True)
