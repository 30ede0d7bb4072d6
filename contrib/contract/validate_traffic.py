#!/usr/bin/env python3
"""Validate recorded Pinterest API traffic against the official OpenAPI description.

Usage:
    validate_traffic.py --spec PATH/openapi.yaml --traffic FILE.jsonl
                        [--server-base http://127.0.0.1:PORT/v5]

Each line of the traffic file is one request the PinterestAPI client sent to the
sandbox, with the sandbox's answer (record format in README.md). Every line is checked
with openapi-core's own request and response validators: the operation exists,
security, path/query parameters, the request body, and the response (status documented
or covered by `default`, body against its schema). A few stricter checks that
openapi-core does not make are added (see "Supplementary checks" below).

Exit status: 0 when every violation is covered by an entry of SPEC_EXCEPTIONS below,
1 when any other violation was found, 2 on usage or setup errors.
The last line printed is `contract: N passed, M failed` (N, M count traffic lines).
"""

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
import time
import warnings
from collections import OrderedDict
from urllib.parse import parse_qsl, urlsplit

# --------------------------------------------------------------------------------------
# Known mistakes of the spec (openapi.yaml v5.23.0), as explicit exceptions.
#
# An entry excuses a violation only when all of these hold:
#   operation: the operationId the traffic line was matched to
#   phase:     "request" or "response"
#   match:     a regular expression searched in the formatted violation text
#   why:       the documented reason, citing ../shared/pinterest-api/NOTES.md
# Only mistakes of the spec that NOTES documents belong here. Never add an entry to make
# traffic pass that is wrong by the spec: fix the client or the sandbox instead.
#
# The table is empty on purpose: every candidate was checked against the yaml and needs
# no exception.
# - audiences/create request body (NOTES §4.1): only the requestBody *description* says
#   "List of ads to create, size limit [1, 30]"; its schema is the single object
#   AudienceCreateRequest, so a correct single-object body validates as it is.
# - Error statuses on operations that document only 200 + default (NOTES §10.1:
#   customer lists, audiences, campaigns, ad groups and ads create/update, oauth/token):
#   openapi-core matches an undocumented status to `default`, whose schema is the
#   {code, message} Error, so correct error bodies validate as they are.
# - campaigns/analytics parameters (NOTES §9.1): the prose says WEEKLY/MONTHLY, the enum
#   says WEEK/MONTH (the enum is what is checked, and what must be sent); campaign_ids is
#   form/explode (repeated key) and columns explode:false (comma-separated), both
#   declared so in the spec and handled by openapi-core.
# - events/create 422 DetailedError and 503 (NOTES §8.5) are documented in the spec.
# - Things the 5.23 spec lacks but that only matter against 5.28 (NOTES §12: 201 on
#   creates, `continuous_refresh` as a formal property) need nothing: 5.23 allows
#   additional properties there and the sandbox answers 200.
#
# Example of an entry:
#   {"operation": "audiences/create", "phase": "request",
#    "match": r"is not of type 'array'",
#    "why": "NOTES §4.1: spec types the single-object body as a list"},
# --------------------------------------------------------------------------------------
SPEC_EXCEPTIONS = [
]

EXIT_OK, EXIT_VIOLATIONS, EXIT_SETUP = 0, 1, 2
MAX_VALUE_CHARS = 200
MAX_SCHEMA_ERRORS = 8


def die(message):
    print(f"validate_traffic: {message}", file=sys.stderr)
    sys.exit(EXIT_SETUP)


try:
    from openapi_core import Config, OpenAPI
    from openapi_core.datatypes import RequestParameters
    from openapi_core.security.exceptions import SecurityProviderError
    from openapi_core.security.factories import SecurityProviderFactory
    from openapi_core.security.providers import BaseProvider
    from openapi_core.templating.paths.exceptions import PathError
    from openapi_core.templating.paths.finders import APICallPathFinder
    from openapi_core.validation.schemas import (
        oas30_read_schema_validators_factory,
        oas30_write_schema_validators_factory,
    )
    from werkzeug.datastructures import Headers, ImmutableMultiDict
except ImportError as exc:  # setup error
    die(f"cannot import openapi-core ({exc}); install contrib/contract/requirements.txt "
        f"into a virtualenv (contrib/scripts/test.sh makes .build/contract-venv)")


# --------------------------------------------------------------------------------------
# Security. openapi-core checks `http` schemes (basic, bearer) itself but treats `oauth2`
# as unsupported, i.e. always satisfied. Pinterest's oauth2 schemes (pinterest_oauth2,
# client_credentials) are presented as `Authorization: Bearer <token>`, so require that.
# Recorded headers are redacted to "<scheme> ***": a present credential of that scheme.
# --------------------------------------------------------------------------------------
class BearerTokenProvider(BaseProvider):
    def __call__(self, parameters):
        header = parameters.header.get("Authorization")
        if header is None:
            raise SecurityProviderError("Missing authorization header.")
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise SecurityProviderError(f"Expected 'Bearer <token>', got scheme {scheme!r}")
        return credentials


class PinterestSecurityProviderFactory(SecurityProviderFactory):
    PROVIDERS = dict(SecurityProviderFactory.PROVIDERS,
                     oauth2=BearerTokenProvider, openIdConnect=BearerTokenProvider)


# --------------------------------------------------------------------------------------
# Path finding dominates the run time otherwise (every lookup walks all ~330 paths of the
# spec, three times per line); the result for a given method and URL never changes.
# --------------------------------------------------------------------------------------
class CachingPathFinder(APICallPathFinder):
    _cache = {}

    def find(self, method, name):
        key = (id(self.spec), method, name)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = super().find(method, name)  # PathError propagates
        return found


# --------------------------------------------------------------------------------------
# openapi-core request/response protocol objects, built from one traffic record.
# --------------------------------------------------------------------------------------
class RecordedRequest:
    def __init__(self, host_url, path, method, query, headers, body):
        self.host_url = host_url
        self.path = path
        self.method = method.lower()
        self.body = body.encode("utf-8") if body else None
        self.content_type = (headers.get("content-type") or "").lower()
        self.query_pairs = parse_qsl(query or "", keep_blank_values=True)
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(self.query_pairs),
            header=Headers(headers),
            cookie=ImmutableMultiDict(),
        )

    @property
    def full_url(self):
        return self.host_url + self.path


class RecordedResponse:
    def __init__(self, status, headers, body):
        self.status_code = status
        self.headers = Headers(headers)
        self.content_type = (headers.get("content-type") or "").lower()
        self.data = body.encode("utf-8") if body else None


# --------------------------------------------------------------------------------------
# Spec loading. Parsing the 1.6 MB yaml takes ~1.3 s and validating the spec ~4 s, so the
# parsed, validated spec is cached as JSON, keyed by the sha256 of the spec file's bytes:
# the file given is always read and hashed, and a changed file is parsed again.
# --------------------------------------------------------------------------------------
def cache_dir():
    if os.environ.get("PINADS_CONTRACT_CACHE"):
        return os.environ["PINADS_CONTRACT_CACHE"]
    if sys.prefix != sys.base_prefix:  # in a virtualenv: keep the cache inside it
        return os.path.join(sys.prefix, "contract-cache")
    return os.path.join(os.path.expanduser("~"), ".cache", "pinads-contract")


def load_spec(spec_path):
    """Returns (OpenAPI, spec dict)."""
    try:
        with open(spec_path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        die(f"cannot read spec {spec_path}: {exc}")
    digest = hashlib.sha256(raw).hexdigest()
    cached = os.path.join(cache_dir(), f"openapi-{digest}.json")
    config = dict(security_provider_factory=PinterestSecurityProviderFactory(),
                  path_finder_cls=CachingPathFinder)
    if os.path.exists(cached):
        try:
            with open(cached, encoding="utf-8") as f:
                spec_dict = json.load(f)
            # Validated when the cache entry was written.
            return OpenAPI.from_dict(spec_dict, config=Config(spec_validator_cls=None, **config)), spec_dict
        except (OSError, ValueError):
            pass  # unreadable cache entry: parse again
    try:
        if spec_path.endswith(".json"):
            spec_dict = json.loads(raw)
        else:
            import yaml
            spec_dict = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        api = OpenAPI.from_dict(spec_dict, config=Config(**config))  # validates the spec
    except Exception as exc:  # noqa: BLE001 - any parse/validation failure is a setup error
        die(f"spec {spec_path} does not load: {type(exc).__name__}: {str(exc)[:500]}")
    try:
        os.makedirs(os.path.dirname(cached), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(cached), suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(spec_dict, f, default=str)
        os.replace(tmp, cached)
    except OSError:
        pass  # the cache is an optimisation only
    return api, spec_dict


def resolve(spec_dict, node):
    """Follows local $refs (#/a/b) until a non-$ref node."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/") or seen > 20:
            return node
        node = spec_dict
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        seen += 1
    return node


# --------------------------------------------------------------------------------------
# Error formatting: the validator's message, the instance path, the schema path and the
# offending value (truncated), for each jsonschema error below an openapi-core error.
# --------------------------------------------------------------------------------------
def truncate(value, limit=MAX_VALUE_CHARS):
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def pointer(parts):
    return "/" + "/".join(str(p) for p in parts)


def schema_error_lines(errors, indent="  "):
    lines, seen = [], set()
    errors = list(errors)
    for err in errors:
        key = (tuple(err.absolute_path), err.message)
        if key in seen:  # the same failure reached through several allOf branches
            continue
        seen.add(key)
        if len(seen) > MAX_SCHEMA_ERRORS:
            lines.append(f"{indent}… more schema errors")
            break
        message = err.message if len(err.message) <= 300 else err.message[:300] + "…"
        lines.append(f"{indent}{message}")
        lines.append(f"{indent}  at {pointer(err.absolute_path)}  value {truncate(err.instance)}")
        lines.append(f"{indent}  schema {pointer(err.absolute_schema_path)}")
        # anyOf/oneOf: why each branch failed (first few)
        for sub in list(err.context or [])[:4]:
            lines.append(f"{indent}  - branch {pointer(sub.relative_schema_path)}: "
                         f"{sub.message[:200]} at {pointer(sub.absolute_path)}")
    return lines


def format_error(exc, label=None):
    """Flattens one openapi-core error and its causes into readable lines."""
    causes, cause = [], exc.__cause__ or exc.__context__
    while cause is not None and cause not in causes and len(causes) < 6:
        causes.append(cause)
        cause = cause.__cause__ or cause.__context__
    schema_cause = next((c for c in [exc] + causes if getattr(c, "schema_errors", None)), None)
    if schema_cause is not None:
        head = label or type(exc).__name__
        for attr in ("location", "name"):
            if getattr(exc, attr, None) and not label:
                head += f" {getattr(exc, attr)}"
        lines = [f"{head}: value {truncate(getattr(schema_cause, 'value', None))}"]
        lines += schema_error_lines(schema_cause.schema_errors)
        return "\n".join(lines)
    text = str(exc)
    if text.startswith(type(exc).__name__ + ": "):
        text = text[len(type(exc).__name__) + 2:]
    lines = [f"{type(exc).__name__}: {text[:400]}"]
    for c in causes:
        if isinstance(c, StopIteration):
            continue
        text = str(c)
        if text and text not in lines[0]:
            lines.append(f"  {type(c).__name__}: {text[:400]}")
    return "\n".join(lines)


def find_exception(operation_id, phase, text):
    for entry in SPEC_EXCEPTIONS:
        if entry["operation"] == operation_id and entry["phase"] == phase \
                and re.search(entry["match"], text):
            return entry
    return None


# --------------------------------------------------------------------------------------
# Supplementary checks, stricter than openapi-core, each a plain reading of the spec:
# 1. Query keys the operation does not declare are reported (OpenAPI allows them, but a
#    misspelt parameter, e.g. `is_test` for `test` (NOTES §8.1), would otherwise pass).
# 2. A query key repeated is reported unless the parameter is an array with form/explode
#    serialization (`columns` is explode:false and must be comma-separated, NOTES §9.1).
# 3. A body schema with a `discriminator` but no oneOf/anyOf (only the OAuth token
#    request and response in 5.23, NOTES §1.2) is also validated against the schema its
#    mapping selects; openapi-core ignores such a discriminator, so a refresh request
#    without refresh_token or a refresh response without refresh_token_expires_at would
#    otherwise pass.
# --------------------------------------------------------------------------------------
def declared_query_params(spec_dict, pattern, method):
    path_item = spec_dict["paths"][pattern]
    params = {}
    for p in list(path_item.get("parameters", [])) + list(path_item[method].get("parameters", [])):
        p = resolve(spec_dict, p)
        if p.get("in") == "query":
            params[p["name"]] = p
    return params


def query_violations(spec_dict, pattern, method, pairs):
    declared = declared_query_params(spec_dict, pattern, method)
    out, counts = [], {}
    for key, _ in pairs:
        counts[key] = counts.get(key, 0) + 1
    for key, n in counts.items():
        param = declared.get(key)
        if param is None:
            out.append(f"undeclared query parameter {key!r} (declared: {', '.join(sorted(declared)) or 'none'})")
            continue
        if n > 1:
            schema = resolve(spec_dict, param.get("schema", {}))
            style = param.get("style", "form")
            explode = param.get("explode", style == "form")
            if schema.get("type") != "array" or not explode:
                out.append(f"query parameter {key!r} repeated {n} times, but the spec serializes it as one "
                           f"value (type {schema.get('type')}, style {style}, explode {str(explode).lower()})")
    return out


def media_schema(content, content_type):
    mimetype = content_type.split(";")[0].strip().lower()
    media = (content or {}).get(mimetype)
    return media.get("schema") if media else None


def discriminator_violations(api, spec_dict, schema_node, value, write):
    """Check 3 above, for a top-level body schema."""
    if not isinstance(schema_node, dict) or not isinstance(value, dict):
        return []
    ref = schema_node.get("$ref")
    schema = resolve(spec_dict, schema_node)
    disc = schema.get("discriminator")
    if not disc or "oneOf" in schema or "anyOf" in schema:
        return []
    discriminator_value = value.get(disc["propertyName"])
    if not isinstance(discriminator_value, str):
        return []  # absent or mistyped: the property's own schema reports it
    selected = disc.get("mapping", {}).get(discriminator_value)
    if not selected or not selected.startswith("#/components/schemas/"):
        return []  # absent or unknown discriminator value: the enum check reports it
    name = selected.rsplit("/", 1)[1]
    factory = oas30_write_schema_validators_factory if write else oas30_read_schema_validators_factory
    validator = factory.create(api.spec, api.spec / "components" / "schemas" / name)
    try:
        validator.validate(value)
    except Exception as exc:  # noqa: BLE001 - InvalidSchemaValue
        label = (f"discriminator {disc['propertyName']}={discriminator_value!r} of "
                 f"{(ref or '').rsplit('/', 1)[-1]} selects {name}, which does not match")
        return [format_error(exc, label=label)]
    return []


def body_value(body, content_type):
    mimetype = content_type.split(";")[0].strip().lower()
    if not body:
        return None
    if mimetype == "application/x-www-form-urlencoded":
        return dict(parse_qsl(body, keep_blank_values=True))
    try:
        return json.loads(body)
    except ValueError:
        return None  # openapi-core reports it


# --------------------------------------------------------------------------------------
class Checker:
    def __init__(self, api, spec_dict, base_path):
        self.api = api
        self.spec_dict = spec_dict
        self.base_path = base_path
        server = urlsplit(spec_dict["servers"][0]["url"].rstrip("/"))
        self.host_url = f"{server.scheme}://{server.netloc}"
        self.server_path = server.path.rstrip("/")
        self.finder = CachingPathFinder(api.spec)
        # Identical records get identical verdicts; test traffic repeats a lot (load and
        # rate-limit tests). Response headers that the spec does not declare are never
        # validated, so they (x-pinterest-rid, x-ratelimit-*, date...) stay out of the key.
        self.validated_headers = {"content-type"} | self._declared_response_headers()
        self.verdicts = {}

    def _declared_response_headers(self):
        names = set()
        for path_item in self.spec_dict.get("paths", {}).values():
            for operation in path_item.values():
                if not isinstance(operation, dict):
                    continue
                for response in (operation.get("responses") or {}).values():
                    response = resolve(self.spec_dict, response)
                    names.update(h.lower() for h in (response.get("headers") or {}))
        return names

    def check(self, record):
        """Returns (operation_id, operation key, [(phase, text)])."""
        key = json.dumps([record.get(k) for k in ("method", "path", "query", "request_headers",
                                                  "request_body", "status", "response_body")]
                         + [{k.lower(): v for k, v in (record.get("response_headers") or {}).items()
                             if k.lower() in self.validated_headers}], sort_keys=True)
        verdict = self.verdicts.get(key)
        if verdict is None:
            verdict = self.verdicts[key] = self._check(record)
        return verdict

    def _check(self, record):
        method = str(record["method"]).upper()
        recorded_path = str(record["path"])
        request_headers = {str(k).lower(): str(v) for k, v in (record.get("request_headers") or {}).items()}
        response_headers = {str(k).lower(): str(v) for k, v in (record.get("response_headers") or {}).items()}
        request_body = record.get("request_body") or ""
        response_body = record.get("response_body") or ""
        unknown = f"(unknown) {method} {recorded_path}"

        base = self.base_path
        if base and not (recorded_path == base or recorded_path.startswith(base + "/")):
            return "?", unknown, [("request", f"path {recorded_path} is outside the API base {base}")]
        request = RecordedRequest(self.host_url, self.server_path + recorded_path[len(base):], method,
                                  record.get("query") or "", request_headers, request_body)
        try:
            status = int(record["status"])
        except (TypeError, ValueError):
            return "?", unknown, [("response", f"status {record['status']!r} is not an integer")]
        response = RecordedResponse(status, response_headers, response_body)
        try:
            found = self.finder.find(request.method, request.full_url)
        except PathError as exc:
            return "?", unknown, [("request", f"no such operation in the spec: {type(exc).__name__}: {exc}")]
        operation_id = (found.operation / "operationId").read_str()
        pattern = found.path_result.pattern
        key = f"{operation_id} {method} {pattern}"
        violations = []
        for exc in self.api.iter_request_errors(request):
            text = format_error(exc)
            if "Security" in type(exc).__name__:
                text += f" (authorization header: {request_headers.get('authorization', 'absent')!r})"
            violations.append(("request", text))
        for text in query_violations(self.spec_dict, pattern, request.method, request.query_pairs):
            violations.append(("request", text))
        for exc in self.api.iter_response_errors(request, response):
            violations.append(("response", format_error(exc)))

        operation = self.spec_dict["paths"][pattern][request.method]
        req_schema = media_schema(resolve(self.spec_dict, operation.get("requestBody", {})).get("content"),
                                  request.content_type)
        for text in discriminator_violations(self.api, self.spec_dict, req_schema,
                                             body_value(request_body, request.content_type), write=True):
            violations.append(("request", text))
        responses = operation.get("responses", {})
        resp = resolve(self.spec_dict, responses.get(str(status), responses.get("default", {})))
        resp_schema = media_schema(resp.get("content"), response.content_type)
        for text in discriminator_violations(self.api, self.spec_dict, resp_schema,
                                             body_value(response_body, response.content_type), write=False):
            violations.append(("response", text))
        return operation_id, key, violations


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", required=True, help="path to openapi.yaml (or openapi.json)")
    parser.add_argument("--traffic", required=True, help="JSON-lines traffic record")
    parser.add_argument("--server-base", default="http://127.0.0.1/v5",
                        help="base URL the client was pointed at; its path (default /v5) is "
                             "stripped from recorded paths, which are then resolved against the "
                             "spec's server (https://api.pinterest.com/v5)")
    parser.add_argument("--max-errors", type=int, default=200,
                        help="print details of at most this many violations (all are counted)")
    try:
        return parser.parse_args(argv)
    except SystemExit as exc:
        sys.exit(EXIT_SETUP if exc.code else EXIT_OK)


REQUIRED_FIELDS = ("method", "path", "status")


def read_traffic(path):
    records = []
    try:
        f = open(path, encoding="utf-8")
    except OSError as exc:
        die(f"cannot read traffic {path}: {exc}")
    with f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                die(f"{path}:{number}: not a JSON object ({exc})")
            if not isinstance(record, dict) or any(k not in record for k in REQUIRED_FIELDS):
                die(f"{path}:{number}: a traffic record needs {', '.join(REQUIRED_FIELDS)}")
            records.append((number, record))
    return records


def main(argv):
    args = parse_args(argv)
    started = time.monotonic()
    warnings.simplefilter("ignore")  # openapi-core deprecation chatter

    api, spec_dict = load_spec(args.spec)
    checker = Checker(api, spec_dict, urlsplit(args.server_base).path.rstrip("/"))
    records = read_traffic(args.traffic)
    if not records:
        die(f"{args.traffic}: no traffic recorded")

    per_operation = OrderedDict()  # key -> [validated, failed, excused]
    passed = failed = excused = shown = 0
    for number, record in records:
        operation_id, key, violations = checker.check(record)
        counts = per_operation.setdefault(key, [0, 0, 0])
        counts[0] += 1
        method, path, status = str(record["method"]).upper(), record["path"], record["status"]
        query = record.get("query") or ""
        unexcused = []
        for phase, text in violations:
            entry = find_exception(operation_id, phase, text)
            if entry is None:
                unexcused.append((phase, text))
            else:
                excused += 1
                counts[2] += 1
                print(f"excused line {number}: {method} {path} -> {status} [{operation_id} {phase}]: {entry['why']}")
        if not unexcused:
            passed += 1
            continue
        failed += 1
        counts[1] += 1
        for phase, text in unexcused:
            shown += 1
            if shown <= args.max_errors:
                print(f"VIOLATION line {number}: {method} {path}{'?' + query if query else ''} -> {status}"
                      f" [{operation_id} {phase}]")
                print("    " + text.replace("\n", "\n    "))
    if shown > args.max_errors:
        print(f"({shown - args.max_errors} more violations not shown)")

    print()
    print("per operation:")
    width = max(len(k) for k in per_operation)
    for key, (validated, bad, ok_exc) in sorted(per_operation.items()):
        note = f", {ok_exc} violations excused" if ok_exc else ""
        print(f"  {key:<{width}}  {validated} validated, {bad} failed{note}")
    print(f"checked {len(records)} lines against {os.path.basename(args.spec)} "
          f"({spec_dict.get('info', {}).get('version', '?')}) in {time.monotonic() - started:.1f}s"
          f"{f'; {excused} violations excused by SPEC_EXCEPTIONS' if excused else ''}")
    print(f"contract: {passed} passed, {failed} failed")
    return EXIT_VIOLATIONS if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
