"""JSON read strictly, for input nobody vouches for: every oddity a finding with its place, never a crash.

:func:`loads` parses like :func:`json.loads`, but a repeated key, NaN or
Infinity, a number too large to mean anything here, or nesting deeper than
:data:`MAX_DEPTH` becomes a :class:`Finding` (where, and what), and the value
is replaced by an :class:`Invalid` marker, so the rest of the document can
still be checked and each bad value is reported once. Only text that is not
JSON at all raises (:class:`json.JSONDecodeError`).
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 32  # a Data Package descriptor needs about six levels
MAX_NUMBER_CHARS = 40  # bytes of a file fit in 20 digits


@dataclass(frozen=True)
class Invalid:
    """Stands where a value could not be taken as it was written; its finding says why."""

    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class Finding:
    """One value of a JSON document that was refused: its place (``resources[0].bytes``) and why."""

    place: str
    message: str


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it was given more than once."""

    repeated: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = _Object(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        out.repeated = tuple(dict.fromkeys(k for k, _ in pairs if k in seen or seen.add(k)))  # type: ignore[func-returns-value]
    return out


def _integer(text: str) -> int | Invalid:
    if len(text) > MAX_NUMBER_CHARS:
        return Invalid(f"a number of {len(text)} digits")
    return int(text)


def _number(text: str) -> float | Invalid:
    value = float(text) if len(text) <= MAX_NUMBER_CHARS else float("inf")
    if value in (float("inf"), float("-inf")):
        return Invalid(f"a number out of range ({text[:20]}{'...' if len(text) > 20 else ''})")
    return value


def _constant(name: str) -> Invalid:
    return Invalid(f"{name} (not a JSON number)")


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _flatten_deep(text: str, marker: str) -> str:
    """``text`` with every array or object nested deeper than MAX_DEPTH replaced by the string ``marker``.

    Used only when the parser itself gives up (Python's JSON parser recurses).
    """
    out: list[str] = []
    depth, start, copied = 0, -1, 0
    for match in _TOKEN.finditer(text):
        piece = match.group()
        if piece in "[{":
            depth += 1
            if depth == MAX_DEPTH + 1:
                start = match.start()
        elif piece in "]}":
            if depth == MAX_DEPTH + 1 and start >= 0:
                out += [text[copied:start], json.dumps(marker)]
                copied, start = match.end(), -1
            depth -= 1
    out.append(text[copied:] if start < 0 else text[copied:start] + json.dumps(marker))
    return "".join(out)


def loads(text: str) -> tuple[Any, list[Finding]]:
    """Parse ``text``; returns the value (oddities replaced by :class:`Invalid`) and the findings.

    >>> for finding in loads('{"a": 1, "a": 2, "b": NaN}')[1]:
    ...     print(finding.place, finding.message)
    a the key 'a' is given more than once
    b NaN (not a JSON number)
    """
    marker = f"cecot-too-deep-{secrets.token_hex(8)}"
    options: dict[str, Any] = {
        "object_pairs_hook": _pairs,
        "parse_int": _integer,
        "parse_float": _number,
        "parse_constant": _constant,
    }
    try:
        value = json.loads(text, **options)
    except RecursionError:
        value = json.loads(_flatten_deep(text, marker), **options)
    findings: list[Finding] = []
    root = [value]
    stack: list[tuple[Any, Any, str, int]] = [(root, 0, "", 0)]  # (container, key, place, depth)
    while stack:
        container, key, place, depth = stack.pop()
        item = container[key]
        if item == marker or (depth > MAX_DEPTH and isinstance(item, (dict, list))):
            container[key] = Invalid("nested too deeply")
            findings.append(Finding(place or "(top)", f"nested more than {MAX_DEPTH} levels deep"))
        elif isinstance(item, Invalid):
            findings.append(Finding(place or "(top)", item.reason))
        elif isinstance(item, dict):
            for name in getattr(item, "repeated", ()):
                findings.append(Finding(_join(place, name), f"the key {name!r} is given more than once"))
            stack.extend((item, name, _join(place, name), depth + 1) for name in reversed(list(item)))
        elif isinstance(item, list):
            stack.extend((item, i, f"{place}[{i}]", depth + 1) for i in reversed(range(len(item))))
    return root[0], findings


def _join(place: str, name: str) -> str:
    return f"{place}.{name}" if place else name
