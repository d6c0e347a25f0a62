#!/usr/bin/env python3
"""Validates every example layout in layouts/ against layouts/schema.json.

Also checks that the schema rejects a few broken documents, so a schema that
accepts anything cannot pass.  Prints "N passed, N failed".
"""
import glob
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed")
    sys.exit(77)

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
schema = json.load(open(os.path.join(root, "layouts", "schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
passed = failed = 0
for path in sorted(glob.glob(os.path.join(root, "layouts", "*.json"))):
    if os.path.basename(path) == "schema.json":
        continue
    errors = list(validator.iter_errors(json.load(open(path))))
    if errors:
        failed += 1
        print(f"FAIL {path}: {errors[0].message}")
    else:
        passed += 1
        print(f"ok   {path}")

broken = [
    {"feeds": {}},  # neither outputs nor layouts
    {"feeds": {"a": {"url": "x"}}, "outputs": [{"size": [10, 10], "grid": [1, 1],
                                               "tiles": [{"feed": "a", "cell": [0, 0], "fitt": "cover"}]}]},
    {"feeds": {"a": {"url": 5}}, "outputs": [{"size": [10, 10], "grid": [1, 1]}]},
    {"feeds": {}, "outputs": [{"size": [10, 10], "grid": [1, 1],
                               "tiles": [{"panel": "radar", "cell": [0, 0]}]}]},
    # a consent time without an offset; masks per stream without "main"
    {"feeds": {"a": {"url": "x", "owner": "private", "consent": {
        "ref": "W", "granted": "2027-01-05T00:00:00", "expires": "2027-01-06"}}},
     "outputs": [{"size": [10, 10], "grid": [1, 1]}]},
    {"feeds": {"a": {"url": "x", "masks": {"substream": []}}},
     "outputs": [{"size": [10, 10], "grid": [1, 1]}]},
    # a node name with a slash; credentials in the broker URL; a wall name
    # with an MQTT wildcard
    {"feeds": {}, "outputs": [{"size": [10, 10], "grid": [1, 1], "node": "pc/1"}]},
    {"feeds": {}, "outputs": [{"size": [10, 10], "grid": [1, 1]}],
     "sync": {"broker": "mqtt://u:p@h:1883", "wall": "w"}},
    {"feeds": {}, "outputs": [{"size": [10, 10], "grid": [1, 1]}],
     "sync": {"broker": "mqtt://h:1883", "wall": "w+"}},
]
for doc in broken:
    if validator.is_valid(doc):
        failed += 1
        print(f"FAIL the schema accepts a broken layout: {json.dumps(doc)}")
    else:
        passed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
