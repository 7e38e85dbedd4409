"""Runs a command in a pseudo-terminal and plays a user at it, for tests of interactive sessions.

usage: pty-session.py STEPS.json COMMAND [ARG...]
Each step is one of: {"expect": regex} (wait for it in the output, 60 s at most), {"send": text},
{"send": text, "until": regex} (send it again each second until the regex shows, 60 s at most),
{"resize": [cols, rows]}, {"snapshot": name} (the terminal's termios flags at that moment). The terminal starts at 120x40.
Prints one JSON object: ok, failed_step, transcript, snapshots ({name: {iflag, oflag, lflag}}), exit_code.
"""
import fcntl
import json
import os
import pty
import re
import select
import struct
import sys
import termios
import time


def set_size(fd, cols, rows):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    steps = json.load(open(sys.argv[1]))
    pid, master = pty.fork()
    if pid == 0:
        set_size(0, 120, 40)
        os.execvp(sys.argv[2], sys.argv[2:])

    transcript = b""
    snapshots = {}
    failed = None

    def read_for(seconds):
        nonlocal transcript
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], max(0, end - time.monotonic()))
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            transcript += chunk
            return True
        return True

    seen = 0

    def wait_for(regex, seconds, resend=None):
        nonlocal seen
        pattern = re.compile(regex.encode())
        deadline = time.monotonic() + seconds
        next_send = 0
        while True:
            if resend is not None and time.monotonic() >= next_send:
                os.write(master, resend)
                next_send = time.monotonic() + 1
            match = pattern.search(transcript, seen)
            if match:
                seen = match.end()
                return True
            if time.monotonic() > deadline or not read_for(0.2):
                return False

    for index, step in enumerate(steps):
        if "expect" in step:
            if not wait_for(step["expect"], 60):
                failed = index
                break
        elif "until" in step:
            if not wait_for(step["until"], 60, step["send"].encode()):
                failed = index
                break
        elif "send" in step:
            os.write(master, step["send"].encode())
        elif "resize" in step:
            set_size(master, *step["resize"])
        elif "snapshot" in step:
            iflag, oflag, _, lflag, _, _, _ = termios.tcgetattr(master)
            snapshots[step["snapshot"]] = {"iflag": iflag, "oflag": oflag, "lflag": lflag}

    if failed is not None:
        os.kill(pid, 9)
    end = time.monotonic() + 30
    while time.monotonic() < end and read_for(1):
        pass
    reaped, status = os.waitpid(pid, os.WNOHANG)
    if reaped == 0:
        os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
    print(json.dumps({
        "ok": failed is None,
        "failed_step": failed,
        "transcript": transcript.decode("utf-8", "replace"),
        "snapshots": snapshots,
        "exit_code": os.waitstatus_to_exitcode(status),
        "echo": termios.ECHO,
        "icanon": termios.ICANON,
        "isig": termios.ISIG,
    }))


main()
