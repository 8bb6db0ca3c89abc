"""Checks web/openapi.json against the routes the server registers and the answers it actually sends.

Run by a Swift test (which starts Trough, lists its routes and captures example answers):
    python check_openapi.py OPENAPI_JSON ROUTES_FILE EXAMPLES_JSON

ROUTES_FILE: one route per line, `METHOD PATH`, path parameters written `:name` (Hummingbird) or `{name}`;
lines whose path does not start with /api, /health or /readyz (the proxy, static pages) are ignored, as are
blank lines and lines starting with `#`.
EXAMPLES_JSON: a list of {"method", "path_template", "status", "content_type", "body"}, body being the parsed
JSON answer (null when it is not JSON).

An example's status is looked up as is, then as `4XX`-style range, then as `default` (error statuses, or
operations that list no 2xx answer). Fails (exit 1, listing every problem) when a registered route is not documented, a documented operation is not
registered, an example's operation or status is not documented, or a JSON answer does not match its schema.
Prints `openapi check passed: N routes, M examples` otherwise. Needs the PyPI package `jsonschema`.
"""
import json
import re
import sys

try:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
except ImportError:
    sys.exit("openapi check: needs the PyPI package jsonschema (pip install 'jsonschema>=4.18')")

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
CHECKED_PREFIXES = ("/api", "/health", "/readyz")
DOCUMENT_URI = "urn:trough:openapi"


def openapi_path(path):
    """`/api/projects/:project_id` → `/api/projects/{project_id}` (a `{name}` segment stays as it is)."""
    path = re.sub(r":([A-Za-z_][A-Za-z0-9_]*)", r"{\1}", path.strip())
    if len(path) > 1:
        path = path.rstrip("/")
    return path


def is_checked(path):
    return path.startswith(CHECKED_PREFIXES)


def pointer(*parts):
    return "#/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def read_routes(file_name):
    routes = set()
    with open(file_name, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) != 2:
                raise SystemExit(f"openapi check: {file_name}:{number}: expected `METHOD PATH`, got {line!r}")
            method, path = parts[0].lower(), parts[1]
            if not is_checked(path):
                continue
            routes.add((method, openapi_path(path)))
    return routes


def documented_operations(document):
    return {(method, path) for path, item in document.get("paths", {}).items() for method in item if method in METHODS}


def media_type(content_type):
    return (content_type or "").split(";")[0].strip().lower()


class Checker:
    def __init__(self, document):
        self.document = document
        self.registry = Registry().with_resource(DOCUMENT_URI, Resource(contents=document, specification=DRAFT202012))
        self.problems = []

    def resolve(self, node, location=None):
        """Follows local `$ref`s (to components.responses and the like); returns the target and its JSON pointer."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            reference = node["$ref"]
            if not reference.startswith("#/"):
                raise ValueError(f"only local references are supported: {reference}")
            node = self.document
            for part in reference[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            location = reference
            seen += 1
            if seen > 50:
                raise ValueError(f"reference loop at {reference}")
        return (node, location) if location is not None else node

    def check_document(self):
        """The document itself: version, unique operation ids, every `$ref` resolvable, every schema valid."""
        if not str(self.document.get("openapi", "")).startswith("3.1"):
            self.problems.append(f"document: openapi is {self.document.get('openapi')!r}, expected 3.1.x")
        ids = {}
        for method, path in sorted(documented_operations(self.document)):
            operation = self.document["paths"][path][method]
            operation_id = operation.get("operationId")
            if not operation_id:
                self.problems.append(f"document: {method.upper()} {path} has no operationId")
            elif operation_id in ids:
                self.problems.append(f"document: operationId {operation_id} is used by {ids[operation_id]} and {method.upper()} {path}")
            else:
                ids[operation_id] = f"{method.upper()} {path}"
            if not operation.get("responses"):
                self.problems.append(f"document: {method.upper()} {path} has no responses")
        for name, schema in self.document.get("components", {}).get("schemas", {}).items():
            try:
                Draft202012Validator.check_schema(schema)
            except Exception as error:  # noqa: BLE001 - any schema problem is reported
                self.problems.append(f"document: components.schemas.{name} is not a valid JSON Schema: {getattr(error, 'message', error)}")

        def walk(node, where):
            if isinstance(node, dict):
                reference = node.get("$ref")
                if isinstance(reference, str):
                    try:
                        self.resolve({"$ref": reference})
                    except (KeyError, TypeError, ValueError):
                        self.problems.append(f"document: unresolvable $ref {reference} at {where}")
                for key, value in node.items():
                    walk(value, f"{where}/{key}")
            elif isinstance(node, list):
                for index, value in enumerate(node):
                    walk(value, f"{where}/{index}")

        walk(self.document, "#")

    def check_routes(self, routes):
        documented = documented_operations(self.document)
        for method, path in sorted(routes - documented):
            self.problems.append(f"route not documented: {method.upper()} {path}")
        for method, path in sorted(documented - routes):
            self.problems.append(f"documented but not registered: {method.upper()} {path}")

    def check_example(self, example):
        method = str(example.get("method", "")).lower()
        path = openapi_path(str(example.get("path_template", "")))
        status = str(example.get("status"))
        body = example.get("body")
        where = f"{method.upper()} {path} {status}"
        operation = self.document.get("paths", {}).get(path, {}).get(method)
        if operation is None:
            self.problems.append(f"example {where}: operation not documented")
            return
        responses = operation.get("responses", {})
        key = status if status in responses else (status[:1] + "XX" if status[:1] + "XX" in responses else "default")
        # `default` stands for the errors not listed one by one; a success status must be listed itself.
        if key == "default" and not status.startswith(("4", "5")) and any(name.startswith("2") for name in responses):
            key = None
        if key not in responses:
            self.problems.append(f"example {where}: status not documented (documented: {', '.join(sorted(responses))})")
            return
        response, response_location = self.resolve(responses[key], pointer("paths", path, method, "responses", key))
        content = response.get("content") or {}
        sent_type = media_type(example.get("content_type"))
        if body is None:
            # Not JSON (CSV, an empty 204…): the status is documented; check the media type when both sides name one.
            if sent_type and content and sent_type not in {media_type(name) for name in content}:
                self.problems.append(f"example {where}: content type {sent_type} not documented (documented: {', '.join(sorted(content))})")
            return
        json_type = next((name for name in content if media_type(name) == "application/json" or media_type(name).endswith("+json")), None)
        if json_type is None:
            self.problems.append(f"example {where}: a JSON body was sent but no JSON content is documented (documented: {', '.join(sorted(content)) or 'none'})")
            return
        if "schema" not in content[json_type]:
            self.problems.append(f"example {where}: the documented JSON content has no schema")
            return
        reference = DOCUMENT_URI + response_location + pointer("content", json_type, "schema")[1:]
        validator = Draft202012Validator({"$ref": reference}, registry=self.registry)
        try:
            errors = sorted(validator.iter_errors(body), key=lambda error: [str(part) for part in error.absolute_path])
        except Exception as error:  # noqa: BLE001 - a broken schema (e.g. an unresolvable $ref) is reported, not raised
            reference = getattr(error, "ref", None) or getattr(getattr(error, "_wrapped", None), "ref", None)
            detail = f"unresolvable $ref {reference}" if reference else f"{type(error).__name__}: {str(error)[:200]}"
            self.problems.append(f"example {where}: the schema cannot be used: {detail}")
            return
        for error in errors:
            location = "".join(f"[{part!r}]" if isinstance(part, str) else f"[{part}]" for part in error.absolute_path) or "(body)"
            self.problems.append(f"example {where}: {location}: {error.message}")


def main(arguments):
    if len(arguments) != 3:
        raise SystemExit("usage: python check_openapi.py OPENAPI_JSON ROUTES_FILE EXAMPLES_JSON")
    document_file, routes_file, examples_file = arguments
    with open(document_file, encoding="utf-8") as handle:
        document = json.load(handle)
    routes = read_routes(routes_file)
    with open(examples_file, encoding="utf-8") as handle:
        examples = json.load(handle)
    if not isinstance(examples, list):
        raise SystemExit("openapi check: EXAMPLES_JSON must be a JSON list")

    checker = Checker(document)
    checker.check_document()
    checker.check_routes(routes)
    for example in examples:
        checker.check_example(example)

    if checker.problems:
        print(f"openapi check failed: {len(checker.problems)} problem(s)")
        for problem in checker.problems:
            print("  " + problem)
        return 1
    print(f"openapi check passed: {len(routes)} routes, {len(examples)} examples")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
