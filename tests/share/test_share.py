#!/usr/bin/env python3
"""Page sharing (--share vm|all): two Debian guests with the same kernel and
initramfs, each filling memory with tb-memfill (the same pages in both), in
one Tandem. Every guest's digests must equal QEMU's with the same RAM (so no
guest ever saw another's write to a page they shared), and the --stats share
line must show a large part of their memory shared and copies on write.
Reuses tests/swap's helpers (same arguments)."""
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "swap"))
import test_swap as sw  # noqa: E402  (parses the same arguments)
from test_swap import Fail, Tandem, check, guarded, read, reference, run_measured, tail, wait_until  # noqa: E402

T, TS, W, K, I = sw.T, sw.TS, sw.W, sw.K, sw.I
FILL = 200                 # MiB each guest fills (the same pages in both)
MEM = "512M"
MiB = 1 << 20
SHARED_FLOOR_MIB = 40      # frames saved at exit, at least (about 130 MiB seen)
KSM_NAMES = ("pages_shared", "pages_sharing", "pages_unshared", "pages_volatile", "full_scans", "cow_breaks")
CODE_RE = re.compile(r"^tandem: (?:(\S+): )?code: decoded pages (\d+) \((\d+) KiB\), peak (\d+), pages attached (\d+), "
                     r"attachments (\d+) \(found decoded (\d+)\), freed (\d+) \(evicted (\d+)\), limit (\d+) KiB$")
CODE_KEYS = ("pages", "kib", "peak", "attached", "attachments", "found", "freed", "evicted", "limit_kib")
SHARE_RE = re.compile(r"^tandem: (?:\S+: )?share: (machine|vm=\S+)\s+(.*)$")


def share_stats(err):
    out = {}
    for line in err.splitlines():
        m = SHARE_RE.match(line)
        if m:
            out[m.group(1)] = dict(kv.split("=", 1) for kv in m.group(2).split() if "=" in kv)
    return out


def code_stats(err):
    """The code: lines, by VM name (None: the machine's, with share all)."""
    out = {}
    for line in err.splitlines():
        m = CODE_RE.match(line)
        if m:
            out[m.group(1)] = dict(zip(CODE_KEYS, map(int, m.groups()[1:])))
    return out


def num(d, k):
    check(k in d, "the share line has no %s= (%s)" % (k, " ".join("%s=%s" % kv for kv in d.items())[:200]))
    return int(d[k])


def two_vms(name, binary, mode, timeout, extra=None, vm_extra=None, fill=FILL):
    cfg = {"share": mode, "stats": True,
           "vms": [dict({"name": n, "kernel": K, "initrd": I, "append": sw.append(fill), "mem": MEM,
                         "console": "file:" + os.path.join(W, "%s-%s.console" % (name, n)), "no-rng-seed": True,
                         "on-reset": "stop", "max-insns": sw.MAX_INSNS}, **((vm_extra or {}).get(n, {})))
                   for n in ("alpha", "beta")]}
    cfg.update(extra or {})
    path = os.path.join(W, name + ".json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    r = run_measured([binary, "run", "--config", path], name, timeout)
    r.update(alpha=read(os.path.join(W, "%s-alpha.console" % name)),
             beta=read(os.path.join(W, "%s-beta.console" % name)), share=share_stats(r["err"]),
             swap=sw.swap_stats(r["err"]), code=code_stats(r["err"]), binary=binary, alg=cfg.get("compress", "lzo"),
             pool_mib=int(cfg.get("machine-mem", "0M")[:-1]) if "machine-mem" in cfg else 1024, fill=fill)
    return r


def check_both_match_qemu(r, fill=FILL):
    ref = reference(fill, MEM)
    for n in ("alpha", "beta"):
        sw.check_matches_qemu(dict(r, out=r[n]), ref)


def machine(r):
    m = r["share"].get("machine")
    check(m is not None, "no share machine line (stderr: %s)" % tail(r["err"]))
    return m


@sw.once
def all_run():
    return two_vms("all", T, "all", sw.TIMEOUT * 2, extra={"compress": "off"})


def t_all():
    """--share all: both guests' data is their own, and much of it is one copy."""
    r = all_run()
    check_both_match_qemu(r)
    m = machine(r)
    for k in KSM_NAMES:
        num(m, k)
    saved = num(m, "pages_sharing") * 4096
    check(saved >= SHARED_FLOOR_MIB * MiB, "only %.1f MiB saved by sharing (floor %d MiB): %s" %
          (saved / MiB, SHARED_FLOOR_MIB, m))
    check(num(m, "cow_breaks") > 0, "no copy on write: the guests never wrote to a shared page? %s" % m)
    for n in ("alpha", "beta"):
        v = r["share"].get("vm=" + n)
        check(v is not None and num(v, "pages_on_shared") > 0, "%s has no pages on shared frames: %s" % (n, v))
    # One decoded-code cache for the machine: the same kernel is decoded once.
    c = r["code"]
    check(list(c) == [None], "expected one machine code: line with share all, got %s" % c)
    c = c[None]
    check(c["found"] >= 300 and c["attached"] >= c["pages"] * 3 // 2,
          "decoded code barely shared: %d pages attached to %d decoded pages, %d found decoded" %
          (c["attached"], c["pages"], c["found"]))
    return ("digests equal QEMU's; %.0f MiB saved (%d pages on %d frames), %d copies on write; "
            "%d guest pages on %d decoded pages; %.0f s") % (
        saved / MiB, num(m, "pages_sharing") + num(m, "pages_shared"), num(m, "pages_shared"),
        num(m, "cow_breaks"), c["attached"], c["pages"], r["secs"])


def t_vm_mode():
    """--share vm: each guest's equal pages are merged, the two guests' never."""
    r = two_vms("vm", T, "vm", sw.TIMEOUT * 2, extra={"compress": "off"})
    check_both_match_qemu(r)
    m = machine(r)
    check(m.get("mode") == "vm", "mode=%s" % m.get("mode"))
    check(num(m, "merges") > 0, "nothing merged within a VM: %s" % m)
    # Across VMs, the same pages would be shared by all: far fewer frames saved here.
    saved_vm, saved_all = num(m, "pages_sharing"), num(machine(all_run()), "pages_sharing")
    check(saved_vm < saved_all, "vm mode saved %d frames, all mode %d" % (saved_vm, saved_all))
    c = r["code"]
    check(sorted(c) == ["alpha", "beta"], "expected a code: line per VM in vm mode, got %s" % sorted(map(str, c)))
    for n in ("alpha", "beta"):  # an eighth of 512 MiB by default
        check(c[n]["limit_kib"] == 64 * 1024, "%s: code cache limit %d KiB" % (n, c[n]["limit_kib"]))
    return "digests equal QEMU's; %d frames saved within the VMs (all: %d)" % (saved_vm, saved_all)


def t_sanitized():
    """The sanitized build, with a decoded-code cache small enough that its
    clock evicts all along: the same digests, and no sanitizer report."""
    r = two_vms("san", TS, "all", sw.SAN_TIMEOUT * 2, extra={"compress": "off", "code-cache": "4M"}, fill=100)
    rep = sw.sanitizer_report(r["err"])
    check(not rep, "sanitizer: %s" % rep)
    check_both_match_qemu(r, fill=100)
    m = machine(r)
    check(num(m, "merges") > 0 and num(m, "cow_breaks") > 0, "no merge or no copy on write: %s" % m)
    c = r["code"].get(None)
    check(c is not None and c["limit_kib"] == 4096 and c["evicted"] > 0,
          "the 4M code cache never evicted: %s" % c)
    return "digests equal QEMU's, %d merges, %d copies on write, %d decoded pages evicted, %.0f s" % (
        num(m, "merges"), num(m, "cow_breaks"), c["evicted"], r["secs"])


def t_with_swap_and_backup():
    """Sharing with compressed swap in a pool smaller than the RAM, and a
    protected guest that fails over: every guest's data is right."""
    r = two_vms("ft", T, "all", sw.TIMEOUT * 3, extra={"compress": "lz4", "machine-mem": "320M"},
                vm_extra={"alpha": {"backup": True, "inject": ["crash@6s"]}}, fill=150)
    check_both_match_qemu(r, fill=150)
    fo = [l for l in r["err"].splitlines() if re.match(r"tandem: alpha: failover \d+:", l)]
    check(fo, "alpha did not fail over (stderr: %s)" % tail(r["err"]))
    m = machine(r)
    check(num(m, "merges") > 0, "nothing merged: %s" % m)
    compressed = sum(int(v.get("pages_compressed", 0)) for k, v in r["swap"].items() if k.startswith("vm="))
    check(compressed > 0, "nothing was compressed: the pool did not run short (%s)" % r["swap"].get("machine"))
    return "%d failover(s); %d merges, %d pages compressed, both digests equal QEMU's" % (
        len(fo), num(m, "merges"), compressed)


FT_RE = re.compile(r"^tandem: ft: checkpoints (\d+), failovers (\d+),.* pages shared (\d+), pages protected (\d+),")


def protected_run(name, backup_share):
    r = run_measured([T, "run", "-k", K, "-i", I, "-a", sw.append(100), "--mem", MEM, "--backup",
                      "--backup-share", backup_share, "--inject", "crash@4s", "--no-rng-seed",
                      "--max-insns", str(sw.MAX_INSNS), "--stats"], name, sw.TIMEOUT)
    r.update(binary=T, alg="lzo", pool_mib=1024, fill=100)
    sw.check_matches_qemu(r, reference(100, MEM))
    ft = [FT_RE.match(l) for l in r["err"].splitlines() if FT_RE.match(l)]
    check(ft, "no ft: line with pages shared and protected (stderr: %s)" % tail(r["err"]))
    checkpoints, failovers, shared, protected = (int(x) for x in ft[0].groups())
    check(failovers >= 1, "no failover (ft: %s)" % ft[0].group(0))
    return shared, protected


def t_backup_share():
    """backup-share off: the backup keeps a copy of every page (none shared
    with the primary), and a failover to it still gives the right data; on
    (the default) it shares the primary's unchanged frames."""
    s_off, p_off = protected_run("bshare-off", "off")
    check(s_off == 0 and p_off > 0, "backup-share off: %d pages shared, %d protected" % (s_off, p_off))
    s_on, p_on = protected_run("bshare-on", "on")
    check(s_on > 0, "backup-share on: no page shared with the primary (%d protected)" % p_on)
    return "off: %d pages protected, none shared; on: %d shared, %d protected; failovers right" % (p_off, s_on, p_on)


def t_query_stats():
    """query-stats while two guests share: the machine's "share" object has
    KSM's names and agrees with the VMs' objects as it changes."""
    cfg = {"share": "all", "compress": "off", "control": os.path.join(W, "q.sock"),
           "vms": [{"name": n, "kernel": K, "initrd": I, "append": sw.append(100), "mem": MEM,
                    "console": "null", "no-rng-seed": True, "on-reset": "stop", "max-insns": sw.MAX_INSNS}
                   for n in ("alpha", "beta")]}
    path = os.path.join(W, "q.json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    t = Tandem(T, W, "tandem-q", None, ["--config", path])
    try:
        q = t.control(cfg["control"], timeout=20)
        wait_until(lambda: t.died() or q.stats()[0]["machine"]["share"]["pages_sharing"] > 5000, 120,
                   "5000 pages sharing")
        s, v = q.stats()
        q.cmd("quit")
        t.wait(30)
    finally:
        t.kill()
    m = s["machine"]["share"]
    for k in KSM_NAMES + ("merges", "saved_bytes", "mode"):
        check(k in m, "query-stats' share lacks %s: %s" % (k, sorted(m)))
    check(m["mode"] == "all" and m["saved_bytes"] == m["pages_sharing"] * 4096, "share object: %s" % m)
    check(m["pages_sharing"] >= m["pages_shared"] > 0, "pages_shared %d, pages_sharing %d" %
          (m["pages_shared"], m["pages_sharing"]))
    on = sum(v[n]["share"]["pages_on_shared"] for n in ("alpha", "beta"))
    check(on == m["pages_shared"] + m["pages_sharing"], "the VMs' pages on shared frames (%d) are not "
          "pages_shared + pages_sharing (%d + %d)" % (on, m["pages_shared"], m["pages_sharing"]))
    return "%d pages sharing %d frames, %d full scans" % (m["pages_sharing"], m["pages_shared"], m["full_scans"])


def t_bad_input():
    """A wrong value is named in the message and nothing runs."""
    cases = [(["--share", "ksm"], "ksm"), (["--share-pages", "0"], "'0'"), (["--share-sleep", "soon"], "soon"),
             (["--share-sleep", "99999999"], "99999999"), (["--backup-share", "maybe"], "maybe"),
             (["--code-cache", "12K"], "12K"), (["--code-cache", "lots"], "lots")]
    for args, word in cases:
        r = run_measured([T, "run", "-k", K, "--mem", "64M"] + args, "bad", 20)
        check(r["rc"] == 1 and word in r["err"] and args[0] in r["err"],
              "%s: exit %d, stderr %r" % (" ".join(args), r["rc"], tail(r["err"], 1)))
    for key, val, word in (("share", "yes", "yes"), ("share", 3, "string"), ("share-pages", "many", "number"),
                           ("code-cache", "512K", "1M"), ("code-cache", "huge", "huge")):
        path = os.path.join(W, "bad.json")
        with open(path, "w") as f:
            json.dump({key: val, "vms": [{"name": "a", "kernel": K, "mem": "64M", "console": "null"}]}, f)
        r = run_measured([T, "run", "--config", path], "bad-config", 20)
        check(r["rc"] == 1 and key in r["err"] and word in r["err"],
              "config %s=%r: exit %d, %r" % (key, val, r["rc"], tail(r["err"], 1)))
    return "%d flags and 5 config values refused by name" % len(cases)


TESTS = [("share-all-two-vms", t_all),
         ("share-vm-mode", t_vm_mode),
         ("share-sanitized", t_sanitized),
         ("share-with-swap-and-backup", t_with_swap_and_backup),
         ("share-backup-share-choice", t_backup_share),
         ("share-query-stats", t_query_stats),
         ("share-bad-input", t_bad_input)]

if __name__ == "__main__":
    t0 = time.monotonic()
    sw.run_tests([(n, guarded(f)) for n, f in TESTS], sw.O["only"])
    print("INFO share: the suite's runs took %.0f s" % (time.monotonic() - t0), flush=True)
