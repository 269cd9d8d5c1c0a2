#!/usr/bin/env python3
"""Validates every example in docs/examples/ against its JSON Schema in docs/schemas/ (draft 2020-12),
and, given files of billing events (one JSON object per line, as `kcat -C -f '%s\\n'` prints them),
validates those too. Exit status 1 on the first invalid document."""
import json
import pathlib
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

root = pathlib.Path(__file__).resolve().parent.parent
schemas = {p.name.removesuffix(".schema.json"): json.loads(p.read_text()) for p in (root / "docs/schemas").glob("*.schema.json")}
registry = Registry().with_resources(
    [(f"{name}.schema.json", Resource.from_contents(s)) for name, s in schemas.items()]
    + [(s["$id"], Resource.from_contents(s)) for s in schemas.values()])


def check(document, origin):
    kind = document.get("type")
    if kind not in schemas:
        sys.exit(f"check-schemas: {origin}: no schema for type {kind!r}")
    errors = sorted(Draft202012Validator(schemas[kind], registry=registry).iter_errors(document), key=str)
    if errors:
        sys.exit(f"check-schemas: {origin} does not match {kind}.schema.json: {errors[0].message} at {list(errors[0].absolute_path)}")


count = 0
for example in sorted((root / "docs/examples").glob("*.json")):
    check(json.loads(example.read_text()), example.name)
    count += 1
for path in sys.argv[1:]:
    for number, line in enumerate(pathlib.Path(path).read_text().splitlines(), 1):
        if line.strip():
            check(json.loads(line), f"{path}:{number}")
            count += 1
print(f"check-schemas: {count} documents valid")
