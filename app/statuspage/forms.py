"""Request bodies the way Statuspage clients send them: JSON whatever the Content-Type says,
or Rails-style forms (`incident[components][ID]=major_outage`, `incident[component_ids][]=ID`).

Pure functions; errors are `InvalidInput` naming the offending field. `read` turns the
`{"incident": {...}}` object of a parsed body into the request struct a handler expects.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

import msgspec

from app.lib.errors import InvalidInput

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")
_TRUE = {"t", "true", "1", "on", "yes", "y"}
_FALSE = {"f", "false", "0", "off", "no", "n", ""}
# Fields that Statuspage clients send as Rails booleans ("1", "t", "true", ...).
_BOOLS = {"deliver_notifications", "skip_confirmation_notification"}


def parse_body(raw: bytes, content_type: str | None) -> dict[str, Any]:
    """A request body as a dict: JSON if it looks like JSON (some clients send none or the
    wrong Content-Type), else a Rails-style form. An empty body is an empty dict."""
    text = raw.decode("utf-8", errors="replace").strip()
    if not text:
        return {}
    if text[0] in "{[" or "json" in (content_type or "").lower():
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise InvalidInput(f"the body is not valid JSON ({exc})", field="body") from None
        if not isinstance(value, dict):
            raise InvalidInput("the body must be a JSON object", field="body")
        return value
    return parse_rails_form(text)


def parse_rails_form(text: str) -> dict[str, Any]:
    """`a[b][]=1&a[b][]=2&a[c][d]=x&e=y` -> {"a": {"b": ["1", "2"], "c": {"d": "x"}}, "e": "y"}."""
    result: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        match = _KEY.match(key)
        if match is None:
            raise InvalidInput(f"{key}: not a form field name", field=key)
        path = [match.group(1), *_PART.findall(match.group(2))]
        _assign(result, path, value, key)
    return result


def _assign(target: dict[str, Any], path: list[str], value: str, key: str) -> None:
    node: Any = target
    for index, part in enumerate(path):
        last = index == len(path) - 1
        following = None if last else path[index + 1]
        if part == "":  # `[]`: append to a list
            if not isinstance(node, list):
                raise InvalidInput(f"{key}: mixes a list with named fields", field=key)
            if not last:
                raise InvalidInput(f"{key}: lists of objects are not supported", field=key)
            node.append(value)
            return
        if not isinstance(node, dict):
            raise InvalidInput(f"{key}: mixes a list with named fields", field=key)
        if last:
            if isinstance(node.get(part), dict | list):
                raise InvalidInput(f"{key}: given both as a value and as a group", field=key)
            node[part] = value
            return
        child = node.get(part)
        if child is None:
            child = [] if following == "" else {}
            node[part] = child
        elif not isinstance(child, dict | list):
            raise InvalidInput(f"{key}: given both as a value and as a group", field=key)
        node = child


def rails_bool(value: Any, field: str) -> bool:
    """Booleans as Rails casts them: true/false, t/f, 1/0, on/off, yes/no."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise InvalidInput(f"{field} must be true or false, got {value!r}", field=field)


def read(body: dict[str, Any], key: str, model: type[Any]) -> Any:
    """The `{key: {...}}` object of a request as `model`, or a 422 naming the field."""
    raw = body.get(key, {})
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InvalidInput(f"{key} must be an object", field=key)
    if "translations" in raw:
        # Statuspage has no such field: words here are the site's language only, rather
        # than other languages dropped without a word.
        raise InvalidInput(
            f"{key}[translations]: the Manage API takes words in the site's language only; "
            "write other languages with the drafts API (/api/v1/incidents/{id}/drafts)",
            field=f"{key}[translations]",
        )
    raw = {
        k: (rails_bool(v, f"{key}[{k}]") if k in _BOOLS and v is not None else v)
        for k, v in raw.items()
    }
    if raw.get("deliver_notifications") is None:
        raw.pop("deliver_notifications", None)
    try:
        return msgspec.convert(raw, model, strict=False)
    except msgspec.ValidationError as exc:
        path = str(exc).rsplit("at `$.", 1)
        field = path[1].rstrip("`").split("[")[0].split(".")[0] if len(path) == 2 else key
        raise InvalidInput(f"{key}[{field}]: {exc}", field=f"{key}[{field}]") from None
