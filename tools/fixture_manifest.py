"""Derives tests/fixtures/manifest.json: for every check, the fixture files its tests decide from.

Reads the check statics of shared/core/src/catalog/*.rs and the test code of
shared/src/catalog_tests/*.rs (the fixture tests, one file per service): in each test function (and the helper functions
it calls), the check statics it names and the fixture files it reads, directly, through
include_str! constants, or through the SageMaker test macro. Run it after adding checks or
fixtures; the registry test `every_check_has_fixture_files` verifies the committed manifest.
"""

import glob
import json
import re

checks = {}  # static name -> id (per file, names may repeat across modules)
manifest = {}
for path in sorted(glob.glob("shared/src/catalog_tests/*.rs")):
    src = open(path).read()
    module = path.split("/")[-1][:-3]
    core = f"shared/core/src/catalog/{module}.rs"
    core_src = open(core).read() if module != "fixtures" and glob.glob(core) else ""
    statics = dict(re.findall(r'pub static (\w+): Check = Check \{\s*id: "([^"]+)"', core_src))
    # Statics of other modules named as module::NAME (fixtures.rs).
    all_statics = {}
    for other in glob.glob("shared/core/src/catalog/*.rs"):
        mod = other.split("/")[-1][:-3]
        for name, cid in re.findall(r'pub static (\w+): Check = Check \{\s*id: "([^"]+)"', open(other).read()):
            all_statics[f"{mod}::{name}"] = cid
    consts = {}
    base = "tests/fixtures/" + path.split("/")[-1][:-3] + "/"
    for name, body in re.findall(r"const (\w+): &str =\s*((?:include_str|fixture)!\([^;]*\));", src, re.S):
        consts[name] = re.findall(r"tests/fixtures/[\w./-]+\.json", body) + [
            base + f for f in re.findall(r'"([\w.-]+\.json)"', body)
        ]
    # Every catalog_tests file is test code from its first line.
    tests_src = src
    fns = dict(re.findall(r"fn (\w+)\s*\([^)]*\)[^{]*\{(.*?)\n(?:    )?\}\n", tests_src, re.S))
    base = "tests/fixtures/" + path.split("/")[-1][:-3] + "/"

    def files_of(body, depth=0):
        found = set(re.findall(r"tests/fixtures/[\w./-]+\.json", body))
        found |= {base + f for f in re.findall(r'"([\w.-]+\.json)"', body) if "/" not in f}
        for name, paths in consts.items():
            if re.search(rf"\b{name}\b", body):
                found |= set(paths)
        if depth == 0:
            for name, fn_body in fns.items():
                if re.search(rf"\b{name}\(", body):
                    found |= files_of(fn_body, 1)
        return found

    for fn_name, body in fns.items():
        if not fn_name or fn_name.startswith("fixture"):
            pass
        named = {cid for name, cid in statics.items() if re.search(rf"(?<![:\w]){name}\b", body)}
        named |= {cid for qual, cid in all_statics.items() if qual in body}
        files = files_of(body)
        for cid in named:
            manifest.setdefault(cid, set()).update(f for f in files)

out = {cid: sorted(f for f in files) for cid, files in sorted(manifest.items())}
json.dump(out, open("tests/fixtures/manifest.json", "w"), indent=2)
open("tests/fixtures/manifest.json", "a").write("\n")
missing = [c for c, f in out.items() if not f]
print(f"{len(out)} checks in the manifest; without files: {missing}")
