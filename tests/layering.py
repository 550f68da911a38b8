#!/usr/bin/env python3
"""The layering test: every #include in include/ and src/ points down.

    layering.py SOURCE_DIR             check the tree; exit 1 naming each violation
    layering.py SOURCE_DIR --self-test also prove the check fails on an upward
                                       include and on a reach into another
                                       layer's detail/ (in a temporary copy)

The one table of layers, lowest first, is DDB_LAYERS in cmake/layers.cmake
(CMakeLists.txt builds one library per entry from it). A file's layer is the
folder it is in: include/ddb/<layer>/..., src/<layer>/..., or the umbrella
include/ddb/<layer>.hpp. Rules (docs/architecture.md):
  1. a layer includes only its own layer and the layers below it;
  2. a `detail/` folder is private to its layer;
  3. a src/ header is private to its layer, except src/core/ (the internal
     utilities every layer shares: env, sha256, crc32);
  4. a public header never includes a src/ header;
  5. the forwarding headers at old paths (include/ddb/<name>.hpp that is no
     layer's umbrella, include/ddb/detail/) are for users: ddb's own files
     include the new paths.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def layers_of(root):
    text = open(os.path.join(root, 'cmake', 'layers.cmake')).read()
    m = re.search(r'set\(DDB_LAYERS\s+([^)]*)\)', text)
    if not m:
        sys.exit('layering: no set(DDB_LAYERS ...) in cmake/layers.cmake')
    return m.group(1).split()


def classify(rel, layers):
    """The layer of a repository-relative path, 'forwarding', 'all' or None."""
    parts = rel.split('/')
    if parts[0] == 'include' and len(parts) >= 3 and parts[1] == 'ddb':
        if len(parts) == 3:
            name = parts[2][:-4] if parts[2].endswith('.hpp') else parts[2]
            if name in layers:
                return name
            return 'all' if name == 'ddb' else 'forwarding'
        if parts[2] in layers:
            return parts[2]
        if parts[2] == 'detail':
            return 'forwarding'
        return None
    if parts[0] == 'src' and len(parts) >= 3 and parts[1] in layers:
        return parts[1]
    return None


def check(root):
    layers = layers_of(root)
    rank = {name: i for i, name in enumerate(layers)}
    errors = []
    files = []
    for top in ('include', 'src'):
        for d, _, names in os.walk(os.path.join(root, top)):
            files += [os.path.join(d, n) for n in names if n.endswith(('.hpp', '.cpp', '.ipp'))]
    for path in sorted(files):
        rel = os.path.relpath(path, root)
        layer = classify(rel, layers)
        if layer is None:
            errors.append(f'{rel}: not in a layer folder (layers: {" ".join(layers)})')
            continue
        for lineno, line in enumerate(open(path, encoding='utf-8'), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, name = m.groups()
            if kind == '<':
                if not name.startswith('ddb/'):
                    continue  # the standard library, Boost, OpenSSL
                target = 'include/' + name
            else:
                target = os.path.normpath(os.path.join(os.path.dirname(rel), name))
            where = f'{rel}:{lineno}'
            if not os.path.exists(os.path.join(root, target)):
                errors.append(f'{where}: includes {name}, which does not exist')
                continue
            tl = classify(target, layers)
            if tl is None:
                errors.append(f'{where}: includes {target}, which is in no layer folder')
                continue
            if tl == 'forwarding':
                if layer != 'forwarding':
                    errors.append(f'{where}: includes the forwarding header {target}; '
                                  f'include the file it names')
                continue
            if layer in ('forwarding', 'all'):
                continue
            if rank[tl] > rank[layer]:
                errors.append(f'{where}: upward include: layer {layer} includes {target} '
                              f'of layer {tl}, which is above it')
                continue
            if tl != layer and '/detail/' in '/' + target:
                errors.append(f'{where}: layer {layer} includes {target}, private to layer {tl} '
                              f'(its detail/); use a public function of {tl}')
                continue
            if target.startswith('src/'):
                if rel.startswith('include/'):
                    errors.append(f'{where}: public header includes the private {target}')
                elif tl != layer and tl != 'core':
                    errors.append(f'{where}: layer {layer} includes {target}, an internal '
                                  f'header of layer {tl}; use its public headers')
    return errors, len(files)


def self_test(root):
    """The check must fail on an upward include and on a reach into detail/."""
    with tempfile.TemporaryDirectory() as tmp:
        for top in ('include', 'src', 'cmake'):
            shutil.copytree(os.path.join(root, top), os.path.join(tmp, top))
        layers = layers_of(tmp)
        cases = [('src/http/transport.cpp', '#include <ddb/client/client.hpp>\n',
                  'upward include: layer http includes include/ddb/client/client.hpp of layer client'),
                 ('src/es/projector.cpp', '#include "../model/detail/codec.hpp"\n',
                  'private to layer model'),
                 ('src/es/projector.cpp', '#include <ddb/item.hpp>\n', 'forwarding header')]
        for victim, line, expected in cases:
            path = os.path.join(tmp, victim)
            original = open(path).read()
            open(path, 'w').write(line + original)
            errors, _ = check(tmp)
            open(path, 'w').write(original)
            if not any(expected in e and e.startswith(victim + ':1:') for e in errors):
                print(f'layering self-test: adding "{line.strip()}" to {victim} was not '
                      f'reported (expected "{expected}"); got: {errors}')
                return False
            print(f'self-test: caught as expected: {[e for e in errors if expected in e][0]}')
        assert layers
    return True


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '.')
    errors, count = check(root)
    for e in errors:
        print('layering:', e)
    if errors:
        print(f'layering: {len(errors)} violation(s) in {count} files '
              f'(layers, lowest first: {" ".join(layers_of(root))})')
        return 1
    print(f'layering: {count} files, every include points down '
          f'({" < ".join(layers_of(root))})')
    if '--self-test' in sys.argv and not self_test(root):
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
