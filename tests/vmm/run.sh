#!/usr/bin/env bash
# The VMM layer: several VMs in one Tandem process from a JSON config, their
# consoles, lifecycle, the machine memory pool and the control socket.
#  - config errors (here): exit 1, naming the file, the VM and the key;
#  - test_vms.py: consoles, lifecycle, per-VM keys, stats, weights, pool (tiny guests);
#  - test_control.py: the QMP control socket and `tandem ctl` (tiny guests);
#  - test_guest.py: Debian's kernel as several VMs, against QEMU (optimised build).
# Tiny guests run on the sanitized build, Debian boots on the optimised one.
set -u
cd "$(dirname "$0")/../.."
T=build/tandem
TS=build/test/tandem
K=guest/out/Image
I=guest/out/initramfs.cpio.gz
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

for b in "$T" "$TS"; do
    [ -x "$b" ] || { echo "FAIL vmm-binaries ($b is missing: run make)"; exit 0; }
done

# --- config errors -------------------------------------------------------------------------------
$PY tests/vmm/tiny.py "$W/off.img"
OFF="$W/off.img"
D='"mem": "32M", "console": "null"'
vm() { # vm NAME [KEYS]: a VM entry with the kernel and KEYS (default: $D)
    printf '{"name": "%s", "kernel": "%s", %s}' "$1" "$OFF" "${2:-$D}"
}

# cfg NAME JSON WORD...: `run --config` of JSON exits 1 and stderr names the
# file and every WORD (the key, the VM, the value). A kernel that cannot be
# read is named itself, not the config file.
cfg() {
    local name=$1 json=$2
    shift 2
    local f="$W/$name.json"
    printf '%s\n' "$json" >"$f"
    timeout 20 "$TS" run --config "$f" >"$W/out" 2>"$W/err" </dev/null
    local rc=$? missing=""
    [ "$name" = kernel-not-found ] || grep -qF "$name.json" "$W/err" || missing="the file name"
    for w in "$@"; do grep -qF -- "$w" "$W/err" || missing="${missing:+$missing, }'$w'"; done
    if [ "$rc" -eq 1 ] && [ -z "$missing" ]; then
        echo "PASS config-$name"
    else
        echo "FAIL config-$name (exit $rc, want 1${missing:+; stderr lacks $missing}; stderr: $(head -c 200 "$W/err" | tr '\n' ' '))"
    fi
}

A=$(vm alpha)
cfg malformed-json '{"vms": ['
cfg not-an-object '[1, 2]'
cfg empty-vms '{"vms": []}' vms
cfg missing-vms '{"stats": true}' vms
cfg vms-not-a-list "{\"vms\": {\"alpha\": $A}}" vms
cfg unknown-key-top "{\"frobnicate\": 1, \"vms\": [$A]}" frobnicate
cfg unknown-key-vm "{\"vms\": [$(vm alpha "$D, \"colour\": \"red\"")]}" colour alpha
cfg wrong-type-kernel "{\"vms\": [$A, {\"name\": \"beta\", \"kernel\": 42, $D}]}" kernel beta
cfg wrong-type-stats "{\"stats\": \"yes\", \"vms\": [$A]}" stats
cfg wrong-type-name "{\"vms\": [{\"name\": 7, \"kernel\": \"$OFF\", $D}]}" name
cfg wrong-type-mem "{\"vms\": [$(vm alpha '"mem": [32], "console": "null"')]}" mem alpha
cfg wrong-type-max-insns "{\"vms\": [$(vm alpha "$D, \"max-insns\": \"lots\"")]}" max-insns alpha
cfg wrong-type-no-rng-seed "{\"vms\": [$(vm alpha "$D, \"no-rng-seed\": \"sure\"")]}" no-rng-seed alpha
cfg duplicate-name "{\"vms\": [$A, $A]}" alpha
cfg two-stdio-consoles "{\"vms\": [$(vm alpha '"console": "stdio"'), $(vm beta '"console": "stdio"')]}" console stdio beta
cfg missing-kernel "{\"vms\": [$A, {\"name\": \"beta\", $D}]}" kernel beta
cfg kernel-not-found "{\"vms\": [$A, {\"name\": \"beta\", \"kernel\": \"$W/nonexistent.img\", $D}]}" nonexistent.img beta
cfg bad-size-mem "{\"vms\": [$(vm alpha '"mem": "12X", "console": "null"')]}" mem alpha 12X
cfg bad-size-machine-mem "{\"machine-mem\": \"lots\", \"vms\": [$A]}" machine-mem lots
cfg bad-console "{\"vms\": [$(vm alpha '"console": "tty:/dev/null"')]}" console alpha
cfg bad-on-reset "{\"vms\": [$(vm alpha "$D, \"on-reset\": \"explode\"")]}" on-reset alpha
cfg bad-weight "{\"vms\": [$(vm alpha "$D, \"weight\": 0")]}" weight alpha
cfg wrong-type-weight "{\"vms\": [$(vm alpha "$D, \"weight\": \"heavy\"")]}" weight alpha

timeout 20 "$TS" run --config "$W/no-such-config.json" >/dev/null 2>"$W/err" </dev/null
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'no-such-config.json' "$W/err"; then
    echo "PASS config-file-missing"
else
    echo "FAIL config-file-missing (exit $rc, want 1; stderr: $(head -c 200 "$W/err"))"
fi
printf '{"vms": [%s]}\n' "$A" >"$W/ok.json"
timeout 20 "$TS" run --config "$W/ok.json" --machine-mem 12X >/dev/null 2>"$W/err" </dev/null
rc=$?
if [ "$rc" -eq 1 ] && grep -q -- 'machine-mem' "$W/err" && grep -q '12X' "$W/err"; then
    echo "PASS flag-bad-machine-mem"
else
    echo "FAIL flag-bad-machine-mem (exit $rc, want 1; stderr: $(head -c 200 "$W/err"))"
fi

# --- tiny guests: consoles, lifecycle, pool; the control socket ----------------------------------
mkdir -p "$W/vms" "$W/ctl"
timeout 300 $PY tests/vmm/test_vms.py --tandem "$TS" --work "$W/vms" || echo "FAIL test_vms.py (exit $?)"
timeout 300 $PY tests/vmm/test_control.py --tandem "$TS" --work "$W/ctl" || echo "FAIL test_control.py (exit $?)"

# --- Debian's guest as several VMs ---------------------------------------------------------------
if [ ! -s "$K" ] || [ ! -s "$I" ] || [ "$I" -ot guest/rootfs/usr/bin/tandem-smoke ] || [ "$I" -ot guest/init ]; then
    if ! bash scripts/fetch-guest.sh >"$W/fetch.log" 2>&1; then
        echo "FAIL vmm-guest-assets (scripts/fetch-guest.sh failed)"
        tail -5 "$W/fetch.log"
        exit 0
    fi
fi
mkdir -p "$W/guest"
timeout 600 $PY tests/vmm/test_guest.py --tandem "$T" --work "$W/guest" --kernel "$K" --initrd "$I" ||
    echo "FAIL test_guest.py (exit $?)"
exit 0
