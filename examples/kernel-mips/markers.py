#!/usr/bin/env python3
"""Splits the kernel's program-output stream (COM1) at its markers.

The kernel brackets each command's output with "\\x1ekmips:begin N FREE\\n" and
"\\x1ekmips:end N STATUS FREE\\n" (STATUS: the Linux wait status), "\\x1ekmips:execfail N ERRNO\\n"
when exec failed, and ends with "\\x1ekmips:done FREEPAGES\\n".

    markers.py OUT        prints the first command's output, exits with its status
                          (code, 128+signal, 127 exec failed, 125 no end marker)
    parse(bytes)          [(output bytes, wait status or None, exec errno or None)], done
"""
import re
import sys

MARK = re.compile(rb"\x1ekmips:(begin|end|execfail|done|panic)(?: (\d+))?(?: (\d+))?(?: (\d+))?\n")


def parse(data):
    results, cur, done = [], None, None
    pos = 0
    for m in MARK.finditer(data):
        if cur is not None:
            cur[0] += data[pos:m.start()]
        kind = m.group(1).decode()
        if kind == "begin":
            cur = [b"", None, None]
        elif kind in ("end", "execfail") and cur is not None:
            if kind == "end":
                cur[1] = int(m.group(3))
            else:
                cur[2] = int(m.group(3))
            results.append(tuple(cur))
            cur = None
        elif kind == "done":
            done = int(m.group(2))
        pos = m.end()
    if cur is not None:
        cur[0] += data[pos:]
        results.append(tuple(cur))
    return results, done


def exit_code(status):
    if status is None:
        return 125
    if status & 0x7F:
        return 128 + (status & 0x7F)
    return (status >> 8) & 0xFF


def main():
    data = open(sys.argv[1], "rb").read()
    results, _ = parse(data)
    if not results:
        sys.exit(125)
    out, status, errno = results[0]
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    if errno is not None:
        sys.exit(127)
    sys.exit(exit_code(status))


if __name__ == "__main__":
    main()
