#!/usr/bin/env python3
"""Functions sized to what they do: every function in src/ has at most 80
lines (from the line of its opening brace to its closing one), or says why
not in a comment `// long: <reason>` on one of the three lines before it.

    function_length.py SOURCE_DIR [--limit N] [--list]

--list prints every function over the limit, with its reason if it has one.
A function is a brace block at namespace or class level whose head has a
parameter list; lambdas and nested blocks count toward the function they are
in. Comments, strings and character literals are skipped.
"""
import os
import re
import sys

HEAD_NOT_FUNCTION = re.compile(r'^\s*(namespace|class|struct|union|enum|extern)\b|=\s*$')
# Preprocessor lines (with their continuations): `#if defined(X)` is no function head.
PREPROCESSOR = re.compile(r'^[ \t]*#(?:[^\n]*\\\n)*[^\n]*', re.M)


def strip(text):
    """Comments, strings and character literals blanked, newlines kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(''.join(ch if ch == '\n' else ' ' for ch in text[i:j]))
            i = j
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(')' + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(''.join(ch if ch == '\n' else ' ' for ch in text[i:j]))
            i = j
        elif c in '"\'':
            if c == "'" and i > 0 and (text[i - 1].isalnum()):  # digit separator 1'000
                out.append(' ')
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(' ' * (j + 1 - i))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def functions(text):
    """(name line, first line, last line) of every function body."""
    s = PREPROCESSOR.sub(lambda m: re.sub(r'[^\n]', ' ', m.group(0)), strip(text))
    stack = []  # for each open brace: 'scope', 'function' or 'block'
    start_of_head = 0
    found = []
    line = 1
    for i, c in enumerate(s):
        if c == '\n':
            line += 1
        elif c == '{':
            head = s[start_of_head:i]
            inside_function = any(kind[0] == 'function' for kind in stack)
            if inside_function:
                stack.append(('block', line))
            elif '(' in head and not HEAD_NOT_FUNCTION.search(head.strip()):
                stack.append(('function', line))
            else:
                stack.append(('scope', line))
            start_of_head = i + 1
        elif c == '}':
            if stack:
                kind, first = stack.pop()
                if kind == 'function':
                    found.append((first, line))
            start_of_head = i + 1
        elif c == ';' and not any(kind[0] == 'function' for kind in stack):
            start_of_head = i + 1
    return found


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '.')
    limit = 80
    if '--limit' in sys.argv:
        limit = int(sys.argv[sys.argv.index('--limit') + 1])
    long_ones, excused = [], []
    for d, _, names in os.walk(os.path.join(root, 'src')):
        for name in sorted(names):
            if not name.endswith(('.cpp', '.hpp')):
                continue
            path = os.path.join(d, name)
            text = open(path, encoding='utf-8').read()
            lines = text.split('\n')
            for first, last in functions(text):
                size = last - first + 1
                if size <= limit:
                    continue
                rel = os.path.relpath(path, root)
                before = lines[max(0, first - 4):first]
                reason = next((l.split('// long:', 1)[1].strip() for l in before if '// long:' in l), None)
                (excused if reason else long_ones).append((rel, first, size, reason))
    if '--list' in sys.argv:
        for rel, first, size, reason in sorted(excused + long_ones, key=lambda r: -r[2]):
            print(f'{rel}:{first}: {size} lines' + (f' (long: {reason})' if reason else ''))
    for rel, first, size, _ in long_ones:
        print(f'function_length: {rel}:{first}: a function of {size} lines (limit {limit}); '
              f'split it into named steps, or say why not with "// long: <reason>" just above it')
    if long_ones:
        return 1
    print(f'function_length: every function in src/ has at most {limit} lines '
          f'({len(excused)} longer with a reason written next to them)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
