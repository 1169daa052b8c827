"""Row rules, declared once and applied by both validation engines.

Each model lists its rules in ``row_rules``. The pydantic models apply them
row by row (:func:`first_violation`); the columnar validator
(:mod:`cecot_data.validate.row_rules`) applies the same declarations to whole columns.
Both report the same message, so a contributor sees one wording whichever
engine found the problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import edtf

# Words are runs of characters between ASCII whitespace; the same definition
# in Python and in the columnar engine's RE2 expressions.
WHITESPACE_RUN = r"[ \t\n\r\f\v]+"
_WHITESPACE = re.compile(WHITESPACE_RUN)


def word_count(text: str) -> int:
    """Number of words in a trimmed text, words split by ASCII whitespace."""
    return len(_WHITESPACE.split(text)) if text else 0


def too_many_words(text: str, limit: int) -> str | None:
    """The message for a text over ``limit`` words, else None."""
    words = word_count(text)
    return f"has {words} words; keep evidence short (at most {limit})" if words > limit else None


@dataclass(frozen=True)
class Together:
    """Both fields are set, or neither."""

    first: str
    second: str

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.first, self.second)

    def summary(self) -> str:
        return f"`{self.first}` and `{self.second}` are given together or not at all."

    def summary_es(self) -> str:
        return f"`{self.first}` y `{self.second}` se dan juntos o no se da ninguno."

    def message(self) -> str:
        return f"{self.first} and {self.second} must be given together"

    def check(self, row: Mapping[str, Any]) -> str | None:
        return self.message() if (row.get(self.first) is None) != (row.get(self.second) is None) else None


@dataclass(frozen=True)
class Differ:
    """When both are set, the two fields hold different values."""

    first: str
    second: str

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.first, self.second)

    def summary(self) -> str:
        return f"`{self.first}` differs from `{self.second}`."

    def summary_es(self) -> str:
        return f"`{self.first}` es distinto de `{self.second}`."

    def message(self) -> str:
        return f"{self.first} must differ from {self.second}"

    def check(self, row: Mapping[str, Any]) -> str | None:
        a, b = row.get(self.first), row.get(self.second)
        return self.message() if a is not None and a == b else None


@dataclass(frozen=True)
class DateOrder:
    """The EDTF date in ``first`` cannot lie entirely after the one in ``second``."""

    first: str
    second: str

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.first, self.second)

    def summary(self) -> str:
        return f"`{self.first}` does not lie entirely after `{self.second}`."

    def summary_es(self) -> str:
        return f"`{self.first}` no cae por entero después de `{self.second}`."

    def message(self, first: str, second: str) -> str:
        return f"{self.first} ({first}) is after {self.second} ({second})"

    def check(self, row: Mapping[str, Any]) -> str | None:
        a, b = row.get(self.first), row.get(self.second)
        if a is None or b is None:
            return None
        return self.message(a, b) if edtf.parse(a).earliest > edtf.parse(b).latest else None


# For each qualifier: whether value, lower_bound and upper_bound are set.
QUALIFIER_SHAPES: dict[str, tuple[bool, bool, bool]] = {
    "exact": (True, False, False),
    "approximate": (True, False, False),
    "at_least": (False, True, False),
    "at_most": (False, False, True),
    # "nearly 300": below 300 and close to it; only the bound is a figure, so it never reads as 300.
    "nearly": (False, False, True),
    "range": (False, True, True),
    "vague": (False, False, False),
}
BOUND_FIELDS = ("value", "lower_bound", "upper_bound")


@dataclass(frozen=True)
class QualifierShape:
    """The qualifier fixes which of value, lower_bound and upper_bound are set; lower ≤ upper."""

    @property
    def fields(self) -> tuple[str, ...]:
        return ("qualifier", *BOUND_FIELDS)

    def summary(self) -> str:
        shapes = "; ".join(
            f"`{q}`: " + (", ".join(f"`{n}`" for n, e in zip(BOUND_FIELDS, shape, strict=True) if e) or "no number")
            for q, shape in QUALIFIER_SHAPES.items()
        )
        return f"The qualifier fixes which numbers are set ({shapes}); `lower_bound` ≤ `upper_bound`."

    def summary_es(self) -> str:
        shapes = "; ".join(
            f"`{q}`: " + (", ".join(f"`{n}`" for n, e in zip(BOUND_FIELDS, shape, strict=True) if e) or "ningún número")
            for q, shape in QUALIFIER_SHAPES.items()
        )
        return f"El calificador fija qué números se dan ({shapes}); `lower_bound` ≤ `upper_bound`."

    @staticmethod
    def shape_message(qualifier: str) -> str:
        expected = QUALIFIER_SHAPES[qualifier]
        need = [n for n, e in zip(BOUND_FIELDS, expected, strict=True) if e] or [
            "none of value/lower_bound/upper_bound"
        ]
        return f"qualifier {qualifier!r} needs {', '.join(need)} set and the others empty"

    @staticmethod
    def order_message(low: float, high: float) -> str:
        return f"lower_bound {low:g} is greater than upper_bound {high:g}"

    def check(self, row: Mapping[str, Any]) -> str | None:
        qualifier = row.get("qualifier")
        if qualifier not in QUALIFIER_SHAPES:
            return None  # the enum check reports it
        actual = tuple(row.get(n) is not None for n in BOUND_FIELDS)
        if actual != QUALIFIER_SHAPES[qualifier]:
            return self.shape_message(qualifier)
        low, high = row.get("lower_bound"), row.get("upper_bound")
        if low is not None and high is not None and low > high:
            return self.order_message(low, high)
        return None


# Words that fix how a figure may be qualified: what the words say, the words themselves (an "N"
# stands for a figure: "hasta" also opens dates, "hasta esta fecha", and only bounds a figure it
# precedes), and the qualifiers they allow. Matched case-insensitively in the source's own words
# (``stated_as``), between non-letters, so that Python's ``re`` and the columnar engine's RE2 agree.
@dataclass(frozen=True)
class QualifierWords:
    """One class of words and the qualifiers they allow."""

    label: str
    words: tuple[str, ...]
    allowed: frozenset[str]

    @property
    def pattern(self) -> str:
        return words_pattern(self.words)


def words_pattern(words: tuple[str, ...]) -> str:
    """A regex matching any of ``words`` between non-letters ("N" in a word stands for a figure)."""
    # Only regex metacharacters are escaped (RE2 refuses some of re.escape's escapes, such as "\\ ").
    escaped = (re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", w) for w in words)
    alternatives = "|".join(w.replace(" N", " [0-9]") for w in escaped)
    return f"(^|{_NOT_LETTER})({alternatives})({_NOT_LETTER}|$)"


_NOT_LETTER = "[^A-Za-z\u00c0-\u024f]"

QUALIFIER_WORDS: tuple[QualifierWords, ...] = (
    QualifierWords(
        "nearly",
        ("nearly", "almost", "just under", "casi", "poco menos de", "quasi"),
        frozenset({"nearly"}),
    ),
    QualifierWords(
        "more than",
        (
            "more than",
            "over",
            "at least",
            "upwards of",
            "exceeds",
            "exceed",
            "exceeding",
            "in excess of",
            "más de",
            "mas de",
            "al menos",
            "por lo menos",
            "superior a",
            "superiores a",
            "supera",
            "superan",
            "minstens",
            "più di",
            "almeno",
            "ponad",
        ),
        frozenset({"at_least"}),
    ),
    QualifierWords(
        "up to",
        (
            "up to N",
            "less than",
            "fewer than",
            "under N",
            "at most",
            "hasta N",
            "hasta los N",
            "hasta las N",
            "hasta unos N",
            "menos de",
            "a lo sumo",
        ),
        frozenset({"at_most", "nearly"}),
    ),
    QualifierWords(
        "about",
        (
            "about",
            "around",
            "approximately",
            "roughly",
            "some",
            "circa",
            "an estimated",
            "aproximadamente",
            "alrededor de",
            "cerca de",
            "unos",
            "unas",
            "aprox",
        ),
        frozenset({"approximate", "range", "vague"}),
    ),
    QualifierWords(
        "reached",
        ("reached", "reaches", "alcanzó", "alcanza", "alcanzan", "llegó a", "ya suman", "asciende a"),
        frozenset({"exact", "approximate", "at_least"}),
    ),
)


@dataclass(frozen=True)
class WordingFitsQualifier:
    """A figure's own words (``field``, e.g. stated_as) allow its qualifier: "nearly 300" is never exact."""

    field: str

    @property
    def fields(self) -> tuple[str, ...]:
        return ("qualifier", self.field)

    def summary(self) -> str:
        kinds = "; ".join(
            f"{', '.join(repr(w) for w in c.words)} need {' or '.join(f'`{q}`' for q in sorted(c.allowed))}"
            for c in QUALIFIER_WORDS
        )
        return f"The figure's own words in `{self.field}` fit its qualifier (N is a figure): {kinds}."

    def summary_es(self) -> str:
        kinds = "; ".join(
            f"{', '.join(repr(w) for w in c.words)} exigen {' o '.join(f'`{q}`' for q in sorted(c.allowed))}"
            for c in QUALIFIER_WORDS
        )
        opening = f"Las palabras de la propia cifra en `{self.field}` concuerdan con su calificador"
        return f"{opening} (N es una cifra): {kinds}."

    def message(self, words: str, allowed: frozenset[str], qualifier: str) -> str:
        needs = " or ".join(sorted(allowed))
        return f"{self.field} says {words!r}, which needs qualifier {needs}, not {qualifier!r}"

    def wording_message(self, text: str, qualifier: str) -> str | None:
        """The message for the first class of words in ``text`` that ``qualifier`` breaks, else None."""
        for words in QUALIFIER_WORDS:
            if qualifier not in words.allowed and re.search(words.pattern, text, re.IGNORECASE):
                return self.message(words.label, words.allowed, qualifier)
        return None

    def check(self, row: Mapping[str, Any]) -> str | None:
        text, qualifier = row.get(self.field), row.get("qualifier")
        if not isinstance(text, str) or not isinstance(qualifier, str):
            return None
        if QualifierShape().check(row) is not None:
            return None  # one problem for one wrong qualifier: the shape rule reports it
        return self.wording_message(text, qualifier)


@dataclass(frozen=True)
class Implies:
    """When ``field`` takes one of ``values``, ``then_field`` must equal ``then_value``."""

    field: str
    values: frozenset[str]
    then_field: str
    then_value: Any

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.then_field, self.field)

    def summary(self) -> str:
        values = ", ".join(f"`{v}`" for v in sorted(self.values))
        shown = str(self.then_value).lower() if isinstance(self.then_value, bool) else repr(self.then_value)
        return f"A row whose `{self.field}` is {values} has `{self.then_field}` = {shown}."

    def summary_es(self) -> str:
        values = " o ".join(f"`{v}`" for v in sorted(self.values))
        shown = str(self.then_value).lower() if isinstance(self.then_value, bool) else repr(self.then_value)
        return f"Una fila cuyo `{self.field}` es {values} tiene `{self.then_field}` = {shown}."

    def message(self, value: str) -> str:
        shown = str(self.then_value).lower() if isinstance(self.then_value, bool) else repr(self.then_value)
        return f"a row with {self.field} {value!r} must have {self.then_field} = {shown}"

    def check(self, row: Mapping[str, Any]) -> str | None:
        value = row.get(self.field)
        if value in self.values and row.get(self.then_field) != self.then_value:
            return self.message(value)
        return None


@dataclass(frozen=True)
class ExactlyOne:
    """Exactly one of the fields is set."""

    choices: tuple[str, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return self.choices

    def summary(self) -> str:
        return f"Exactly one of {', '.join(f'`{c}`' for c in self.choices)} is set."

    def summary_es(self) -> str:
        return f"Exactamente una de {', '.join(f'`{c}`' for c in self.choices)} tiene valor."

    def message(self, found: int) -> str:
        return f"exactly one of {', '.join(self.choices)} must be set (found {found})"

    def check(self, row: Mapping[str, Any]) -> str | None:
        found = sum(row.get(c) is not None for c in self.choices)
        return self.message(found) if found != 1 else None


@dataclass(frozen=True)
class NamesFieldOf:
    """``field`` names a column of the table that the set target column points into."""

    field: str
    targets: tuple[tuple[str, str, frozenset[str]], ...]  # (target column, table, that table's columns)

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field, *(t[0] for t in self.targets))

    def summary(self) -> str:
        return f"`{self.field}` names a column of the table the set target column points into."

    def summary_es(self) -> str:
        return f"`{self.field}` nombra una columna de la tabla a la que apunta la columna de destino que tiene valor."

    def message(self, name: str, table: str) -> str:
        return f"field {name!r} is not a field of {table}"

    def check(self, row: Mapping[str, Any]) -> str | None:
        name = row.get(self.field)
        if name is None:
            return None
        for column, table, names in self.targets:
            if row.get(column) is not None and name not in names:
                return self.message(name, table)
        return None


Rule = Together | Differ | DateOrder | QualifierShape | WordingFitsQualifier | Implies | ExactlyOne | NamesFieldOf


def violations(rules: tuple[Rule, ...], row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field to blame, message) for every rule a row breaks."""
    out = []
    for rule in rules:
        message = rule.check(row)
        if message is not None:
            out.append((rule.fields[0], message))
    return out
