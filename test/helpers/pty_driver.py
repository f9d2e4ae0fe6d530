#!/usr/bin/env python3
"""Runs a command on a real pseudo-terminal, for tests (see pty.ts; not named pty.py, which would shadow the pty module).

usage: pty_driver.py [--cols N] [--rows N] -- COMMAND [ARG...]

The command gets the pty as its controlling terminal (stdin, stdout and stderr, unless it
redirects them itself). Bytes read from our stdin are typed into the terminal (so "\\x03" is a
Ctrl-C, "\\r" is Enter); everything the terminal shows is copied to our stdout. When the command
and everything holding the terminal are gone, we exit with the command's exit code (128 + N
when killed by signal N). Only the standard library.
"""
import fcntl
import os
import pty
import select
import struct
import sys
import termios


def main() -> int:
    args = sys.argv[1:]
    cols, rows = 100, 30
    while args and args[0].startswith("--"):
        flag = args.pop(0)
        if flag == "--":
            break
        if flag == "--cols":
            cols = int(args.pop(0))
        elif flag == "--rows":
            rows = int(args.pop(0))
        else:
            sys.stderr.write(f"pty_driver.py: unknown option {flag}\n")
            return 2
    if not args:
        sys.stderr.write("pty_driver.py: no command\n")
        return 2

    pid, master = pty.fork()
    if pid == 0:
        # the child: set the size before exec so the command sees it at once
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        try:
            os.execvp(args[0], args)
        except OSError as err:
            os.write(2, f"pty_driver.py: cannot run {args[0]}: {err}\n".encode())
        os._exit(127)

    stdin_open = True
    while True:
        watch = [master] + ([0] if stdin_open else [])
        ready, _, _ = select.select(watch, [], [])
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every holder of the terminal is gone
                data = b""
            if not data:
                break
            view = memoryview(data)
            while view:
                view = view[os.write(1, view):]
        if stdin_open and 0 in ready:
            data = os.read(0, 65536)
            if not data:
                stdin_open = False
            else:
                os.write(master, data)

    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(main())
