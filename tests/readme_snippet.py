#!/usr/bin/env python3
"""The README's C++ blocks are real code:
1. every block between //[name and //] in the listed example files (which
   the build compiles and the tests run) appears verbatim as a ```cpp block
   of README.md;
2. with a compiler given, every ```cpp block of README.md compiles on its
   own, as a stand-alone file holding only what the block shows (so a reader
   who copies one gets its #includes and using-declarations too).
Usage: readme_snippet.py SOURCE_DIR [CXX FLAGS...]"""
import concurrent.futures
import os
import pathlib
import re
import subprocess
import sys
import tempfile

root = pathlib.Path(sys.argv[1])
compiler = sys.argv[2:]
readme = (root / "README.md").read_text()
blocks = re.findall(r"```cpp\n(.*?)```", readme, re.S)
checked = 0
for example in [
    "examples/quickstart.cpp",
    "examples/data_api.cpp",
    "examples/bank_account/account.hpp",
    "examples/bank_account/follower.cpp",
]:
    text = (root / example).read_text()
    snippets = re.findall(r"^//\[(\w+)\n(.*?)^//\]\n", text, re.S | re.M)
    if not snippets:
        sys.exit(f"{example} has no //[name ... //] block")
    for name, snippet in snippets:
        if snippet not in blocks:
            sys.exit(f"README.md has no ```cpp block equal to {example}'s //[{name} block")
        checked += 1
print(f"readme snippets: {checked} blocks match their compiled examples")
if not compiler:
    sys.exit(0)


def first_line(block):
    return next((l for l in block.splitlines() if l.strip() and not l.startswith("#")), "")


def compile_block(i, block, work):
    src = pathlib.Path(work) / f"block{i}.cpp"
    src.write_text(block)
    cmd = compiler + ["-fsyntax-only", "-x", "c++", str(src)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    return i, r.returncode, r.stderr


with tempfile.TemporaryDirectory() as work:
    failed = 0
    jobs = max(1, min(2, os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for i, rc, err in pool.map(lambda a: compile_block(a[0], a[1], work), enumerate(blocks)):
            if rc != 0:
                failed += 1
                print(f"README.md ```cpp block {i + 1} ({first_line(blocks[i])!r}) does not "
                      f"compile on its own:\n{err[:4000]}", file=sys.stderr)
    if failed:
        sys.exit(f"{failed} of {len(blocks)} README blocks do not compile stand-alone")
print(f"readme snippets: all {len(blocks)} ```cpp blocks compile stand-alone")
