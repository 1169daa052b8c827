"""One frozen pydantic model per table: the single definition of every field.

The Table Schemas in ``schemas/``, the descriptor's schemas, the Arrow schemas
of the Parquet files and ``docs/data-dictionary.md`` are all generated from
these classes (see :mod:`cecot_data.schema`). Change a field here, run
``cecot-data build``, and commit what it writes.

Rules that span rows or tables (keys, foreign keys, dates across tables) live
in :mod:`cecot_data.validate`; rules about one row live here.

No ``from __future__ import annotations`` here: pydantic would then have to
evaluate every annotation from its string at class creation (see
benchmarks/startup.py; it cost about 6 ms of ``load_events()``).
"""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from . import edtf
from .rules import (
    DateOrder,
    Differ,
    ExactlyOne,
    Implies,
    NamesFieldOf,
    QualifierShape,
    Rule,
    Together,
    WordingFitsQualifier,
    too_many_words,
    violations,
)
from .tables import TableName

# ---------------------------------------------------------------------------
# Field markers: metadata read by the schema generators.


@dataclass(frozen=True)
class References:
    """Marks a field as a foreign key to ``table.field``."""

    table: str
    field: str


@dataclass(frozen=True)
class EdtfDate:
    """Marks a string field as an EDTF date; Parquet adds derived columns for it."""


# ---------------------------------------------------------------------------
# Shared annotated types.

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# No leading or trailing whitespace, at least one character: an empty CSV
# cell always means null, so an empty string can never be a value. Plain
# groups only: Table Schema patterns are XML Schema regexes.
TEXT_PATTERN = r"^[^ \t\n\r]([\s\S]*[^ \t\n\r])?$"
QUOTE_MAX_WORDS = 40
URL_PATTERN = r"^https?://[^ \t\n\r]+$"


def _check_edtf(text: str) -> str:
    edtf.parse(text)
    return text


def es(title: str, description: str, **extra: str) -> JsonDict:
    """A column's Spanish title and description (and extras such as its unit), for ``json_schema_extra``.

    The English description is the field's ``description``; the Spanish one
    sits beside it on the same field, so both are defined once, here.
    """
    out: JsonDict = {"title_es": title, "description_es": description}
    out.update(extra)
    return out


@dataclass(frozen=True)
class MaxWords:
    """Marks a text field with a word limit (checked by both validation engines)."""

    limit: int


def _check_quote_length(text: str) -> str:
    message = too_many_words(text, QUOTE_MAX_WORDS)
    if message is not None:
        raise ValueError(f"quote {message}")
    return text


Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=100)]
Text = Annotated[str, Field(pattern=TEXT_PATTERN, max_length=2000)]
Quote = Annotated[
    str,
    Field(pattern=TEXT_PATTERN, max_length=400),
    AfterValidator(_check_quote_length),
    MaxWords(QUOTE_MAX_WORDS),
]
Edtf = Annotated[str, Field(pattern=edtf.PATTERN), AfterValidator(_check_edtf), EdtfDate()]
SUBDIVISION_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{1,3}$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Z]{2})?$"
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
SubdivisionCode = Annotated[str, Field(pattern=SUBDIVISION_PATTERN)]
Url = Annotated[str, Field(pattern=URL_PATTERN, max_length=2000)]
FieldName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
LanguageTag = Annotated[str, Field(pattern=LANGUAGE_PATTERN)]
NonNegative = Annotated[float, Field(ge=0)]

SourceRef = Annotated[Slug, References("sources", "source_id")]
FacilityRef = Annotated[Slug, References("facilities", "facility_id")]
InstrumentRef = Annotated[Slug, References("legal_instruments", "instrument_id")]
EventRef = Annotated[Slug, References("events", "event_id")]
CountRef = Annotated[Slug, References("population_counts", "count_id")]
QuantityRef = Annotated[Slug, References("facility_quantities", "quantity_id")]

Qualifier = Literal["exact", "approximate", "at_least", "at_most", "nearly", "range", "vague"]
Basis = Literal["record", "estimate", "claim"]
ClaimantKind = Literal[
    "government",
    "court",
    "ngo",
    "news_agency",
    "news_outlet",
    "international_org",
    "academic",
    "reference_work",
]
SourceKind = Literal[
    "court_record",
    "government_document",
    "wire_agency",
    "news_outlet",
    "ngo_report",
    "reference_work",
    "commentary",
    "mirror",
    "aggregator",
    "paraphrase",
]
# Sources of these kinds are always weak evidence; curators may mark others weak too.
WEAK_SOURCE_KINDS: frozenset[str] = frozenset({"aggregator", "paraphrase"})

CLAIM_GROUP_FIELD = Field(
    default=None,
    description=(
        "Rows that make claims about the same thing (the same quantity at about the same time, or the "
        "same happening) share this slug, so disagreements can be listed side by side with "
        "`cecot-data claims GROUP`; null for a claim no other row disputes or repeats."
    ),
    json_schema_extra=es(
        "grupo de afirmaciones",
        "Las filas que afirman algo sobre lo mismo (la misma cantidad en torno a la misma fecha, o el mismo "
        "suceso) comparten este identificador, de modo que los desacuerdos se leen lado a lado con "
        "`cecot-data claims GRUPO`; nulo para una afirmación que ninguna otra fila discute ni repite.",
    ),
)

_QUALIFIER_DOC = (
    "How the source states the figure: exact (a specific figure), approximate "
    "('about', 'some', 'roughly'), at_least ('more than', 'over', 'at least'), "
    "at_most ('up to', 'less than'), nearly ('nearly', 'almost', 'casi': below upper_bound but close to it, "
    "never read as upper_bound or more), range ('65 to 70'), vague (words only, such as 'hundreds')."
)
_QUALIFIER_DOC_ES = (
    "Cómo expresa la fuente la cifra: exact (una cifra concreta), approximate («unos», «alrededor de», "
    "«aproximadamente»), at_least («más de», «al menos», «por lo menos»), at_most («hasta», «menos de»), "
    "nearly («casi», «poco menos de»: por debajo de upper_bound pero cerca, nunca se lee como upper_bound o "
    "más), range («de 65 a 70»), vague (solo palabras, como «cientos»)."
)
_QUANTITY_UNIT = "that of the measure or attribute (people, places, percent, per 100,000, km, ha, ...)"
_QUANTITY_UNIT_ES = "la de la medida o el atributo (personas, plazas, por ciento, por cada 100 000, km, ha, ...)"
_BASIS_DOC = (
    "What the figure rests on, as the source tells it: record (a register, list, census or "
    "document the claimant keeps or cites), estimate (a calculation or estimate by the claimant), "
    "claim (asserted, with no basis given or published)."
)

_BASIS_DOC_ES = (
    "En qué se apoya la cifra, según la fuente: record (un registro, lista, censo o documento que el "
    "declarante lleva o cita), estimate (un cálculo o una estimación del declarante), claim (una afirmación "
    "sin fundamento indicado ni publicado)."
)

SOURCE_ID_FIELD = Field(
    description="The source that backs this row (`sources.source_id`).",
    json_schema_extra=es("fuente", "La fuente que respalda esta fila (`sources.source_id`)."),
)
QUOTE_FIELD = Field(
    description=(
        "Short verbatim passage from the source that supports this row, "
        f"in the source's language (at most {QUOTE_MAX_WORDS} words)."
    ),
    json_schema_extra=es(
        "cita",
        "Pasaje breve y literal de la fuente que respalda esta fila, en el idioma de la fuente "
        f"(como máximo {QUOTE_MAX_WORDS} palabras).",
    ),
)
NOTES_FIELD = Field(
    default=None,
    description="Curator's note: context, caveats, how a value was read.",
    json_schema_extra=es("notas", "Nota de la curaduría: contexto, salvedades, cómo se leyó un valor."),
)


class Record(BaseModel):
    """Base of every table's model: frozen, no extra fields, a declared key."""

    # defer_build: a model's validator is built on its first use, so that loading one
    # table does not pay for building all of them (see benchmarks/startup.py).
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True, defer_build=True)

    table_name: ClassVar[TableName]
    table_title: ClassVar[str]
    # The table's title and one-line description in Spanish (the English description is the docstring's first line).
    table_title_es: ClassVar[str]
    table_description_es: ClassVar[str]
    primary_key: ClassVar[tuple[str, ...]]
    # Rules about one row that span fields (see cecot_data.rules).
    row_rules: ClassVar[tuple[Rule, ...]] = ()

    def key(self) -> tuple[Any, ...]:
        """The primary-key values of this row."""
        return tuple(getattr(self, name) for name in self.primary_key)

    @model_validator(mode="after")
    def _row_rules(self) -> "Record":
        found = violations(self.row_rules, self.__dict__)
        if found:
            raise ValueError("; ".join(message for _, message in found))
        return self


class QuantityClaim(Record):
    """Fields shared by every table that records a figure as a claim."""

    value: NonNegative | None = Field(
        default=None,
        description="The figure itself when the source states a single figure (exact or approximate); null otherwise.",
        json_schema_extra=es(
            "valor",
            "La cifra misma, cuando la fuente da una sola cifra (exacta o aproximada); nulo en otro caso.",
            unit=_QUANTITY_UNIT,
            unit_es=_QUANTITY_UNIT_ES,
        ),
    )
    lower_bound: NonNegative | None = Field(
        default=None,
        description="Lowest value the claim allows (at_least, range); null when it sets none.",
        json_schema_extra=es(
            "cota inferior",
            "El valor más bajo que admite la afirmación (at_least, range); nulo si no fija ninguno.",
            unit=_QUANTITY_UNIT,
            unit_es=_QUANTITY_UNIT_ES,
        ),
    )
    upper_bound: NonNegative | None = Field(
        default=None,
        description=(
            "Highest value the claim allows (at_most, range; for nearly, the figure the claim stays just "
            "under); null when it sets none."
        ),
        json_schema_extra=es(
            "cota superior",
            "El valor más alto que admite la afirmación (at_most, range; en nearly, la cifra de la que queda "
            "justo por debajo); nulo si no fija ninguno.",
            unit=_QUANTITY_UNIT,
            unit_es=_QUANTITY_UNIT_ES,
        ),
    )
    qualifier: Qualifier = Field(description=_QUALIFIER_DOC, json_schema_extra=es("calificador", _QUALIFIER_DOC_ES))
    stated_as: Text = Field(
        description="The figure in the source's own words, e.g. 'about 110,000', 'up to 40,000', 'hundreds'.",
        json_schema_extra=es(
            "cifra textual",
            "La cifra con las palabras de la fuente, p. ej. 'about 110,000', 'hasta 40.000', 'cientos'.",
        ),
    )
    as_of: Edtf | None = Field(
        default=None,
        description="EDTF date the figure refers to, at the precision the source gives; null when not stated.",
        json_schema_extra=es(
            "fecha de referencia",
            "Fecha EDTF a la que se refiere la cifra, con la precisión que da la fuente; nulo si no se indica.",
        ),
    )
    basis: Basis = Field(description=_BASIS_DOC, json_schema_extra=es("fundamento", _BASIS_DOC_ES))
    claimant: Text = Field(
        description="Who makes the claim: the body or office whose figure this is, as the source attributes it.",
        json_schema_extra=es(
            "declarante",
            "Quién hace la afirmación: el organismo o cargo al que pertenece la cifra, según se la atribuye la fuente.",
        ),
    )
    claimant_kind: ClaimantKind = Field(
        description="What kind of body the claimant is.",
        json_schema_extra=es("tipo de declarante", "Qué clase de organismo es el declarante."),
    )
    claim_group: Slug | None = CLAIM_GROUP_FIELD

    row_rules: ClassVar[tuple[Rule, ...]] = (QualifierShape(), WordingFitsQualifier("stated_as"))


class Source(Record):
    """The bibliography: every page, document or report a row cites."""

    table_name: ClassVar[TableName] = "sources"
    table_title: ClassVar[str] = "Sources"
    table_title_es: ClassVar[str] = "Fuentes"
    table_description_es: ClassVar[str] = "La bibliografía: cada página, documento o informe que cita alguna fila."
    primary_key: ClassVar[tuple[str, ...]] = ("source_id",)

    source_id: Slug = Field(
        description="Stable identifier of the source, e.g. 'ap-2025-03-17-cecot-explainer'.",
        json_schema_extra=es(
            "identificador de la fuente", "Identificador estable de la fuente, p. ej. 'ap-2025-03-17-cecot-explainer'."
        ),
    )
    title: Text | None = Field(
        default=None,
        description="Headline or document title as shown; null when not shown.",
        json_schema_extra=es("título", "Titular o título del documento tal como aparece; nulo si no aparece."),
    )
    publisher: Text = Field(
        description="Who published this copy; for a repost, the host site and what it copies.",
        json_schema_extra=es(
            "editor", "Quién publicó esta copia; en una reproducción, el sitio que la aloja y lo que copia."
        ),
    )
    author: Text | None = Field(
        default=None,
        description="Byline or issuing office, when stated.",
        json_schema_extra=es("autor", "Firma u oficina emisora, cuando consta."),
    )
    published_on: Edtf | None = Field(
        default=None,
        description="EDTF publication date of this copy; null when not shown.",
        json_schema_extra=es("fecha de publicación", "Fecha EDTF de publicación de esta copia; nulo si no aparece."),
    )
    url: Url | None = Field(
        default=None,
        description="Address of the copy that was read; never guessed.",
        json_schema_extra=es("dirección web", "Dirección de la copia que se leyó; nunca se adivina."),
    )
    accessed_on: date | None = Field(
        default=None,
        description="Day a curator last read this copy; null when not recorded.",
        json_schema_extra=es(
            "fecha de consulta", "Día en que la curaduría leyó esta copia por última vez; nulo si no se anotó."
        ),
    )
    source_kind: SourceKind = Field(
        description=(
            "court_record, government_document, wire_agency (a wire service's own text), news_outlet, "
            "ngo_report, reference_work, commentary (blogs, law commentary), mirror (a repost of another "
            "outlet's text), aggregator (a summary of other outlets), paraphrase (a reworded or "
            "machine-paraphrased copy). Facts resting only on an aggregator or paraphrase are weak."
        ),
        json_schema_extra=es(
            "tipo de fuente",
            "court_record (expediente judicial), government_document (documento oficial), wire_agency (texto "
            "propio de una agencia de noticias), news_outlet (medio de comunicación), ngo_report (informe de una "
            "ONG), reference_work (obra de referencia), commentary (blogs, comentario jurídico), mirror "
            "(reproducción del texto de otro medio), aggregator (resumen de lo publicado por otros medios), "
            "paraphrase (copia reformulada o parafraseada por una máquina). Los hechos que se apoyan solo en un "
            "aggregator o una paraphrase son débiles.",
        ),
    )
    original_source_id: SourceRef | None = Field(
        default=None,
        description="For a mirror or paraphrase: the source whose text it copies (`sources.source_id`).",
        json_schema_extra=es(
            "fuente original", "En una mirror o una paraphrase: la fuente cuyo texto copia (`sources.source_id`)."
        ),
    )
    language: LanguageTag = Field(
        description="Language of the text, as a BCP 47 tag (e.g. 'en', 'es').",
        json_schema_extra=es("idioma", "Idioma del texto, como etiqueta BCP 47 (p. ej. 'en', 'es')."),
    )
    weak: bool = Field(
        description=(
            "True when this source alone cannot establish a fact: always for an aggregator or paraphrase; "
            "also for an unidentified mirror or a copy whose figures better sources do not support "
            "(the notes say why). Rows citing a weak source are weak evidence."
        ),
        json_schema_extra=es(
            "débil",
            "Verdadero cuando esta fuente por sí sola no basta para establecer un hecho: siempre en un aggregator "
            "o una paraphrase; también en una mirror no identificada o en una copia cuyas cifras no respaldan "
            "fuentes mejores (las notas dicen por qué). Las filas que citan una fuente débil son evidencia débil.",
        ),
    )
    notes: Text | None = NOTES_FIELD

    row_rules: ClassVar[tuple[Rule, ...]] = (
        Differ("original_source_id", "source_id"),
        Implies("source_kind", WEAK_SOURCE_KINDS, "weak", True),
    )


class Facility(Record):
    """Prisons and detention centres: identity and location."""

    table_name: ClassVar[TableName] = "facilities"
    table_title: ClassVar[str] = "Facilities"
    table_title_es: ClassVar[str] = "Centros penales"
    table_description_es: ClassVar[str] = "Cárceles y centros de detención: identidad y ubicación."
    primary_key: ClassVar[tuple[str, ...]] = ("facility_id",)

    facility_id: Slug = Field(
        description="Stable identifier, country code first, e.g. 'sv-cecot'.",
        json_schema_extra=es(
            "identificador del centro", "Identificador estable, con el código de país delante, p. ej. 'sv-cecot'."
        ),
    )
    name_en: Text = Field(description="Name in English.", json_schema_extra=es("nombre en inglés", "Nombre en inglés."))
    name_es: Text | None = Field(
        default=None,
        description="Name in Spanish, when sourced.",
        json_schema_extra=es("nombre en español", "Nombre en español, cuando consta en las fuentes."),
    )
    acronym: Text | None = Field(
        default=None,
        description="Acronym the facility is known by, e.g. 'CECOT'.",
        json_schema_extra=es("sigla", "Sigla con la que se conoce el centro, p. ej. 'CECOT'."),
    )
    facility_type: Literal[
        "prison", "prison_complex", "prison_section", "prison_farm", "juvenile_centre", "detention_centre"
    ] = Field(
        description=(
            "prison; prison_complex (several prisons or phases on one site); prison_section "
            "(a phase or module of a complex, see parent_facility_id); prison_farm (a granja penitenciaria, "
            "on its own or within a complex); juvenile_centre (a centre for minors in conflict with the law); "
            "detention_centre (immigration or other non-penal detention)."
        ),
        json_schema_extra=es(
            "tipo de centro",
            "prison (cárcel); prison_complex (varias cárceles o fases en un mismo predio); prison_section (una "
            "fase o un módulo de un complejo, véase parent_facility_id); prison_farm (granja penitenciaria, sola "
            "o dentro de un complejo); juvenile_centre (centro para menores en conflicto con la ley); "
            "detention_centre (centro de detención migratoria u otra detención no penal).",
        ),
    )
    parent_facility_id: FacilityRef | None = Field(
        default=None,
        description="The complex this facility is part of (`facilities.facility_id`).",
        json_schema_extra=es("complejo", "El complejo del que forma parte este centro (`facilities.facility_id`)."),
    )
    country_iso2: CountryCode = Field(
        description="Country, ISO 3166-1 alpha-2.", json_schema_extra=es("país", "País, ISO 3166-1 alfa-2.")
    )
    subdivision_iso: SubdivisionCode | None = Field(
        default=None,
        description="First-level subdivision (department), ISO 3166-2, e.g. 'SV-SV' (San Vicente).",
        json_schema_extra=es(
            "departamento", "Subdivisión de primer nivel (departamento), ISO 3166-2, p. ej. 'SV-SV' (San Vicente)."
        ),
    )
    municipality: Text | None = Field(
        default=None,
        description="Municipality, as the sources name it.",
        json_schema_extra=es("municipio", "Municipio, como lo nombran las fuentes."),
    )
    latitude: float | None = Field(
        default=None,
        ge=-90,
        le=90,
        description="WGS 84 latitude, when sourced.",
        json_schema_extra=es(
            "latitud", "Latitud WGS 84, cuando consta en las fuentes.", unit="degrees", unit_es="grados"
        ),
    )
    longitude: float | None = Field(
        default=None,
        ge=-180,
        le=180,
        description="WGS 84 longitude, when sourced.",
        json_schema_extra=es(
            "longitud", "Longitud WGS 84, cuando consta en las fuentes.", unit="degrees", unit_es="grados"
        ),
    )
    opened_on: Edtf | None = Field(
        default=None,
        description="EDTF date the facility opened, at the precision sourced.",
        json_schema_extra=es(
            "fecha de apertura", "Fecha EDTF en que abrió el centro, con la precisión de las fuentes."
        ),
    )
    closed_on: Edtf | None = Field(
        default=None,
        description="EDTF date the facility closed; null while open or unknown.",
        json_schema_extra=es(
            "fecha de cierre", "Fecha EDTF en que cerró el centro; nulo mientras sigue abierto o si se desconoce."
        ),
    )
    operator: Text | None = Field(
        default=None,
        description="Body that runs the facility, when sourced.",
        json_schema_extra=es("operador", "Organismo que administra el centro, cuando consta."),
    )
    source_id: SourceRef = SOURCE_ID_FIELD
    quote: Quote = QUOTE_FIELD
    notes: Text | None = NOTES_FIELD

    row_rules: ClassVar[tuple[Rule, ...]] = (
        Together("latitude", "longitude"),
        Differ("parent_facility_id", "facility_id"),
        DateOrder("opened_on", "closed_on"),
    )


class FacilityQuantity(QuantityClaim):
    """Physical and other measured features of a facility, one claim per row."""

    table_name: ClassVar[TableName] = "facility_quantities"
    table_title: ClassVar[str] = "Facility quantities"
    table_title_es: ClassVar[str] = "Magnitudes de los centros"
    table_description_es: ClassVar[str] = (
        "Características físicas y otras magnitudes medidas de un centro, una afirmación por fila."
    )
    primary_key: ClassVar[tuple[str, ...]] = ("quantity_id",)

    quantity_id: Slug = Field(
        description="Stable identifier of this claim.",
        json_schema_extra=es("identificador de la afirmación", "Identificador estable de esta afirmación."),
    )
    facility_id: FacilityRef = Field(
        description="The facility described (`facilities.facility_id`).",
        json_schema_extra=es("centro", "El centro descrito (`facilities.facility_id`)."),
    )
    attribute: Literal[
        "pavilions",
        "cells",
        "cells_per_pavilion",
        "cell_area_m2",
        "watchtowers",
        "distance_from_capital_km",
        "land_area_ha",
        "land_area_manzanas",
        "built_area_ha",
        "built_area_percent",
        "expansion_land_acres",
        "wall_height_m",
        "wall_length_km",
        "space_per_prisoner_m2",
        "construction_months",
        "construction_workers",
        "construction_cost_usd",
        "guards",
    ] = Field(
        description=(
            "What is measured; a suffix names the unit (km, ha, manzanas, acres, m, m2, percent, months, "
            "usd), otherwise it is a count (guards: soldiers, police or staff assigned, see notes)."
        ),
        json_schema_extra=es(
            "atributo",
            "Qué se mide; un sufijo indica la unidad (km, ha, manzanas, acres, m, m2, percent, months, usd); si no "
            "lo hay, es un recuento (guards: soldados, policías o personal asignados, véanse las notas).",
        ),
    )
    source_id: SourceRef = SOURCE_ID_FIELD
    quote: Quote = QUOTE_FIELD
    notes: Text | None = NOTES_FIELD


class PopulationCount(QuantityClaim):
    """How many people, where, when, according to whom."""

    table_name: ClassVar[TableName] = "population_counts"
    table_title: ClassVar[str] = "Population counts"
    table_title_es: ClassVar[str] = "Recuentos de población"
    table_description_es: ClassVar[str] = "Cuántas personas, dónde, cuándo y según quién."
    primary_key: ClassVar[tuple[str, ...]] = ("count_id",)

    count_id: Slug = Field(
        description="Stable identifier of this claim.",
        json_schema_extra=es("identificador de la afirmación", "Identificador estable de esta afirmación."),
    )
    measure: Literal[
        "prison_population",
        "capacity",
        "cell_capacity",
        "deaths_in_custody",
        "people_transferred",
        "people_deported",
        "people_repatriated",
        "arrests",
        "releases",
        "homicides",
        "incarceration_rate_per_100k",
        "occupancy_percent",
        "overcrowding_percent",
        "share_of_population_percent",
        "share_of_adults_percent",
    ] = Field(
        description=(
            "prison_population (people held); capacity (places); cell_capacity (people one cell holds); "
            "deaths_in_custody; people_transferred (people moved into the facility); people_deported "
            "(people removed from another country into this one); people_repatriated (people returned "
            "from this country to their own); arrests; releases; homicides (people killed; see period); "
            "incarceration_rate_per_100k (people held per 100,000 residents, denominator in notes); "
            "occupancy_percent (people held as a percentage of capacity); overcrowding_percent (as the "
            "source defines it, see notes); share_of_population_percent (people held as a share of the whole "
            "population, as the source states it: '1.7%' stays 1.7, never converted to a rate); "
            "share_of_adults_percent (people held as a share of adults)."
        ),
        json_schema_extra=es(
            "medida",
            "prison_population (personas privadas de libertad); capacity (plazas); cell_capacity (personas que "
            "caben en una celda); deaths_in_custody (muertes bajo custodia); people_transferred (personas "
            "trasladadas al centro); people_deported (personas expulsadas de otro país hacia este); "
            "people_repatriated (personas devueltas desde este país al suyo); arrests (capturas); releases "
            "(liberaciones); homicides (personas asesinadas; véase el período); incarceration_rate_per_100k "
            "(personas presas por cada 100 000 habitantes, con el denominador en las notas); occupancy_percent "
            "(personas presas como porcentaje de la capacidad); overcrowding_percent (hacinamiento, según lo "
            "define la fuente, véanse las notas); share_of_population_percent (personas presas como proporción "
            "de toda la población, tal como lo dice la fuente: '1,7 %' queda en 1.7, nunca se convierte en una "
            "tasa); share_of_adults_percent (personas presas como proporción de la población adulta).",
        ),
    )
    facility_id: FacilityRef | None = Field(
        default=None,
        description="The facility counted (`facilities.facility_id`); null for a country-wide figure.",
        json_schema_extra=es(
            "centro", "El centro contado (`facilities.facility_id`); nulo en una cifra de todo el país."
        ),
    )
    country_iso2: CountryCode = Field(
        description="Country the figure is about, ISO 3166-1 alpha-2.",
        json_schema_extra=es("país", "País al que se refiere la cifra, ISO 3166-1 alfa-2."),
    )
    period_start: Edtf | None = Field(
        default=None,
        description="For cumulative figures, the EDTF date counting starts from; null otherwise.",
        json_schema_extra=es(
            "inicio del período", "En cifras acumuladas, la fecha EDTF desde la que se cuenta; nulo en otro caso."
        ),
    )
    source_id: SourceRef = SOURCE_ID_FIELD
    quote: Quote = QUOTE_FIELD
    notes: Text | None = NOTES_FIELD

    row_rules: ClassVar[tuple[Rule, ...]] = (*QuantityClaim.row_rules, DateOrder("period_start", "as_of"))


class LegalInstrument(Record):
    """Statutes, decrees, proclamations, agreements and court orders."""

    table_name: ClassVar[TableName] = "legal_instruments"
    table_title: ClassVar[str] = "Legal instruments"
    table_title_es: ClassVar[str] = "Instrumentos jurídicos"
    table_description_es: ClassVar[str] = "Leyes, decretos, proclamas, acuerdos y resoluciones judiciales."
    primary_key: ClassVar[tuple[str, ...]] = ("instrument_id",)

    instrument_id: Slug = Field(
        description="Stable identifier, jurisdiction first, e.g. 'us-alien-enemies-act'.",
        json_schema_extra=es(
            "identificador del instrumento",
            "Identificador estable, con la jurisdicción delante, p. ej. 'us-alien-enemies-act'.",
        ),
    )
    title: Text = Field(
        description="Title in the instrument's own language, or the name it is cited by.",
        json_schema_extra=es("título", "Título en el idioma del propio instrumento, o el nombre con que se lo cita."),
    )
    instrument_type: Literal[
        "statute",
        "statutory_amendment",
        "legislative_decree",
        "executive_decree",
        "proclamation",
        "executive_order",
        "designation",
        "guidance",
        "bilateral_arrangement",
        "grant_agreement",
        "court_order",
        "court_ruling",
    ] = Field(description="Kind of instrument.", json_schema_extra=es("tipo de instrumento", "Clase de instrumento."))
    jurisdiction_iso2: CountryCode = Field(
        description="Country whose body issued it, ISO 3166-1 alpha-2.",
        json_schema_extra=es("jurisdicción", "País cuyo órgano lo emitió, ISO 3166-1 alfa-2."),
    )
    counterparty_iso2: CountryCode | None = Field(
        default=None,
        description="For an agreement between states, the other state, ISO 3166-1 alpha-2.",
        json_schema_extra=es("contraparte", "En un acuerdo entre Estados, el otro Estado, ISO 3166-1 alfa-2."),
    )
    issuing_body: Text | None = Field(
        default=None,
        description="Legislature, office or court that issued it.",
        json_schema_extra=es("órgano emisor", "Órgano legislativo, oficina o tribunal que lo emitió."),
    )
    docket_number: Text | None = Field(
        default=None,
        description="Court docket or case number, for court orders.",
        json_schema_extra=es(
            "número de expediente", "Número de expediente o de causa, en las resoluciones judiciales."
        ),
    )
    judges: Text | None = Field(
        default=None,
        description="For a court order: the judge, or the panel with who wrote and who dissented, as sourced.",
        json_schema_extra=es(
            "jueces",
            "En una resolución judicial: el juez o la jueza, o el tribunal, con quién redactó y quién disintió, "
            "según las fuentes.",
        ),
    )
    vote: Text | None = Field(
        default=None,
        description="Recorded vote as sourced, e.g. '5-4', '2-1', '67 of 84 deputies'.",
        json_schema_extra=es(
            "votación", "Votación registrada según las fuentes, p. ej. '5-4', '2-1', '67 of 84 deputies'."
        ),
    )
    official_citation: Text | None = Field(
        default=None,
        description="Official citation, e.g. '1 Stat. 577' or '90 FR 13033', as sourced.",
        json_schema_extra=es("cita oficial", "Cita oficial, p. ej. '1 Stat. 577' o '90 FR 13033', según las fuentes."),
    )
    enacted_on: Edtf | None = Field(
        default=None,
        description="EDTF date enacted, approved or (for a court order) decided.",
        json_schema_extra=es(
            "fecha de aprobación",
            "Fecha EDTF en que se promulgó o aprobó o, en una resolución judicial, en que se decidió.",
        ),
    )
    signed_on: Edtf | None = Field(
        default=None, description="EDTF date signed.", json_schema_extra=es("fecha de firma", "Fecha EDTF de la firma.")
    )
    made_public_on: Edtf | None = Field(
        default=None,
        description="EDTF date its existence or text was first made public, when that differs from signing.",
        json_schema_extra=es(
            "fecha en que se hizo público",
            "Fecha EDTF en que se hizo pública por primera vez su existencia o su texto, cuando difiere de la firma.",
        ),
    )
    published_on: Edtf | None = Field(
        default=None,
        description="EDTF date published in an official journal (e.g. the Federal Register).",
        json_schema_extra=es(
            "fecha de publicación oficial",
            "Fecha EDTF de publicación en un diario oficial (p. ej. el Federal Register).",
        ),
    )
    in_force_from: Edtf | None = Field(
        default=None,
        description="EDTF date it took effect.",
        json_schema_extra=es("vigente desde", "Fecha EDTF en que entró en vigor."),
    )
    in_force_until: Edtf | None = Field(
        default=None,
        description="EDTF date it ceased to have effect (expired, repealed, vacated).",
        json_schema_extra=es(
            "vigente hasta", "Fecha EDTF en que dejó de surtir efecto (por vencimiento, derogación o anulación)."
        ),
    )
    amount_usd: NonNegative | None = Field(
        default=None,
        description="For an agreement with a payment: the amount in US dollars, as sourced.",
        json_schema_extra=es(
            "monto en dólares",
            "En un acuerdo con pago: el monto en dólares estadounidenses, según las fuentes.",
            unit="US dollars",
            unit_es="dólares estadounidenses",
        ),
    )
    amount_qualifier: Literal["exact", "approximate"] | None = Field(
        default=None,
        description="How the source states amount_usd: exact or approximate.",
        json_schema_extra=es(
            "calificador del monto", "Cómo expresa la fuente amount_usd: exact (exacto) o approximate (aproximado)."
        ),
    )
    source_id: SourceRef = SOURCE_ID_FIELD
    quote: Quote = QUOTE_FIELD
    notes: Text | None = NOTES_FIELD

    row_rules: ClassVar[tuple[Rule, ...]] = (
        Together("amount_usd", "amount_qualifier"),
        Differ("counterparty_iso2", "jurisdiction_iso2"),
        DateOrder("signed_on", "published_on"),
        DateOrder("signed_on", "made_public_on"),
        DateOrder("in_force_from", "in_force_until"),
    )


class InstrumentRelation(Record):
    """How legal instruments act on each other: amends, extends, implements, challenges, stays, vacates."""

    table_name: ClassVar[TableName] = "instrument_relations"
    table_title: ClassVar[str] = "Relations between legal instruments"
    table_title_es: ClassVar[str] = "Relaciones entre instrumentos jurídicos"
    table_description_es: ClassVar[str] = (
        "Cómo actúan unos instrumentos jurídicos sobre otros: los modifican, prorrogan, aplican, impugnan, "
        "suspenden o anulan."
    )
    primary_key: ClassVar[tuple[str, ...]] = ("instrument_id", "relation", "target_instrument_id")

    instrument_id: InstrumentRef = Field(
        description="The instrument that acts (`legal_instruments.instrument_id`).",
        json_schema_extra=es("instrumento que actúa", "El instrumento que actúa (`legal_instruments.instrument_id`)."),
    )
    relation: Literal[
        "amends",
        "extends",
        "implements",
        "invokes",
        "relies_on",
        "challenges",
        "appeals",
        "stays",
        "vacates",
        "affirms",
        "reverses",
        "remands",
        "supersedes",
    ] = Field(
        description=(
            "What instrument_id does to target_instrument_id: amends, extends (prolongs it in time), "
            "implements, invokes (uses a power it grants), relies_on (cites it as a predicate), "
            "challenges (a suit against it), appeals, stays (suspends it), vacates (annuls it), "
            "affirms, reverses, remands, supersedes."
        ),
        json_schema_extra=es(
            "relación",
            "Lo que instrument_id hace a target_instrument_id: amends (lo modifica), extends (lo prorroga en el "
            "tiempo), implements (lo aplica), invokes (usa una facultad que otorga), relies_on (lo cita como "
            "fundamento), challenges (es una demanda en su contra), appeals (lo apela), stays (lo suspende), "
            "vacates (lo anula), affirms (lo confirma), reverses (lo revoca), remands (lo devuelve al tribunal "
            "inferior), supersedes (lo sustituye).",
        ),
    )
    target_instrument_id: InstrumentRef = Field(
        description="The instrument acted on (`legal_instruments.instrument_id`).",
        json_schema_extra=es(
            "instrumento afectado", "El instrumento sobre el que se actúa (`legal_instruments.instrument_id`)."
        ),
    )
    source_id: SourceRef = SOURCE_ID_FIELD
    quote: Quote = QUOTE_FIELD
    notes: Text | None = NOTES_FIELD

    row_rules: ClassVar[tuple[Rule, ...]] = (Differ("instrument_id", "target_instrument_id"),)


class Event(Record):
    """Dated happenings: openings, transfers, invocations, rulings."""

    table_name: ClassVar[TableName] = "events"
    table_title: ClassVar[str] = "Events"
    table_title_es: ClassVar[str] = "Sucesos"
    table_description_es: ClassVar[str] = "Sucesos fechados: aperturas, traslados, invocaciones, resoluciones."
    primary_key: ClassVar[tuple[str, ...]] = ("event_id",)

    event_id: Slug = Field(
        description="Stable identifier, e.g. '2025-03-16-deportees-arrive-cecot'.",
        json_schema_extra=es(
            "identificador del suceso", "Identificador estable, p. ej. '2025-03-16-deportees-arrive-cecot'."
        ),
    )
    occurred_on: Edtf = Field(
        description="EDTF date of the event, at the precision sourced.",
        json_schema_extra=es("fecha", "Fecha EDTF del suceso, con la precisión de las fuentes."),
    )
    date_inferred: bool = Field(
        description="True when the day was worked out from a weekday in the text ('on Sunday') and the dateline.",
        json_schema_extra=es(
            "fecha deducida",
            "Verdadero cuando el día se dedujo de un día de la semana citado en el texto («el domingo») y de la "
            "fecha de la nota.",
        ),
    )
    event_type: Literal[
        "violence",
        "construction_ordered",
        "construction_presented",
        "opening",
        "transfer",
        "deportation",
        "repatriation",
        "invocation",
        "designation",
        "legislation",
        "extension",
        "filing",
        "ruling",
        "agreement",
        "disclosure",
        "statement",
        "report",
        "visit",
        "meeting",
        "closure",
    ] = Field(
        description=(
            "Kind of event: violence (killings that prompted policy), construction_ordered, "
            "construction_presented, opening, transfer (between prisons or into a prison), deportation "
            "(removal from a country), repatriation (return to the home country), invocation (of a "
            "legal power), designation, legislation (a law or decree passed), extension (of the state "
            "of exception), filing (a lawsuit or motion), ruling, agreement, disclosure (a document made "
            "public), statement, report (published by an organisation), visit, meeting, closure."
        ),
        json_schema_extra=es(
            "tipo de suceso",
            "Clase de suceso: violence (asesinatos que motivaron medidas), construction_ordered (construcción "
            "ordenada), construction_presented (construcción presentada), opening (apertura), transfer (traslado "
            "entre cárceles o a una cárcel), deportation (expulsión de un país), repatriation (regreso al país de "
            "origen), invocation (de una facultad legal), designation (designación), legislation (aprobación de "
            "una ley o un decreto), extension (prórroga del régimen de excepción), filing (presentación de una "
            "demanda o una moción), ruling (resolución), agreement (acuerdo), disclosure (divulgación de un "
            "documento), statement (declaración), report (informe publicado por una organización), visit (visita), "
            "meeting (reunión), closure (cierre).",
        ),
    )
    title: Text = Field(
        description="One-line English summary of what happened.",
        json_schema_extra=es("título", "Resumen en una línea, en inglés, de lo que ocurrió."),
    )
    country_iso2: CountryCode = Field(
        description="Country where it happened, ISO 3166-1 alpha-2.",
        json_schema_extra=es("país", "País donde ocurrió, ISO 3166-1 alfa-2."),
    )
    claim_group: Slug | None = CLAIM_GROUP_FIELD
    source_id: SourceRef = SOURCE_ID_FIELD
    quote: Quote = QUOTE_FIELD
    notes: Text | None = NOTES_FIELD


class EventFacility(Record):
    """Which facilities an event involves, and how."""

    table_name: ClassVar[TableName] = "event_facilities"
    table_title: ClassVar[str] = "Links between events and facilities"
    table_title_es: ClassVar[str] = "Vínculos entre sucesos y centros"
    table_description_es: ClassVar[str] = "Qué centros involucra un suceso, y de qué modo."
    primary_key: ClassVar[tuple[str, ...]] = ("event_id", "facility_id")

    event_id: EventRef = Field(
        description="The event (`events.event_id`).", json_schema_extra=es("suceso", "El suceso (`events.event_id`).")
    )
    facility_id: FacilityRef = Field(
        description="The facility (`facilities.facility_id`).",
        json_schema_extra=es("centro", "El centro (`facilities.facility_id`)."),
    )
    role: Literal["location", "origin", "destination", "subject"] = Field(
        description="location (where it happened), origin or destination (of a transfer), subject (what it is about).",
        json_schema_extra=es(
            "papel",
            "location (dónde ocurrió), origin o destination (origen o destino de un traslado), subject (de qué trata).",
        ),
    )


class EventInstrument(Record):
    """Which legal instruments an event involves, and how."""

    table_name: ClassVar[TableName] = "event_instruments"
    table_title: ClassVar[str] = "Links between events and legal instruments"
    table_title_es: ClassVar[str] = "Vínculos entre sucesos e instrumentos jurídicos"
    table_description_es: ClassVar[str] = "Qué instrumentos jurídicos involucra un suceso, y de qué modo."
    primary_key: ClassVar[tuple[str, ...]] = ("event_id", "instrument_id")

    event_id: EventRef = Field(
        description="The event (`events.event_id`).", json_schema_extra=es("suceso", "El suceso (`events.event_id`).")
    )
    instrument_id: InstrumentRef = Field(
        description="The legal instrument (`legal_instruments.instrument_id`).",
        json_schema_extra=es("instrumento", "El instrumento jurídico (`legal_instruments.instrument_id`)."),
    )
    role: Literal["enacts", "invokes", "implements", "challenges", "decides", "discloses"] = Field(
        description=(
            "enacts (the event makes the instrument), invokes or implements (acts under it), "
            "challenges (a filing against it), decides (a ruling on it), discloses (makes its text public)."
        ),
        json_schema_extra=es(
            "papel",
            "enacts (el suceso crea el instrumento), invokes o implements (se actúa en virtud de él), challenges "
            "(una presentación en su contra), decides (una resolución sobre él), discloses (hace público su texto).",
        ),
    )


# The columns a citation may point through, and the table each one names.
_CITATION_TARGETS: tuple[tuple[str, type[Record]], ...] = (
    ("facility_id", Facility),
    ("quantity_id", FacilityQuantity),
    ("count_id", PopulationCount),
    ("instrument_id", LegalInstrument),
    ("event_id", Event),
)


class Citation(Record):
    """More evidence for one field of one row: field-level sources and quotes."""

    table_name: ClassVar[TableName] = "citations"
    table_title: ClassVar[str] = "Citations"
    table_title_es: ClassVar[str] = "Citas"
    table_description_es: ClassVar[str] = "Más evidencia para un campo de una fila: fuentes y citas por campo."
    primary_key: ClassVar[tuple[str, ...]] = ("citation_id",)

    citation_id: Slug = Field(
        description="Stable identifier of this citation.",
        json_schema_extra=es("identificador de la cita", "Identificador estable de esta cita."),
    )
    facility_id: FacilityRef | None = Field(
        default=None,
        description="Cited facility row, if any.",
        json_schema_extra=es("centro citado", "Fila de facilities citada, si la hay."),
    )
    quantity_id: QuantityRef | None = Field(
        default=None,
        description="Cited facility_quantities row, if any.",
        json_schema_extra=es("magnitud citada", "Fila de facility_quantities citada, si la hay."),
    )
    count_id: CountRef | None = Field(
        default=None,
        description="Cited population_counts row, if any.",
        json_schema_extra=es("recuento citado", "Fila de population_counts citada, si la hay."),
    )
    instrument_id: InstrumentRef | None = Field(
        default=None,
        description="Cited legal_instruments row, if any.",
        json_schema_extra=es("instrumento citado", "Fila de legal_instruments citada, si la hay."),
    )
    event_id: EventRef | None = Field(
        default=None,
        description="Cited events row, if any.",
        json_schema_extra=es("suceso citado", "Fila de events citada, si la hay."),
    )
    field: FieldName | None = Field(
        default=None,
        description="Name of the field the quote supports; null when it supports the whole row.",
        json_schema_extra=es("campo", "Nombre del campo que respalda la cita; nulo si respalda la fila entera."),
    )
    source_id: SourceRef = SOURCE_ID_FIELD
    quote: Quote = QUOTE_FIELD
    notes: Text | None = NOTES_FIELD

    row_rules: ClassVar[tuple[Rule, ...]] = (
        ExactlyOne(tuple(column for column, _ in _CITATION_TARGETS)),
        NamesFieldOf(
            "field",
            tuple((column, model.table_name, frozenset(model.model_fields)) for column, model in _CITATION_TARGETS),
        ),
    )


class RetiredId(Record):
    """Identifiers removed from the data: never to be used again for another row."""

    table_name: ClassVar[TableName] = "retired_ids"
    table_title: ClassVar[str] = "Retired identifiers"
    table_title_es: ClassVar[str] = "Identificadores retirados"
    table_description_es: ClassVar[str] = (
        "Identificadores eliminados de los datos: nunca se volverán a usar para otra fila."
    )
    primary_key: ClassVar[tuple[str, ...]] = ("from_table", "record_id")

    from_table: Literal[
        "sources",
        "facilities",
        "facility_quantities",
        "population_counts",
        "legal_instruments",
        "instrument_relations",
        "events",
        "event_facilities",
        "event_instruments",
        "citations",
    ] = Field(
        description="The table the identifier belonged to.",
        json_schema_extra=es("tabla", "La tabla a la que pertenecía el identificador."),
    )
    record_id: Annotated[str, Field(pattern=r"^[a-z0-9_/-]+$", max_length=300)] = Field(
        description="The retired primary key; the parts of a composite key joined with '/'.",
        json_schema_extra=es(
            "identificador retirado", "La clave primaria retirada; las partes de una clave compuesta, unidas con '/'."
        ),
    )
    retired_in: Annotated[str, Field(pattern=r"^[0-9]+[.][0-9]+[.][0-9]+$")] = Field(
        description="The release (version) in which the row was removed.",
        json_schema_extra=es("retirado en", "La versión en la que se eliminó la fila."),
    )
    reason: Text | None = Field(
        default=None,
        description="Why the row was removed, e.g. a duplicate of another row.",
        json_schema_extra=es("motivo", "Por qué se eliminó la fila, p. ej. por duplicar otra."),
    )


# Every table, in an order where each table comes after the tables it references.
MODELS: tuple[type[Record], ...] = (
    Source,
    Facility,
    FacilityQuantity,
    PopulationCount,
    LegalInstrument,
    InstrumentRelation,
    Event,
    EventFacility,
    EventInstrument,
    Citation,
    RetiredId,
)
MODELS_BY_TABLE: dict[str, type[Record]] = {m.table_name: m for m in MODELS}
