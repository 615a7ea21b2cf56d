#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare or show the logs of ka_probe.ko (struct probe_rec, 16 bytes:
what, step, value, little-endian) that qemu_diff_test.sh saved.  Records
are compared by what and value; the step only helps the reader.

  probe_diff.py A B       first line "identical", or how many records
                          differ; then the first differences, decoded
  probe_diff.py --show A  every record, decoded
"""
import struct
import sys

DEVS = {1: "pm", 2: "hpet", 3: "ide", 4: "bm", 5: "note"}
OPS = {1: "r", 2: "s", 3: "rel", 4: "data", 5: "mark"}
SHOWN = 12


def records(path):
    with open(path, "rb") as f:
        data = f.read()
    return [struct.unpack_from("<IIQ", data, i)
            for i in range(0, len(data) - len(data) % 16, 16)]


def decode(rec):
    what, step, val = rec
    dev = DEVS.get(what >> 28, "?%d" % (what >> 28))
    op = OPS.get((what >> 24) & 0xf, "?%d" % ((what >> 24) & 0xf))
    return "%s %s w%d 0x%x = 0x%x" % (dev, op, (what >> 20) & 0xf,
                                       what & 0xfffff, val)


def context(recs, i):
    """The phase the record belongs to: the latest mark before it."""
    for j in range(i, -1, -1):
        what, _, val = recs[j]
        if what >> 28 == 5:
            return "phase 0x%x" % val
    return "no phase"


def main(argv):
    if len(argv) == 3 and argv[1] == "--show":
        for i, rec in enumerate(records(argv[2])):
            print("%6d step %7d: %s" % (i, rec[1], decode(rec)))
        return 0
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        a, b = records(argv[1]), records(argv[2])
    except OSError as e:
        print("no log: %s" % e)
        return 1
    # The step count is not compared: it includes the polls of a busy
    # drive, whose number depends on time.
    diff = [i for i in range(min(len(a), len(b)))
            if (a[i][0], a[i][2]) != (b[i][0], b[i][2])]
    if not diff and len(a) == len(b):
        print("identical")
        return 0
    print("%d of %d records differ, %d and %d records" %
          (len(diff), max(len(a), len(b)), len(a), len(b)))
    for i in diff[:SHOWN]:
        print("record %d (%s, step %d): %s | %s" %
              (i, context(a, i), a[i][1], decode(a[i]), decode(b[i])))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
