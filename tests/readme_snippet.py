#!/usr/bin/env python3
"""The README's code examples are the compiled examples: every block between
//[name and //] in the listed example files must appear verbatim as a
```cpp block of README.md."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
readme = (root / "README.md").read_text()
blocks = re.findall(r"```cpp\n(.*?)```", readme, re.S)
checked = 0
for example in [
    "examples/quickstart.cpp",
    "examples/data_api.cpp",
    "examples/bank_account/account.hpp",
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
