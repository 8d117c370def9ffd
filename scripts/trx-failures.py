#!/usr/bin/env python3
"""Prints one line per failed test in a .trx file: its name and the first line of its message,
ASCII only, so the end of a long CI log says what failed without anything reaching a terminal raw."""
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}

for result in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", NS):
    if result.get("outcome") != "Failed":
        continue
    message = result.find(".//t:Message", NS)
    text = (message.text or "").strip() if message is not None else ""
    first = text.splitlines()[0][:300] if text else ""
    line = f"{result.get('testName')}  ({first})"
    print("".join(c if 32 <= ord(c) < 127 else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}" for c in line))
