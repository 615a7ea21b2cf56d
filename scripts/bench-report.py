#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Table, JSON and plot of one `make bench` run (scripts/bench.sh).

Usage: bench-report.py DIR

DIR holds one subdirectory per mode (icount, wall, native), each with the
JSON the benchmark programs wrote: access.json (bench/access_bench),
ide.json (bench/ide_bench), hpet.json (demo/hpet_demo -j), ipi.json
(demo/mpic_demo -j).  Writes DIR/table.txt (also printed), DIR/results.json
(everything, plus the derived breakdown and the targets) and DIR/bench.png
(gnuplot).  Exits 1 if a benchmark's results are missing; a missed target
is reported (MISSED), not an error.
"""
import json
import os
import shutil
import subprocess
import sys

OPS = [("pio_read", "PIO read"), ("pio_write", "PIO write"),
       ("mmio_read", "MMIO read"), ("mmio_write", "MMIO write")]
# The KVM in-kernel path each op is compared with: path (c) of the table.
KVM_REF = {"pio_read": "KVM PIC 0x21", "pio_write": "KVM ioeventfd",
           "mmio_read": "KVM IOAPIC", "mmio_write": "KVM ioeventfd"}
CLASS_TAG = {"accel": "(a)", "device": "(b)", "kvm": "(c)",
             "userspace": "(d)", "breakdown": "(x)"}
UNIT = {"icount": "instructions", "wall": "ns (TCG)", "native": "ns"}
TARGET_RATIO = 1.05
IDE_MAX_EXITS = {"read": 2, "write": 3}


def load(path):
    """A benchmark's JSON, skipping what the KVM selftests library prints first."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    start = text.find("{")
    if start < 0:
        return None
    try:
        return json.loads(text[start:])
    except json.JSONDecodeError as e:
        print(f"bench-report: {path}: {e}", file=sys.stderr)
        return None


def find(rows, op, name):
    for r in rows:
        if r["op"] == op and r["name"] == name:
            return r
    return None


def ratio(x, ref):
    return x / ref if ref else float("nan")


def access_table(modes, out):
    """Cost per access, one block per op, one cost column group per mode."""
    names = [m for m in modes if modes[m].get("access")]
    if not names:
        return
    out.append("Cost per access (same guest loop for every row; the loop over guest RAM")
    out.append("subtracted).  Ratios: to (c) KVM's in-kernel path, marked '*', and to (d).")
    out.append("  " + ", ".join(f"{m}: {UNIT.get(m, '?')}" for m in names))
    head = f"{'':35}" + "".join(
        f" | {m + ' cost':>13} {'x(c)':>6} {'x(d)':>6} {'exits':>6}" for m in names)
    for op, title in OPS:
        out.append("")
        out.append(f"{title:35}" + head[35:])
        order = ["accel", "device", "kvm", "userspace", "breakdown"]
        rows = [r for c in order for r in modes[names[0]]["access"]["rows"]
                if r["op"] == op and r["class"] == c]
        for r in rows:
            mark = "*" if r["name"] == KVM_REF[op] else " "
            line = f"{CLASS_TAG[r['class']]} {r['name'][:29]:29}{mark} "
            for m in names:
                rows_m = modes[m]["access"]["rows"]
                rm = find(rows_m, op, r["name"])
                ref = find(rows_m, op, KVM_REF[op])
                user = find(rows_m, op, "userspace exit")
                if not rm:
                    line += f" | {'-':>13} {'':6} {'':6} {'':6}"
                    continue
                line += (f" | {rm['cost']:13.1f} {ratio(rm['cost'], ref and ref['cost']):6.3f}"
                         f" {ratio(rm['cost'], user and user['cost']):6.3f} {rm['exits']:6d}")
            out.append(line)


def breakdown(rows):
    """What kvm_accel adds over KVM's path, per op, from the (x) rows."""
    res = {}
    for op, _ in OPS:
        get = lambda n: (find(rows, op, n) or {}).get("cost")
        ref, io, disp, empty, mini, p64, p256 = (
            get(KVM_REF[op]), get("stage: io device only"),
            get("stage: dispatch, no program"), get("empty program"),
            get("kvm-accel minimal"), get("minimal + 64 insns"),
            get("minimal + 256 insns"))
        if None in (ref, io, disp, empty, mini):
            continue
        res[op] = {
            "kvm_path": ref,
            "exit_decode_bus_lookup": io,
            "kvm_device_body": ref - io,
            "kvm_accel_dispatch": disp - io,
            "struct_ops_call": empty - disp,
            "program_body": mini - empty,
            "per_bpf_insn": (p256 - p64) / 192 if p64 and p256 else None,
            "accel": mini,
            "over_kvm": mini - ref,
            "ratio": mini / ref,
        }
    return res


def breakdown_table(bd, mode, out):
    if not bd:
        return
    out.append("")
    out.append(f"Dispatch overhead ({mode}, {UNIT.get(mode, '?')} per access): kvm-accel minimal")
    out.append("against KVM's in-kernel path, by difference between the (x) rows.")
    cols = [op for op, _ in OPS if op in bd]
    out.append(f"{'':48}" + "".join(f"{t:>12}" for o, t in OPS if o in bd))
    lines = [
        ("KVM in-kernel path (c)", "kvm_path"),
        ("  exit, decode, bus lookup, io device call", "exit_decode_bus_lookup"),
        ("  KVM's device itself", "kvm_device_body"),
        ("kvm-accel: exit, decode, bus lookup (stage 1)", "exit_decode_bus_lookup"),
        ("  + dispatch: checks, binding, ctx, counters", "kvm_accel_dispatch"),
        ("  + struct_ops call: trampoline, JIT frame", "struct_ops_call"),
        ("  + program body (demo/minimal.bpf.c)", "program_body"),
        ("  = kvm-accel minimal (a)", "accel"),
        ("(a) - (c)", "over_kvm"),
        ("(a) / (c)", "ratio"),
        ("one more BPF instruction (pad 64 -> 256)", "per_bpf_insn"),
    ]
    for label, key in lines:
        vals = "".join(
            f"{bd[op][key]:12.3f}" if key in ("ratio", "per_bpf_insn") and bd[op][key] is not None
            else f"{bd[op][key]:12.1f}" if bd[op][key] is not None else f"{'-':>12}"
            for op in cols)
        out.append(f"{label:48}{vals}")


def workload_tables(modes, out):
    for m, d in modes.items():
        unit = "ms of the test VM's clock" if m != "icount" else "M instructions"
        scale = 1e6
        ide = d.get("ide")
        if ide:
            out.append("")
            out.append(f"IDE, 1 MiB by PIO ({m}): exits to the VMM (most in one command), {unit}")
            keys = ["userspace", "accel", "accel_doorbell"]
            out.append(f"{'workload':42}" + "".join(f"{k:>26}" for k in keys))
            for w in ide["workloads"]:
                line = f"{w['name'][:41]:42}"
                for k in keys:
                    s = w.get(k)
                    line += (f"{s['exits']:>9} ({s['max_exits_per_command']:>5}) {s['ns'] / scale:9.1f}"
                             if s else f"{'-':>26}")
                out.append(line)
        hpet = d.get("hpet")
        if hpet:
            out.append("")
            out.append(f"HPET main counter reads ({m}): {hpet['reads']} reads in a loop")
            out.append(f"{'path':16}{'read exits':>12}{'ns/read':>10}{'reads/s':>12}")
            for r in hpet["rows"]:
                out.append(f"{r['path']:16}{r['read_exits']:>12}{r['ns_per_read']:>10.0f}"
                           f"{r['reads_per_s']:>12.0f}")
        ipi = d.get("ipi")
        if ipi:
            out.append("")
            out.append(f"MPIC IPI ping-pong ({m}): {ipi['rounds']} round trips, 2 vCPUs")
            out.append(f"{'path':12}{'MPIC accesses':>14}{'exits':>8}{'dispatch exits':>16}"
                       f"{'ns/round trip':>15}")
            for r in ipi["rows"]:
                out.append(f"{r['path']:12}{r['accesses']:>14}{r['exits']:>8}"
                           f"{r['dispatch_exits']:>16}{r['ns_per_round_trip']:>15.0f}")


def targets(modes, bd):
    """(name, value, pass) for each target of the issue."""
    res = []
    ratio_mode = "icount" if "icount" in bd else next(iter(bd), None)
    if ratio_mode:
        for op, title in OPS:
            b = bd[ratio_mode].get(op)
            if b:
                res.append((f"{title}: accel within {TARGET_RATIO}x of KVM ({ratio_mode})",
                            f"{b['ratio']:.3f}x", b["ratio"] <= TARGET_RATIO))
    for m, d in modes.items():
        ide = d.get("ide")
        if ide:
            for w in ide["workloads"]:
                for k in ("accel", "accel_doorbell"):
                    s = w.get(k)
                    if s:
                        lim = IDE_MAX_EXITS[w["dir"]]
                        res.append((f"IDE {w['name']}, {k} ({m}): <= {lim} exits per command",
                                    str(s["max_exits_per_command"]),
                                    s["max_exits_per_command"] <= lim))
        hpet = d.get("hpet")
        if hpet:
            for r in hpet["rows"]:
                if r["path"] == "accel":
                    res.append((f"HPET counter reads, accel ({m}): 0 exits",
                                str(r["read_exits"]), r["read_exits"] == 0))
        ipi = d.get("ipi")
        if ipi:
            for r in ipi["rows"]:
                if r["path"] == "kvm-accel":
                    res.append((f"IPI dispatch, accel ({m}): 0 exits",
                                str(r["dispatch_exits"]), r["dispatch_exits"] == 0))
    return res


def plot(outdir, modes):
    """bench.png: cost per access of paths (a)-(d) per op, one panel a mode."""
    gnuplot = shutil.which("gnuplot")
    names = [m for m in modes if modes[m].get("access")]
    if not gnuplot or not names:
        print("bench-report: no gnuplot (scripts/setup.sh installs gnuplot-nox): no plot",
              file=sys.stderr)
        return False
    script = [
        "set terminal pngcairo size %d,560 font 'sans,10'" % (640 * len(names)),
        f"set output '{os.path.join(outdir, 'bench.png')}'",
        f"set multiplot layout 1,{len(names)} title 'kvm-accel: cost per guest access'",
        "set style data histograms", "set style histogram clustered gap 1",
        "set style fill solid 0.85 border -1", "set logscale y", "set grid ytics",
        "set key below", "set xtics nomirror", "set yrange [100:*]",
    ]
    for m in names:
        rows = modes[m]["access"]["rows"]
        path = os.path.join(outdir, f"plot-{m}.dat")
        with open(path, "w") as f:
            f.write("# op accel device kvm userspace\n")
            for op, title in OPS:
                dev = [r["cost"] for r in rows if r["op"] == op and r["class"] == "device"]
                vals = [(find(rows, op, "kvm-accel minimal") or {}).get("cost"),
                        min(dev) if dev else None,
                        (find(rows, op, KVM_REF[op]) or {}).get("cost"),
                        (find(rows, op, "userspace exit") or {}).get("cost")]
                f.write('"%s" %s\n' % (title, " ".join(
                    "%.1f" % v if v else "NaN" for v in vals)))
        script += [
            f"set title '{m} mode'", f"set ylabel '{UNIT.get(m, '?')} per access'",
            f"plot '{path}' using 2:xtic(1) title '(a) kvm-accel minimal', "
            "'' using 3 title '(b) device fast path (cheapest)', "
            "'' using 4 title '(c) KVM in-kernel device', "
            "'' using 5 title '(d) exit to userspace'",
        ]
    script.append("unset multiplot")
    r = subprocess.run([gnuplot], input="\n".join(script) + "\n", text=True,
                       capture_output=True)
    if r.returncode:
        print(f"bench-report: gnuplot failed: {r.stderr}", file=sys.stderr)
        return False
    return True


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    outdir = sys.argv[1]
    modes = {}
    missing = []
    for m in ("icount", "wall", "native"):
        d = os.path.join(outdir, m)
        if not os.path.isdir(d):
            continue
        modes[m] = {b: load(os.path.join(d, b + ".json"))
                    for b in ("access", "ide", "hpet", "ipi")}
        missing += [f"{m}/{b}.json" for b, v in modes[m].items() if v is None]
    if not modes:
        print(f"bench-report: no results under {outdir}", file=sys.stderr)
        return 1

    out = []
    access_table(modes, out)
    bd = {m: breakdown(d["access"]["rows"]) for m, d in modes.items() if d.get("access")}
    # Under TCG the wall clock moves by more than these differences.
    for m in bd:
        if m != "wall":
            breakdown_table(bd[m], m, out)
    workload_tables(modes, out)
    tg = targets(modes, bd)
    out.append("")
    out.append("Targets")
    for name, val, ok in tg:
        out.append(f"  {'met   ' if ok else 'MISSED'} {name}: {val}")
    for f in missing:
        out.append(f"  MISSING {f} (the benchmark failed: see its mode's bench.txt)")
    text = "\n".join(out) + "\n"
    print(text, end="")
    with open(os.path.join(outdir, "table.txt"), "w") as f:
        f.write(text)
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump({"modes": modes, "breakdown": bd,
                   "targets": [{"target": n, "value": v, "met": ok} for n, v, ok in tg],
                   "missing": missing}, f, indent=1)
    plotted = plot(outdir, modes)
    print(f"bench-report: {outdir}/table.txt, results.json"
          f"{', bench.png' if plotted else ''}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
