#!/usr/bin/env python3
"""Debian's kernel and busybox as several VMs of one Tandem process: each VM's
scripted workload must print what QEMU prints for the same kernel, initramfs
and command line, whatever its console; a VM that fills its tmpfs is paused
when the machine memory pool runs out while the others go on.

usage: test_guest.py --tandem BIN --work DIR --kernel IMAGE --initrd CPIO [--only NAME,...]
"""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import overlay  # noqa: E402
import tiny  # noqa: E402
from harness import Fail, SocketReader, Tandem, check, main_args, run_tests, tail, wait_until  # noqa: E402

O = main_args(sys.argv)
T, W, K, I = O["tandem"], O["work"], O["kernel"], O["initrd"]
BASE = "console=ttyAMA0 panic=-1 quiet nokaslr"
SMOKE = BASE + " tandem.run=/usr/bin/tandem-smoke"
HOG = BASE + " tandem.run=/usr/bin/tandem-hog"
MAX_INSNS = 4000000000
MiB = 1 << 20

# The memory hog waits for a line on its console, then fills /tmp (a tmpfs of
# half the guest's RAM) with 200 MB of zeroes.
HOG_SCRIPT = b"""#!/bin/sh
echo "hog: ready"
read go
echo "hog: filling /tmp"
dd if=/dev/zero of=/tmp/big bs=1M count=200
echo "hog: dd exited $?"
"""
HOG_INITRD = os.path.join(W, "hog-initrd.cpio.gz")
overlay.write_overlay(I, HOG_INITRD, [("/usr/bin/tandem-hog", HOG_SCRIPT)])
SPIN = os.path.join(W, "guest-spin.img")
tiny.main(["tiny.py", SPIN, "--end", "loop"])


def workload(text):
    """The lines from TANDEM-GUEST-UP to TANDEM-GUEST-DONE, without \\r."""
    out, inside = [], False
    for line in text.replace("\r", "").split("\n"):
        if line.startswith("TANDEM-GUEST-UP"):
            inside = True
        if inside:
            out.append(line)
        if inside and line.startswith("TANDEM-GUEST-DONE"):
            break
    return "\n".join(out) + "\n" if out else ""


def blocks(text):
    return text.replace("\r", "").count("TANDEM-GUEST-UP")


def diff(want, got):
    w, g = want.split("\n"), got.split("\n")
    for i in range(max(len(w), len(g))):
        a = w[i] if i < len(w) else "<end>"
        b = g[i] if i < len(g) else "<end>"
        if a != b:
            return "line %d: QEMU %r, Tandem %r" % (i + 1, a[:60], b[:60])
    return "same"


def read(p):
    try:
        with open(p, "rb") as f:
            return f.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


def gvm(name, mem, console, append=SMOKE, initrd=I, **kw):
    d = {"name": name, "kernel": K, "initrd": initrd, "append": append, "mem": mem, "console": console,
         "no-rng-seed": True, "max-insns": MAX_INSNS}
    d.update(kw)
    return d


# --- QEMU's output, started at once and awaited when first needed ---------------------------------

_qemu = {}


def qemu_start():
    if not shutil.which("qemu-system-aarch64"):
        return
    log = open(os.path.join(W, "qemu.log"), "wb")
    _qemu["proc"] = subprocess.Popen(
        ["qemu-system-aarch64", "-M", "virt,dtb-kaslr-seed=off", "-cpu", "cortex-a53", "-m", "512",
         "-nographic", "-no-reboot", "-nic", "none", "-kernel", K, "-initrd", I, "-append", SMOKE],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)


def reference():
    if "ref" in _qemu:
        return _qemu["ref"]
    p = _qemu.get("proc")
    if p is None:
        raise Fail("qemu-system-aarch64 is not installed: no reference output")
    try:
        p.wait(180)
    except subprocess.TimeoutExpired:
        p.kill()
        raise Fail("QEMU did not finish within 180 s")
    ref = workload(read(os.path.join(W, "qemu.log")))
    if "TANDEM-GUEST-DONE rc=0" not in ref:
        raise Fail("QEMU's run has no complete workload (%s)" % tail(read(os.path.join(W, "qemu.log"))))
    _qemu["ref"] = ref
    return ref


def matches_qemu(text, what):
    ref = reference()
    got = workload(text)
    check(got, "%s: no workload output (%s)" % (what, tail(text)))
    check(got == ref, "%s differs from QEMU: %s" % (what, diff(ref, got)))
    return "%d lines" % ref.count("\n")


def once(fn):
    """Runs a scenario the first time one of its tests asks for it."""
    cache = {}

    def run():
        if "r" not in cache:
            try:
                cache["r"] = (True, fn())
            except Fail as e:
                cache["r"] = (False, e)
            except Exception as e:  # noqa: BLE001 - reported by every test of the scenario
                cache["r"] = (False, "%s: %s" % (type(e).__name__, e))
        ok, v = cache["r"]
        if not ok:
            raise Fail("scenario failed: %s" % v)
        return v
    return run


# --- two VMs: file and socket consoles ------------------------------------------------------------

@once
def two_vms():
    af, bs = os.path.join(W, "g2-alpha.txt"), os.path.join(W, "g2-beta.sock")
    t = Tandem(T, W, "g2", {"stats": True, "vms": [gvm("alpha", "256M", "file:" + af),
                                                   gvm("beta", "384M", "socket:" + bs)]})
    r = SocketReader(bs)
    try:
        rc = t.wait(150)
    finally:
        t.kill()
        r.stop()
    return {"rc": rc, "alpha": read(af), "beta": r.text(), "err": t.stderr(), "reader": r.error}


def t_two_vms_exit():
    s = two_vms()
    problems = []
    for n in ("alpha", "beta"):
        if "TANDEM-GUEST-DONE rc=0" not in s[n]:
            problems.append("%s did not finish its workload (console: %s)" % (n, tail(s[n], 2) or "empty"))
    if s["reader"]:
        problems.append(s["reader"])
    if s["rc"] != 0:
        problems.append("exit %d" % s["rc"])
    check(not problems, "; ".join(problems) + " (stderr: %s)" % tail(s["err"]))
    check(blocks(s["alpha"]) == 1 and blocks(s["beta"]) == 1, "the consoles show %d and %d boots" %
          (blocks(s["alpha"]), blocks(s["beta"])))


def t_two_vms_file():
    return matches_qemu(two_vms()["alpha"], "alpha (256M, file console)")


def t_two_vms_socket():
    return matches_qemu(two_vms()["beta"], "beta (384M, socket console)")


def t_two_vms_stats():
    err = two_vms()["err"]
    lines = [l for l in err.splitlines() if l.strip()]
    figs = []
    for n in ("alpha", "beta"):
        mine = [l for l in lines if re.search(r"\b%s\b" % n, l)]
        check(mine, "no stats line names %s (stderr: %s)" % (n, tail(err, 4)))
        ins = [l for l in mine if "instructions" in l and re.search(r"\d{6,}", l)]
        check(ins, "no instructions figure for %s (its lines: %s)" % (n, " | ".join(mine[:3])))
        figs.append(ins[0].strip())
    for f in figs:
        print("INFO " + f[:150])


# --- stdio and file consoles ----------------------------------------------------------------------

@once
def stdio_file():
    bf = os.path.join(W, "g3-beta.txt")
    t = Tandem(T, W, "g3", {"vms": [gvm("alpha", "256M", "stdio"), gvm("beta", "384M", "file:" + bf)]})
    try:
        rc = t.wait(150)
    finally:
        t.kill()
    return {"rc": rc, "alpha": t.stdout(), "beta": read(bf), "err": t.stderr()}


def t_stdio_console():
    s = stdio_file()
    check(s["rc"] == 0, "exit %d (stderr: %s)" % (s["rc"], tail(s["err"])))
    check(blocks(s["alpha"]) == 1, "stdout shows %d boots (beta's output leaked?)" % blocks(s["alpha"]))
    return matches_qemu(s["alpha"], "alpha (stdio)")


def t_stdio_pair_file():
    s = stdio_file()
    check("TANDEM-GUEST-UP" not in s["err"], "guest output on stderr")
    return matches_qemu(s["beta"], "beta (file, next to stdio)")


# --- the machine memory pool runs out -------------------------------------------------------------

@once
def pool():
    ctl, asock, bf = (os.path.join(W, n) for n in ("gp.sock", "gp-alpha.sock", "gp-beta.txt"))
    cfg = {"control": ctl, "machine-mem": "160M", "compress": "off",
           "vms": [gvm("alpha", "256M", "socket:" + asock, append=HOG, initrd=HOG_INITRD, weight=4),
                   gvm("beta", "256M", "file:" + bf, initrd=HOG_INITRD, weight=4),
                   {"name": "gamma", "kernel": SPIN, "mem": "16M", "console": "null", "weight": 1}]}
    t = Tandem(T, W, "gp", cfg)
    r = SocketReader(asock)
    res = {"err": "", "alpha": "", "beta": ""}
    try:
        q = t.control(ctl, timeout=20)
        wait_until(lambda: t.died() or ("hog: ready" in r.text() and "TANDEM-GUEST-DONE" in read(bf)), 120,
                   "alpha's hog to be ready and beta's workload to finish")
        r.send(b"go\n")
        try:
            q.wait_state("alpha", "paused", timeout=60)
            res["paused-event"] = True
        except Exception as e:
            res["paused-event"] = str(e)
        time.sleep(0.5)
        s0, v0 = q.stats()
        time.sleep(0.5)
        s1, v1 = q.stats()
        res["events"] = sorted({e.get("event") for e in q.events})
        res.update(stats=s1, vms=v1, gamma_ran=v1["gamma"]["instructions"] - v0["gamma"]["instructions"],
                   alpha_ran=v1["alpha"]["instructions"] - v0["alpha"]["instructions"])
        try:
            q.cmd("quit")
        except Exception:
            pass
        res["rc"] = t.wait(20)
    finally:
        t.kill()
        r.stop()
        res.update(err=t.stderr(), alpha=r.text(), beta=read(bf))
    return res


def t_pool_hog_paused():
    s = pool()
    check("hog: filling" in s["alpha"], "alpha never started filling /tmp (%s)" % tail(s["alpha"]))
    check("hog: dd exited" not in s["alpha"], "alpha's hog ran to the end in a 160M pool: %s" % tail(s["alpha"]))
    check(s["paused-event"] is True, "no event for alpha's pause: %s" % s["paused-event"])
    check(s["vms"]["alpha"]["state"] == "paused", "alpha is %s" % s["vms"]["alpha"]["state"])
    check(s["alpha_ran"] == 0, "alpha executed %d instructions while paused" % s["alpha_ran"])
    lines = [l for l in s["err"].splitlines() if "out of machine memory" in l]
    check(lines, "no 'out of machine memory' on stderr (%s)" % tail(s["err"]))
    check("alpha" in lines[0], "the message does not name alpha: %r" % lines[0])
    m = s["stats"]["machine"]
    check(m["used-bytes"] <= m["total-bytes"] == 160 * MiB, "pool used %d of %d" % (m["used-bytes"], m["total-bytes"]))
    print("INFO pool: " + lines[0].strip()[:150])
    return "other events %s; alpha %d MiB resident" % (s["events"], s["vms"]["alpha"]["memory"]["resident-bytes"] >> 20)


def t_pool_others_go_on():
    s = pool()
    check("TANDEM-GUEST-DONE rc=0" in s["beta"], "beta did not finish (%s)" % tail(s["beta"]))
    check(s["vms"]["beta"]["state"] == "shutdown", "beta is %s" % s["vms"]["beta"]["state"])
    check(s["vms"]["gamma"]["state"] == "running", "gamma is %s" % s["vms"]["gamma"]["state"])
    check(s["gamma_ran"] > 0, "gamma stopped executing when alpha was paused")
    return matches_qemu(s["beta"], "beta (next to the hog)")


def t_pool_quit():
    s = pool()
    check(s.get("rc") == 0, "exit %r after quit (stderr: %s)" % (s.get("rc"), tail(s["err"])))


TESTS = [
    ("guest-two-vms-one-process", t_two_vms_exit),
    ("guest-file-console-matches-qemu", t_two_vms_file),
    ("guest-socket-console-matches-qemu", t_two_vms_socket),
    ("guest-stats-per-vm", t_two_vms_stats),
    ("guest-stdio-console-matches-qemu", t_stdio_console),
    ("guest-file-next-to-stdio-matches-qemu", t_stdio_pair_file),
    ("guest-pool-exhaustion-pauses-hog", t_pool_hog_paused),
    ("guest-pool-others-go-on", t_pool_others_go_on),
    ("guest-pool-quit-exit-0", t_pool_quit),
]

if __name__ == "__main__":
    qemu_start()
    try:
        run_tests(TESTS, O["only"])
    finally:
        p = _qemu.get("proc")
        if p and p.poll() is None:
            p.kill()
