"""A driver that misbehaves on request, for testing the runtime's fault handling.

It speaks the real protocol through the real SDK; the content of a parse request says what
to do: "ok", "crash", "hang", "sleep <seconds>", "crash-unless <marker file>" (crash the first
time, creating the marker, then answer), "garbage" (write a non-JSON frame), "memory"
(allocate until the memory limit kills it), "nested" (a tree with an array in an array, which
the XPath view wraps in an element of its own: an irregular node table).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import attrs

from driver_runtime.sdk.protocol import Manifest, ParseRequest, ParseResult
from driver_runtime.sdk.serve import serve

MANIFEST = Manifest(name="faulty", language="faulty", version="0.0.1", extensions=[".faulty"],
                    command=["{python}", str(Path(__file__).resolve())])
# Arguments: [VERSION] [--fail-start] [--protocol=X.Y]; the version is what `info` reports and
# parses carry; the protocol, what it says it speaks (an older driver's).
VERSION = next((arg for arg in sys.argv[1:] if not arg.startswith("--")), MANIFEST.version)
PROTOCOL = next((arg.partition("=")[2] for arg in sys.argv[1:] if arg.startswith("--protocol=")),
                MANIFEST.protocol_version)


class FaultyDriver:
    manifest = attrs.evolve(MANIFEST, version=VERSION, protocol_version=PROTOCOL)

    def parse(self, request: ParseRequest) -> ParseResult:
        word, _, argument = request.content.strip().partition(" ")
        if word == "crash":
            os._exit(3)
        if word == "hang":
            while True:
                time.sleep(60)
        if word == "sleep":
            time.sleep(float(argument))
        if word == "crash-unless":
            marker = Path(argument)
            if not marker.exists():
                marker.write_text("crashed once")
                os._exit(4)
        if word == "garbage":
            sys.__stdout__.write("this is not JSON\n")
            sys.__stdout__.flush()
        if word == "memory":
            hog = []
            while True:
                hog.append(bytearray(50 * 1024 * 1024))
        tree = {"@type": "faulty:File", "@pos": {"start": 0, "end": len(request.content.encode())},
                "pid": os.getpid(), "version": VERSION}
        if word == "nested":
            tree["Items"] = [[{"@type": "faulty:Item", "@pos": {"start": 0, "end": 6}}]]
        return ParseResult(language="faulty", uast=tree)


if __name__ == "__main__":
    if os.environ.get("FAULTY_FAIL_START") or "--fail-start" in sys.argv:
        sys.exit("cannot start: FAULTY_FAIL_START is set")
    serve(FaultyDriver())
