"""Check API responses against the OpenAPI description, with jsonschema.

:class:`Contract` finds the operation of a request (method and path template), the
documented response of its status (else ``default``) and validates the body against that
response's schema for its content type; a response the description does not document
fails. Requests to paths or methods the description lacks must answer a problem
document. ``covered`` collects (method, path, status) so a test can demand that every
operation of the description was exercised.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_URI = "urn:second-opinion:openapi"
METHODS = ("get", "post", "put", "patch", "delete")


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


class ContractError(AssertionError):
    pass


class Contract:
    def __init__(self, spec: dict):
        self.spec = spec
        self.base = spec["servers"][0]["url"].rstrip("/")
        self.registry = Registry().with_resource(SPEC_URI, Resource(contents=spec, specification=DRAFT202012))
        self.templates = [(re.compile("^" + re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(path)) + "$"), path)
                          for path in spec["paths"]]
        self.covered: set[tuple[str, str, int]] = set()

    def operations(self) -> set[tuple[str, str]]:
        return {(method, path) for path, item in self.spec["paths"].items() for method in METHODS if method in item}

    def template_of(self, path: str) -> str | None:
        if not path.startswith(self.base + "/"):
            return None
        rest = path[len(self.base):]
        for pattern, template in self.templates:
            if pattern.match(rest):
                return template
        return None

    def _validate(self, pointer: str, instance) -> None:
        validator = Draft202012Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=self.registry,
                                         format_checker=FormatChecker())
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        if errors:
            raise ContractError("response does not match the description:\n" + "\n".join(
                f"- at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors[:10]))

    def _resolve(self, node: dict, pointer: str) -> tuple[dict, str]:
        while "$ref" in node:
            pointer = node["$ref"].removeprefix("#")
            node = self.spec
            for part in pointer.strip("/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
        return node, pointer

    def check(self, method: str, url: str, response) -> None:
        """Validate one response (a Flask test response) to ``method url``."""
        path = urlsplit(url).path
        method = method.lower()
        status = response.status_code
        media = response.mimetype
        template = self.template_of(path)
        operation = self.spec["paths"].get(template, {}).get(method) if template else None
        if operation is None:  # no such operation: must be a problem document
            if media != "application/problem+json":
                raise ContractError(f"{method.upper()} {path} ({status}) is not in the description "
                                    f"and did not answer a problem document ({media})")
            self._validate("/components/schemas/Problem", response.get_json())
            assert response.get_json()["status"] == status
            return
        responses = operation["responses"]
        key = str(status) if str(status) in responses else "default"
        if key not in responses:
            raise ContractError(f"{method.upper()} {template} answered {status}, which the description "
                                f"does not document (it has {sorted(responses)})")
        base = f"/paths/{_escape(template)}/{method}/responses/{key}"
        documented, pointer = self._resolve(responses[key], base)
        content = documented.get("content", {})
        if media not in content:
            raise ContractError(f"{method.upper()} {template} {status} answered {media}; documented: {sorted(content)}")
        schema = content[media].get("schema")
        if schema is not None and media.endswith("json"):
            self._validate(f"{pointer}/content/{_escape(media)}/schema", response.get_json())
            if media == "application/problem+json":
                assert response.get_json()["status"] == status
        for header in documented.get("headers", {}):
            if header in ("Location", "Retry-After", "WWW-Authenticate") and header not in response.headers:
                raise ContractError(f"{method.upper()} {template} {status}: documented header {header} missing")
        self.covered.add((method, template, status))
