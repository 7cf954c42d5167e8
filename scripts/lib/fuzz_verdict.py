"""Reads schemathesis' JUnit report and decides the fuzzing pass (scripts/fuzz.sh).

Prints every failure and error in full, so that a CI log says what went wrong rather than only
"Runtime Error: 1". A failed check (a 5xx, an answer that does not match the document) fails the
pass, and so does every error that concerns OneStop: the network, an unresponsive operation, a
schema error in /openapi.json. An error schemathesis classifies as its own "Runtime Error" (an
exception inside its generator, with no request behind it) is printed as a warning and does not
fail the pass: it says nothing about OneStop's answers.
Usage: python3 fuzz_verdict.py REPORT_DIR
"""

import pathlib
import sys
import xml.etree.ElementTree as ET

reports = sorted(pathlib.Path(sys.argv[1]).glob("junit-*.xml"), key=lambda p: p.stat().st_mtime)
if not reports:
    print("fuzz verdict: no JUnit report was written")
    sys.exit(1)
root = ET.parse(reports[-1]).getroot()
fatal, internal = 0, 0
for case in root.iter("testcase"):
    for kind in ("failure", "error"):
        for node in case.findall(kind):
            text = (node.get("message") or "") + "\n" + (node.text or "")
            first = text.strip().splitlines()[0] if text.strip() else ""
            own = kind == "error" and first.startswith("Runtime Error") and "requests." not in text
            if own:
                internal += 1
            else:
                fatal += 1
            label = "schemathesis' own error (not counted)" if own else kind
            print(f"--- {label}: {case.get('name')}\n{text.strip()}\n")
print(f"fuzz verdict: {fatal} failure(s) or error(s) from OneStop, {internal} internal to schemathesis")
sys.exit(1 if fatal else 0)
