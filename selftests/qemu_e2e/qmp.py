#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Drive the lifecycle run of qemu_e2e_test.sh: QEMU's QMP socket, the
guest's console and its control serial port (ttyS1 in the guest).

  qmp.py wait-for FILE TEXT SECONDS   until a line of FILE starts with TEXT
  qmp.py cmd SOCKET COMMAND [JSON]    run a QMP command, print its return
  qmp.py migrate SOCKET URI SECONDS   migrate, wait until it completed
  qmp.py wait-running SOCKET SECONDS  until the VM runs (after -incoming)
  qmp.py send SOCKET TEXT             write TEXT and a newline to a chardev
  qmp.py stop-window FILE TEXT QMP CTL MS SECONDS
                                      once a line of FILE starts with TEXT,
                                      stop the VM for MS ms, continue it, and
                                      write "go N" to CTL: N ms from seeing
                                      TEXT to writing the line, which the
                                      guest judges its clock against

Waiting is for events the guest or QEMU announce (a console line, a socket
that appears), bounded by a timeout; exit status 1 on a timeout, a QMP
error or a failed migration.
"""
import json
import os
import socket
import sys
import time


def connect(path, timeout=30.0):
    end = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > end:
                raise
            time.sleep(0.05)


class QMP:
    def __init__(self, path):
        self.sock = connect(path)
        self.file = self.sock.makefile("rw")
        self.recv()                       # the greeting
        self.cmd("qmp_capabilities")

    def recv(self):
        while True:
            msg = json.loads(self.file.readline())
            if "event" not in msg:
                return msg

    def cmd(self, name, args=None):
        req = {"execute": name}
        if args:
            req["arguments"] = args
        self.file.write(json.dumps(req) + "\n")
        self.file.flush()
        msg = self.recv()
        if "error" in msg:
            raise RuntimeError(f"{name}: {msg['error']['desc']}")
        return msg["return"]


def wait_for(path, text, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(path, errors="replace") as f:
                if any(line.lstrip("\r").startswith(text) for line in f):
                    return 0
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    print(f"qmp.py: no line '{text}' in {path} after {timeout} s", file=sys.stderr)
    return 1


def migrate(path, uri, timeout):
    q = QMP(path)
    q.cmd("migrate", {"uri": uri})
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        st = q.cmd("query-migrate")
        if st.get("status") == "completed":
            print(f"migration completed: {st.get('total-time')} ms, "
                  f"downtime {st.get('downtime')} ms")
            return 0
        if st.get("status") in ("failed", "cancelled"):
            print(f"qmp.py: migration {st.get('status')}: {st.get('error-desc')}",
                  file=sys.stderr)
            return 1
        time.sleep(0.1)
    print(f"qmp.py: migration not done after {timeout} s", file=sys.stderr)
    return 1


def wait_running(path, timeout):
    q = QMP(path)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if q.cmd("query-status").get("running"):
            return 0
        time.sleep(0.1)
    print(f"qmp.py: the VM is not running after {timeout} s", file=sys.stderr)
    return 1


def stop_window(path, text, qmp, ctl, stop_ms, timeout):
    # One process for the whole window: starting more would add time the
    # guest runs through and the host does not measure.
    if wait_for(path, text, timeout):
        return 1
    t0 = time.monotonic()
    q = QMP(qmp)
    with connect(ctl) as s:
        q.cmd("stop")
        time.sleep(stop_ms / 1000)
        q.cmd("cont")
        window = int((time.monotonic() - t0) * 1000)
        s.sendall(f"go {window}\n".encode())
    return 0


def main(argv):
    op = argv[1] if len(argv) > 1 else ""
    if op == "wait-for" and len(argv) == 5:
        return wait_for(argv[2], argv[3], float(argv[4]))
    if op == "cmd" and len(argv) in (4, 5):
        ret = QMP(argv[2]).cmd(argv[3], json.loads(argv[4]) if len(argv) == 5 else None)
        print(json.dumps(ret))
        return 0
    if op == "migrate" and len(argv) == 5:
        return migrate(argv[2], argv[3], float(argv[4]))
    if op == "wait-running" and len(argv) == 4:
        return wait_running(argv[2], float(argv[3]))
    if op == "stop-window" and len(argv) == 8:
        return stop_window(argv[2], argv[3], argv[4], argv[5], int(argv[6]),
                           float(argv[7]))
    if op == "send" and len(argv) == 4:
        with connect(argv[2]) as s:
            s.sendall(argv[3].encode() + b"\n")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (OSError, RuntimeError, ValueError) as e:
        print(f"qmp.py: {e}", file=sys.stderr)
        sys.exit(1)
