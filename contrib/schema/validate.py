#!/usr/bin/env python3
"""Validates JSON instances against the pinads protocol schema (protocol/schema, JSON Schema 2020-12).

Input (a file, or standard input with `-`): a JSON list of checks,

    [{"schema": "methods/jobs.get.json#/$defs/response", "instance": {...}, "label": "jobs.get.response.json"},
      {"schema": "methods/campaigns.update.json#/$defs/params", "instance": {"id": 3, "daily_budget": 1},
      "label": "an unknown field", "expect": "invalid", "closed": false}]

`schema` is a reference relative to the schema folder; `expect` is "valid" (the default) or "invalid" (the
check passes when the instance is refused); `closed` (default: the --closed option) chooses the closed check
below for this instance. Each failure is printed with its label, the JSON path in the
instance and the reason; the last line says how many checks ran and failed. Exit status 0 when every check
passed, 1 when one failed, 2 when the schema itself is broken (not valid 2020-12, or a $ref that does not
resolve).

--closed additionally refuses, in every object schema that lists `properties` and says nothing about
`additionalProperties`, a field the schema does not name. The schema files leave results open (clients must
ignore unknown fields, README §10); the closed check makes sure the schema names every field the examples and
the Swift types actually send.

Needs the `jsonschema` package (4.18 or later, with `referencing`); SchemaTests runs it from
.build/contract-venv, which contrib/scripts/test.sh makes.
"""
import argparse
import copy
import json
import pathlib
import sys

import jsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_KEYS_MAP = ("properties", "patternProperties", "$defs", "dependentSchemas")
SCHEMA_KEYS_ONE = ("items", "not", "additionalProperties", "unevaluatedProperties", "unevaluatedItems",
                   "contains", "if", "then", "else", "propertyNames")
SCHEMA_KEYS_LIST = ("anyOf", "allOf", "oneOf", "prefixItems")


def walk(schema, visit):
    """Calls `visit` on every subschema (dicts only), knowing which keywords hold schemas."""
    if not isinstance(schema, dict):
        return
    visit(schema)
    for key in SCHEMA_KEYS_MAP:
        for sub in (schema.get(key) or {}).values():
            walk(sub, visit)
    for key in SCHEMA_KEYS_ONE:
        if key in schema:
            walk(schema[key], visit)
    for key in SCHEMA_KEYS_LIST:
        for sub in schema.get(key) or []:
            walk(sub, visit)


def close(schema):
    def visit(s):
        types = s.get("type")
        is_object = types == "object" or (isinstance(types, list) and "object" in types)
        if is_object and "properties" in s and not any(
                k in s for k in ("additionalProperties", "unevaluatedProperties", "patternProperties")):
            s["additionalProperties"] = False
    walk(schema, visit)
    return schema


def load(folder, closed):
    """Every .json file under the folder, registered under its file URI."""
    documents = {}
    for path in sorted(folder.rglob("*.json")):
        with open(path, encoding="utf-8") as f:
            contents = json.load(f)
        documents[path.resolve().as_uri()] = contents
    registry = Registry()
    for uri, contents in documents.items():
        contents = close(copy.deepcopy(contents)) if closed else contents
        registry = registry.with_resource(uri, Resource.from_contents(contents, default_specification=DRAFT202012))
    return documents, registry.crawl()


def check_schemas(documents, registry):
    """Each file is a valid 2020-12 schema and every $ref in it resolves."""
    problems = []
    for uri, contents in documents.items():
        try:
            Draft202012Validator.check_schema(contents)
        except jsonschema.exceptions.SchemaError as error:
            problems.append(f"{uri}: not a valid JSON Schema 2020-12: {error.message}")
        resolver = registry.resolver(base_uri=uri)
        refs = []
        walk(contents, lambda s: refs.append(s["$ref"]) if isinstance(s.get("$ref"), str) else None)
        for ref in refs:
            try:
                resolver.lookup(ref)
            except Exception as error:  # referencing raises several kinds
                problems.append(f"{uri}: $ref {ref!r} does not resolve ({type(error).__name__})")
    return problems


def explain(error, indent="  "):
    """Prints an error; under a oneOf/anyOf failure, the most telling reason of each alternative."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        print(f"{indent}at {error.json_path}: matches none of its {error.validator} alternatives:")
        by_branch = {}
        for sub in error.context:
            by_branch.setdefault(sub.schema_path[0] if sub.schema_path else 0, []).append(sub)
        leaves = []
        for branch, subs in by_branch.items():
            leaf = best_match(subs)
            while leaf.context:
                leaf = best_match(leaf.context)
            leaves.append((branch, leaf))
        if len(leaves) > 4:  # e.g. index.json's one alternative per method: show those that got furthest
            leaves.sort(key=lambda item: -len(item[1].absolute_path))
            leaves = leaves[:3]
        for branch, leaf in leaves:
            print(f"{indent}  [{branch}] at {leaf.json_path}: {leaf.message[:300]}")
        return
    print(f"{indent}at {error.json_path}: {error.message[:400]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checks", help="a JSON file of checks, or - for standard input")
    default_folder = pathlib.Path(__file__).resolve().parent.parent.parent / "protocol" / "schema"
    parser.add_argument("--schema-dir", default=str(default_folder), help="the schema folder (protocol/schema)")
    parser.add_argument("--closed", action="store_true", help="refuse fields the schema does not name")
    parser.add_argument("--max-errors", type=int, default=3, help="errors shown per failing instance")
    args = parser.parse_args()

    folder = pathlib.Path(args.schema_dir).resolve()
    documents, registry = load(folder, closed=False)
    registries = {False: registry}
    problems = check_schemas(documents, registry)
    if problems:
        for problem in problems:
            print("SCHEMA " + problem)
        print(f"schema broken: {len(problems)} problems")
        return 2

    raw = sys.stdin.read() if args.checks == "-" else pathlib.Path(args.checks).read_text(encoding="utf-8")
    checks = json.loads(raw)
    validators = {}
    failed = 0
    for check in checks:
        ref, label = check["schema"], check.get("label", check["schema"])
        expect = check.get("expect", "valid")
        closed = bool(check.get("closed", args.closed))
        if closed not in registries:
            registries[closed] = load(folder, closed=True)[1]
        uri = (folder / ref.split("#")[0]).as_uri() + ("#" + ref.split("#", 1)[1] if "#" in ref else "")
        if (uri, closed) not in validators:
            validators[(uri, closed)] = Draft202012Validator(
                {"$ref": uri}, registry=registries[closed], format_checker=Draft202012Validator.FORMAT_CHECKER)
        try:
            errors = list(validators[(uri, closed)].iter_errors(check["instance"]))
        except Exception as error:  # an unresolvable reference named by the check itself
            print(f"FAIL {label}: cannot validate against {ref}: {type(error).__name__}: {error}")
            failed += 1
            continue
        if expect == "valid" and errors:
            failed += 1
            print(f"FAIL {label} ({ref}): {len(errors)} error(s)")
            for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])[: args.max_errors]:
                explain(error)
        elif expect == "invalid" and not errors:
            failed += 1
            print(f"FAIL {label} ({ref}): expected the schema to refuse it, but it validates")
    print(f"{len(checks)} checked, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
