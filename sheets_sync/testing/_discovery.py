"""Request checks against the official Sheets v4 discovery document, and ``fields`` masks.

The discovery document ships inside google-api-python-client, declared in the ``testing`` extra
(``pip install 'sheets-sync[testing]'``):
``googleapiclient/discovery_cache/documents/sheets.v4.json``.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

_SYSTEM_PARAMS = {"$.xgafv", "access_token", "alt", "callback", "fields", "key", "oauth_token",
                  "prettyPrint", "quotaUser", "uploadType", "upload_protocol"}

# Proto enum type names the discovery document does not carry, by field name.
_ENUM_TYPES = {
    "valueInputOption": "ValueInputOption",
    "valueRenderOption": "ValueRenderOption",
    "responseValueRenderOption": "ValueRenderOption",
    "dateTimeRenderOption": "DateTimeRenderOption",
    "responseDateTimeRenderOption": "DateTimeRenderOption",
    "majorDimension": "Dimension",
    "dimension": "Dimension",
    "insertDataOption": "InsertDataOption",
    "sheetType": "SheetType",
    "autoRecalc": "RecalculationInterval",
    "horizontalAlignment": "HorizontalAlign",
    "verticalAlignment": "VerticalAlign",
    "wrapStrategy": "WrapStrategy",
    "textDirection": "TextDirection",
    "hyperlinkDisplay": "HyperlinkDisplay",
    "visibility": "DeveloperMetadata.DeveloperMetadataVisibility",
    "locationType": "DeveloperMetadataLocation.DeveloperMetadataLocationType",
    "locationMatchingStrategy": "DeveloperMetadataLookup.DeveloperMetadataLocationMatchingStrategy",
    "mergeType": "MergeCellsRequest.MergeType",
    "pasteType": "PasteType",
    "pasteOrientation": "PasteOrientation",
    "sortOrder": "SortOrder",
    "style": "Border.Style",
    "themeColor": "ThemeColorType",
    "commentsViewMode": "CommentsViewMode",
}


# Methods whose HTTP body is one field of the request message: Google names that field first
# in the paths of its messages ("Invalid value at 'data.values[0]'" for values.update).
_BODY_FIELD = {"sheets.spreadsheets.values.update": "data"}
# A cell holding a list or an object, found after the request was parsed: Google names the
# cell inside its ValueRange and shows the value in protobuf text form.
CELL_ERROR = re.compile(r"Invalid values(\[[0-9]+\])+: ")


class DiscoveryMissing(RuntimeError):
    """google-api-python-client (which ships the discovery document) is not installed."""


@functools.lru_cache(maxsize=2)
def discovery_document(name: str = "sheets.v4") -> dict[str, Any]:
    spec = importlib.util.find_spec("googleapiclient")
    if spec is None or not spec.submodule_search_locations:
        raise DiscoveryMissing(
            "the Sheets fake checks every request against Google's discovery document, which "
            "comes with google-api-python-client; install the testing extra "
            "(pip install 'sheets-sync[testing]'), or create the fake with "
            "FakeSheetsAPI(validate=False) to skip the request checks"
        )
    base = Path(next(iter(spec.submodule_search_locations)))
    path = base / "discovery_cache" / "documents" / f"{name}.json"
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value)


class Validator:
    """Checks query parameters and JSON bodies of Sheets v4 methods, with Google's messages."""

    def __init__(self) -> None:
        doc = discovery_document()
        self.schemas: dict[str, Any] = doc["schemas"]
        self.methods: dict[str, Any] = {}
        self._collect(doc.get("resources", {}))

    def _collect(self, resources: dict[str, Any]) -> None:
        for resource in resources.values():
            for method in resource.get("methods", {}).values():
                self.methods[method["id"]] = method
            self._collect(resource.get("resources", {}))

    # ------------------------------------------------------------------ query

    def check_query(self, method_id: str, query: list[tuple[str, str]]) -> list[str]:
        method = self.methods[method_id]
        params = method.get("parameters", {})
        errors: list[str] = []
        for name, value in query:
            if name in _SYSTEM_PARAMS:
                continue
            spec = params.get(name)
            if spec is None or spec.get("location") != "query":
                errors.append(
                    f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query '
                    f"parameter. Field '{name}' could not be found in request message."
                )
                continue
            where = _snake(name)
            kind = spec.get("type")
            if "enum" in spec and value not in spec["enum"]:
                enum_type = _ENUM_TYPES.get(name, name[:1].upper() + name[1:])
                errors.append(
                    f"Invalid value at '{where}' (type.googleapis.com/google.apps.sheets.v4."
                    f'{enum_type}), "{value}"'
                )
            elif kind == "boolean" and value.lower() not in ("true", "false", "1", "0"):
                errors.append(f'Invalid value at \'{where}\' (TYPE_BOOL), "{value}"')
            elif kind == "integer" and not re.fullmatch(r"-?[0-9]+", value):
                errors.append(f'Invalid value at \'{where}\' (TYPE_INT32), "{value}"')
        return errors

    # ------------------------------------------------------------------ body

    def check_body(self, method_id: str, body: Any) -> list[str]:
        ref = self.methods[method_id].get("request", {}).get("$ref")
        if ref is None:
            return []
        errors: list[str] = []
        self._check(body, {"$ref": ref}, _BODY_FIELD.get(method_id, ""), errors)
        return errors

    def _check(self, value: Any, schema: dict[str, Any], path: str, errors: list[str],
               field: str = "") -> None:
        if value is None:
            return
        if "$ref" in schema:
            name = schema["$ref"]
            target = self.schemas[name]
            if not isinstance(value, dict):
                errors.append(
                    f"Invalid value at '{path}' (type.googleapis.com/google.apps.sheets.v4."
                    f"{name}), {_literal(value)}"
                )
                return
            props = target.get("properties", {})
            for key, item in value.items():
                prop = key if key in props else _camel(key) if _camel(key) in props else None
                if prop is None:
                    at = f" at '{path}'" if path else ""
                    errors.append(
                        f'Invalid JSON payload received. Unknown name "{key}"{at}: '
                        "Cannot find field."
                    )
                    continue
                sub = f"{path}.{_snake(prop)}" if path else _snake(prop)
                self._check(item, props[prop], sub, errors, prop)
            return
        kind = schema.get("type")
        if kind == "array":
            items = schema.get("items", {})
            if not isinstance(value, list):
                if items.get("type") == "array":  # a repeated ListValue given one value
                    errors.append(f"Invalid value at '{path}' "
                                  f"(type.googleapis.com/google.protobuf.ListValue), "
                                  f"{_literal(value)}")
                elif "$ref" in items and not isinstance(value, dict):
                    self._check(value, items, path, errors, field)
                else:
                    errors.append(f"Invalid value at '{path}', {_literal(value)}")
                return
            for i, item in enumerate(value):
                if items.get("type") == "array" and not isinstance(item, list):
                    errors.append(
                        f"Invalid value at '{path}[{i}]' "
                        f"(type.googleapis.com/google.protobuf.ListValue), {_literal(item)}"
                    )
                    continue
                self._check(item, items, f"{path}[{i}]", errors, field)
        elif kind == "object":
            if not isinstance(value, dict):
                errors.append(f"Invalid value at '{path}', {_literal(value)}")
                return
            extra = schema.get("additionalProperties", {})
            for key, item in value.items():
                self._check(item, extra, f"{path}[{key}]", errors, field)
        elif kind == "any":
            if isinstance(value, list | dict):
                cell = re.search(r"values(\[[0-9]+\])+$", path)
                errors.append(f"Invalid {cell.group(0) if cell else path}: "
                              f"{proto_text(value)}")
        elif kind == "string":
            if "enum" in schema:
                if value not in schema["enum"] and not (
                    isinstance(value, int) and 0 <= value < len(schema["enum"])
                ):
                    enum_type = _ENUM_TYPES.get(field, field[:1].upper() + field[1:])
                    errors.append(
                        f"Invalid value at '{path}' (type.googleapis.com/google.apps.sheets.v4."
                        f"{enum_type}), {_literal(value)}"
                    )
            elif isinstance(value, list | dict):
                errors.append(f"Invalid value at '{path}' (TYPE_STRING), {_literal(value)}")
        elif kind == "integer":
            ok = (isinstance(value, int) and not isinstance(value, bool)) or (
                isinstance(value, float) and value.is_integer()
            ) or (isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value) is not None)
            if not ok:
                errors.append(f"Invalid value at '{path}' (TYPE_INT32), {_literal(value)}")
        elif kind == "number":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if isinstance(value, str):
                try:
                    float(value)
                    ok = True
                except ValueError:
                    ok = False
            if not ok:
                errors.append(f"Invalid value at '{path}' (TYPE_DOUBLE), {_literal(value)}")
        elif kind == "boolean" and not isinstance(value, bool):
            errors.append(f"Invalid value at '{path}' (TYPE_BOOL), {_literal(value)}")


def _proto_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def proto_text(value: Any, indent: str = "") -> str:
    """A JSON value as protobuf text of google.protobuf.Value, as Google's messages show it:
    ``list_value {\n  values {\n    string_value: "x"\n  }\n}``."""
    inner = indent + "  "
    if isinstance(value, bool):
        return f"bool_value: {'true' if value else 'false'}"
    if isinstance(value, int | float):
        number = int(value) if float(value).is_integer() and abs(value) < 1e15 else value
        return f"number_value: {number}"
    if isinstance(value, str):
        return f"string_value: {_proto_string(value)}"
    if value is None:
        return "null_value: NULL_VALUE"
    if isinstance(value, list):
        parts = "".join(f"{inner}values {{\n{inner}  {proto_text(v, inner + '  ')}\n{inner}}}\n"
                        for v in value)
        return f"list_value {{\n{parts}{indent}}}"
    parts = "".join(
        f"{inner}fields {{\n{inner}  key: {_proto_string(str(k))}\n{inner}  value {{\n"
        f"{inner}    {proto_text(v, inner + '    ')}\n{inner}  }}\n{inner}}}\n"
        for k, v in value.items())
    return f"struct_value {{\n{parts}{indent}}}"


def violation_field(message: str) -> str:
    m = re.search(r"at '([^']*)'", message) or re.search(r'Unknown name "([^"]*)"', message)
    return m.group(1) if m else ""


# ---------------------------------------------------------------------- field masks

Mask = dict[str, "Mask | None"]


def parse_fields(text: str) -> Mask:
    """Parse a partial-response selector: ``a,b/c,d(e,f)``, ``sheets.properties``, ``*``."""
    pos = 0

    def parse_list(end: str) -> Mask:
        nonlocal pos
        mask: Mask = {}
        while pos < len(text) and text[pos] != end:
            path: list[str] = []
            name = ""
            while pos < len(text) and text[pos] not in ",()" and text[pos] != end:
                ch = text[pos]
                if ch in "/.":
                    path.append(name.strip())
                    name = ""
                else:
                    name += ch
                pos += 1
            path.append(name.strip())
            sub: Mask | None = None
            if pos < len(text) and text[pos] == "(":
                pos += 1
                sub = parse_list(")")
                pos += 1
            if path[-1]:
                _insert(mask, path, sub)
            if pos < len(text) and text[pos] == ",":
                pos += 1
        return mask

    return parse_list("\x00")


def _insert(mask: Mask, path: list[str], sub: Mask | None) -> None:
    node = mask
    for part in path[:-1]:
        if part in node and node[part] is None:
            return
        child = node.setdefault(part, {})
        assert child is not None
        node = child
    last = path[-1]
    if sub is None or (last in node and node[last] is None):
        node[last] = None
    else:
        node[last] = _merge(node.get(last) or {}, sub)


def _merge(a: Mask, b: Mask) -> Mask:
    out = dict(a)
    for k, v in b.items():
        if (k in out and out[k] is None) or v is None:
            out[k] = None
        else:
            out[k] = _merge(out.get(k) or {}, v)
    return out


def apply_fields(value: Any, mask: Mask | None) -> Any:
    """Keep only the selected fields of a response (lists are walked through)."""
    if mask is None or "*" in mask:
        return value
    if isinstance(value, list):
        return [apply_fields(v, mask) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, sub in mask.items():
        if key in value:
            kept = apply_fields(value[key], sub)
            if kept != {} or sub is None:
                out[key] = kept
    return out
