#!/usr/bin/python3
"""The README's install path as one bash script: every fenced block right after a marker comment,
in the README's order, and nothing else.

    <!-- readme-test: run -->            the next fenced block is shell, run as it stands
    <!-- readme-test: file PATH -->      the next fenced block is the content of PATH (relative to the
                                         directory the commands before it left), written as it stands;
                                         PATH must be named in the prose just above the marker, so the
                                         reader is told where the file goes

Usage: readme-blocks.py docs/getting-started.md > steps.sh   (sourced by readme-run.sh, which defines readme_block)
A marker not followed by a fenced block, an unknown marker, or a file path the prose does not name is
an error (exit 2): the test must never run less than the README shows. So is `&&` or `||` in a run
block: bash's errexit does not stop at a failure on the left of one (nor at a loop that ends with
one), so a wrong command there would pass unseen; the README writes one command per line instead.
"""
import re
import shlex
import sys

MARKER = re.compile(r"^<!-- readme-test: (run|file (\S+)) -->$")
FENCE = re.compile(r"^(```+)\s*([\w-]*)\s*$")


def fail(path, line, message):
    print(f"readme-blocks: {path}:{line}: {message}", file=sys.stderr)
    sys.exit(2)


def blocks(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    prose_start = 0  # first line after the previous fenced block: the prose a file marker must name its path in
    i = 0
    while i < len(lines):
        text = lines[i]
        if FENCE.match(text) and not text.startswith("<!--"):
            fence = FENCE.match(text).group(1)
            i += 1
            while i < len(lines) and lines[i].rstrip() != fence:
                i += 1
            prose_start = i + 1
        elif text.startswith("<!-- readme-test"):
            marker = MARKER.match(text)
            if not marker:
                fail(path, i + 1, f"unknown marker {text!r}")
            target = marker.group(2)
            if target is not None and target not in "\n".join(lines[prose_start:i]):
                fail(path, i + 1, f"the prose above this block does not name {target}")
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            opening = FENCE.match(lines[j]) if j < len(lines) else None
            if not opening:
                fail(path, i + 1, "marker not followed by a fenced block")
            end = j + 1
            while end < len(lines) and lines[end].rstrip() != opening.group(1):
                end += 1
            if end == len(lines):
                fail(path, j + 1, "fenced block never closed")
            body = lines[j + 1:end]
            if target is None:
                for k, line in enumerate(body):
                    if re.search(r"&&|\|\|", line):
                        fail(path, j + 2 + k, "&& or || in a run block: errexit would not see a failure before it; one command per line")
            yield ("file" if target else "run", target, j + 2, body)
            i = end
            prose_start = end + 1
        i += 1


def main():
    path = sys.argv[1]
    out = ["# Generated from %s by tests/systemd/readme-blocks.py; do not edit." % path]
    found = list(blocks(path))
    if not found:
        fail(path, 0, "no block marked <!-- readme-test: ... -->")
    for n, (kind, target, first_line, body) in enumerate(found, 1):
        # readme_block N README_LINE SCRIPT_LINE KIND: the runner maps a failing line back to the README.
        out.append(f"readme_block {n} {first_line} {len(out) + 2} {kind}")
        if kind == "run":
            out.extend(body)
        else:
            delimiter = "README_TEST_EOF"
            if any(line == delimiter for line in body):
                fail(path, first_line, f"the block contains the line {delimiter}")
            out.append(f"cat > {shlex.quote(target)} <<'{delimiter}'")
            out.extend(body)
            out.append(delimiter)
    out.append("readme_done %d" % len(found))
    print("\n".join(out))


if __name__ == "__main__":
    main()
