#!/usr/bin/env python3
"""The README's code example is the compiled example: the text between
//[readme and //] in examples/quickstart.cpp must appear verbatim in a
```cpp block of README.md."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
example = (root / "examples/quickstart.cpp").read_text()
m = re.search(r"^//\[readme\n(.*?)^//\]\n", example, re.S | re.M)
if not m:
    sys.exit("examples/quickstart.cpp has no //[readme ... //] block")
snippet = m.group(1)
readme = (root / "README.md").read_text()
blocks = re.findall(r"```cpp\n(.*?)```", readme, re.S)
if snippet not in blocks:
    sys.exit("README.md has no ```cpp block equal to the example's //[readme block")
print("readme snippet: matches examples/quickstart.cpp (%d lines)" % snippet.count("\n"))
