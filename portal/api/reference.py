"""The reference page's content, read from the OpenAPI document (``spec.build_spec``):
operations with their parameters, body fields and responses, the schemas as tables, so
that the page and the description can never disagree."""
from __future__ import annotations

import re

from markupsafe import Markup, escape

METHODS = ("get", "post", "put", "patch", "delete")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


def inline(text: str) -> Markup:
    """The description's `code` and **bold** as HTML; everything else escaped."""
    html = str(escape(text or ""))
    html = _CODE.sub(r"<code>\1</code>", html)
    return Markup(_BOLD.sub(r"<strong>\1</strong>", html))


def paragraphs(text: str) -> list[Markup]:
    return [inline(p.strip()) for p in (text or "").split("\n\n") if p.strip()]


def _resolve(spec: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        node = _pointer(spec, node["$ref"])
    return node


def _pointer(spec: dict, ref: str) -> dict:
    node = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def schema_name(schema: dict) -> str | None:
    ref = (schema or {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref.startswith("#/components/schemas/") else None


def type_text(schema: dict) -> str:
    """A short, readable type: "string (date-time) or null", "array of Candidate", "one of ..."."""
    if not schema:
        return "any"
    name = schema_name(schema)
    if name:
        return name
    if "oneOf" in schema:
        return " or ".join(type_text(s) for s in schema["oneOf"])
    kinds = schema.get("type", "object")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    words = []
    for kind in kinds:
        if kind == "array":
            words.append("array of " + type_text(schema.get("items", {})))
        elif kind == "string" and schema.get("format"):
            words.append(f"string ({schema['format']})")
        else:
            words.append(kind)
    text = " or ".join(words)
    if "enum" in schema:
        text += ": " + ", ".join(str(v) for v in schema["enum"] if v is not None)
    if "minimum" in schema and "maximum" in schema:
        text += f" ({schema['minimum']}–{schema['maximum']})"
    elif "minimum" in schema:
        text += f" (at least {schema['minimum']})"
    elif "maximum" in schema:
        text += f" (at most {schema['maximum']})"
    if "maxLength" in schema:
        text += f", at most {schema['maxLength']} characters"
    if "default" in schema:
        text += f", default {str(schema['default']).lower()}"
    return text


def fields(schema: dict) -> list[dict]:
    required = set(schema.get("required", []))
    return [{"name": name, "type": type_text(prop), "required": name in required,
             "description": inline(prop.get("description", ""))}
            for name, prop in schema.get("properties", {}).items()]


def operations(spec: dict) -> list[dict]:
    result = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [_resolve(spec, p) for p in op.get("parameters", [])]
            body = None
            if "requestBody" in op:
                schema = op["requestBody"]["content"]["application/json"]["schema"]
                body = {"name": schema_name(schema), "fields": fields(_resolve(spec, schema))}
            responses = []
            for status, response in op["responses"].items():
                response = _resolve(spec, response)
                media = next(iter(response.get("content", {}) or {"": {}}))
                schema = (response.get("content") or {}).get(media, {}).get("schema", {})
                responses.append({"status": status, "description": inline(response.get("description", "")),
                                  "media": media, "schema": schema_name(schema)})
            result.append({
                "id": op["operationId"], "method": method.upper(), "path": spec["servers"][0]["url"] + path,
                "summary": op["summary"], "description": paragraphs(op.get("description", "")),
                "scope": op.get("x-required-scope"),
                "parameters": [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                                "type": type_text(p.get("schema", {})),
                                "description": inline(p.get("description", ""))} for p in params],
                "body": body, "responses": responses,
            })
    return result


def schemas(spec: dict) -> list[dict]:
    return [{"name": name, "description": inline(schema.get("description", "")), "fields": fields(schema)}
            for name, schema in spec["components"]["schemas"].items() if "properties" in schema]
