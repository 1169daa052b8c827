"""Community metadata standards, generated from the models and the descriptor.

Four renderings of what ``datapackage.json`` and :mod:`cecot_data.models`
already say, so that no field list is written twice:

- :func:`croissant`: Croissant 1.1 JSON-LD with the Responsible-AI (RAI) block;
- :func:`schema_org`: a schema.org ``Dataset`` for search engines and portals;
- :func:`citation_cff`: ``CITATION.cff`` text (Citation File Format 1.2.0);
- :func:`datasheet`: ``DATASHEET.md`` (Datasheets for Datasets), from a template.

Every function is pure: it takes the descriptor (and, where needed, records)
and returns a value; the caller writes files. Nothing here invents a date or a
URL: a date appears only when the descriptor carries one (its ``created``
property), and the only URLs are the licences', the sources' own and, once a
release is published somewhere, the release URL (the descriptor's
``homepage``, from ``release-url`` in ``pyproject.toml``).

The prose about collection, limitations, biases, personal data and uses is
written once, below, and shared by the Croissant RAI block and the datasheet.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import urljoin

from .constants import COVERAGE_PROPERTY, PARQUET_PROPERTY
from .coverage import edtf_bounds
from .models import MODELS_BY_TABLE, QUOTE_MAX_WORDS, WEAK_SOURCE_KINDS, QuantityClaim, Record, Source
from .schema import Column, column_names, columns

CROISSANT_VERSION = "http://mlcommons.org/croissant/1.1"
CROISSANT_RAI_VERSION = "http://mlcommons.org/croissant/RAI/1.0"
CREATOR_NAME = "cecot-data contributors"

# The @context Croissant 1.1 publishes; mlcroissant warns about any other.
CROISSANT_CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "alternateName": {"@container": "@language"},
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "name": {"@container": "@language"},
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

CROISSANT_DATA_TYPES: dict[str, str] = {
    "string": "sc:Text",
    "integer": "sc:Integer",
    "number": "sc:Float",
    "boolean": "sc:Boolean",
    "date": "sc:Date",
}

# Names for the ISO 3166-1 codes the data uses. A code missing here still
# appears (as an identifier without a name); a test insists that none is missing.
COUNTRY_NAMES: dict[str, str] = {
    "CH": "Switzerland",
    "SV": "El Salvador",
    "US": "United States",
    "VE": "Venezuela",
}

# The columns whose dates say when the things the tables describe happened,
# began or were counted. Source publication and access dates describe the
# bibliography, not the subject; an instrument's dates are left to the events
# that record its enactment or ruling, so that coverage is what the record
# itself narrates.
COVERAGE_DATE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("events", "occurred_on"),
    ("population_counts", "as_of"),
    ("population_counts", "period_start"),
    ("facility_quantities", "as_of"),
    ("facilities", "opened_on"),
    ("facilities", "closed_on"),
)

# ---------------------------------------------------------------------------
# The prose, once. Facts only: what the README, the design notes and the models
# establish about how the record is made. Counts are never written here; they
# are computed where they are shown.

# The dataset's title and description in Spanish (the English ones are the descriptor's).
TITLE_ES = (
    "Datos sobre el CECOT: el Centro de Confinamiento del Terrorismo de El Salvador, el encarcelamiento "
    "masivo y los traslados desde Estados Unidos en 2025"
)
DESCRIPTION_ES = (
    "Tablas con fuentes y validadas contra un esquema sobre el Centro de Confinamiento del Terrorismo (CECOT) "
    "de El Salvador, el encarcelamiento masivo del país bajo el régimen de excepción declarado en marzo de "
    "2022 y los traslados de inmigrantes desde Estados Unidos al CECOT en 2025 en virtud de la Ley de "
    "Enemigos Extranjeros (Alien Enemies Act). Cada fila cita una fuente y una cita literal breve; las cifras "
    "conservan su calificador (exacta, aproximada, al menos, como máximo, casi, rango, vaga), las fechas su "
    "precisión (EDTF), y las afirmaciones contradictorias se guardan como filas separadas. No contiene datos "
    "personales de personas detenidas o deportadas."
)

MOTIVATION = (
    "To keep a sourced, checkable record of El Salvador's Terrorism Confinement Center (CECOT), "
    "the country's mass incarceration under the state of exception declared in March 2022, and the "
    "2025 transfers of immigrants from the United States to CECOT under the Alien Enemies Act, in "
    "which every figure keeps who claims it, how it was stated and where it was published, and "
    "conflicting figures stay side by side instead of being reconciled."
)

DATA_COLLECTION = (
    "Curated by hand from stored copies of public pages and documents: news reports, wire-agency "
    "texts, NGO reports, court records, government documents, reference works and commentary. Each "
    "page or document cited is a row of the sources table, with its publisher and, when the copy "
    "shows them, its title, author, publication date and address, never guessed. Each fact is a row "
    "that cites one source and carries a verbatim quote from it of at most "
    f"{QUOTE_MAX_WORDS} words that supports the row; more evidence for one field of a row is a row "
    "of the citations table, with its own source and quote. A repost of another outlet's text is "
    "recorded as a mirror that points at the original."
)

DATA_COLLECTION_TYPES: tuple[str, ...] = ("Document analysis", "Manual Human Curator")

DATA_COLLECTION_RAW_DATA = (
    "Public web pages and documents, each listed in the sources table with its kind (court record, "
    "government document, wire agency, news outlet, NGO report, reference work, commentary, mirror, "
    "aggregator, paraphrase) and language. The pages themselves are not redistributed: the tables "
    "carry only short verbatim quotes as evidence, whose copyright stays with their publishers."
)

DATA_COLLECTION_MISSING_DATA = (
    "An unknown value is an empty cell (null), never an estimate: a source's title, date or address "
    "is empty when the copy read did not show it; a figure's as_of is empty when the source does not "
    "say; a vague figure ('hundreds') has no number, and 'at least 261' has only a lower bound. "
    "Dates keep the precision the source gives (year, month or day, as EDTF)."
)

PREPROCESSING: tuple[str, ...] = (
    "Figures are stored as the source states them: a value (for a single figure) or lower and upper "
    "bounds, a qualifier (exact, approximate, at_least, at_most, nearly, range, vague), the source's own "
    "words (stated_as), the basis (record, estimate, claim) and the claimant.",
    "Dates are EDTF strings at the precision the source gives; the Parquet files add derived "
    "earliest, latest and precision columns for each of them.",
    "When a weekday in the text ('on Sunday') was turned into a date with the dateline, the event "
    "says so (date_inferred).",
    "`cecot-data build` checks every row against the models (types, patterns, vocabularies, "
    "row rules, primary and foreign keys) and rewrites each CSV file in canonical form, sorted by "
    "key; the Parquet files, Table Schemas, data dictionary and Data Package descriptor are "
    "generated from the same models.",
)

ANNOTATION: tuple[str, ...] = (
    "Curators assign each figure its qualifier, basis and claimant_kind, as the source tells it.",
    "Rows that make claims about the same quantity at about the same time, or about the same "
    "happening, share a claim_group slug; grouping is a curator's judgement, not inferred from values.",
    "A source is marked weak when it alone cannot establish a fact: always for an aggregator or a "
    "paraphrase, and for an unidentified mirror or a copy whose figures better sources do not "
    "support (its notes say why).",
)

LIMITATIONS: tuple[str, ...] = (
    "Official figures are scarce: many counts are claims (an official's statement, an NGO's tally, "
    "a reporter's figure) rather than records, and the basis column says which; a figure is what "
    "its claimant said, not a verified value.",
    "Many sources are mirrors (reposts of another outlet's text) or wire copy republished by "
    "several outlets; a mirror points at its original, and repeated text is not independent "
    "confirmation.",
    "Conflicting figures are kept side by side as separate rows sharing a claim_group; the dataset "
    "does not choose between them, so summing or averaging rows counts the same quantity more than once.",
    "Each figure describes the moment in its as_of, as reported by its source; the rows are not a "
    "series sampled at regular intervals, and a later figure does not revise an earlier row. The "
    "point-in-time view counts a figure only from the day its source (or the original it copies) "
    "was published.",
    "Coverage is what the curated sources report: the absence of a row is not evidence that something did not happen.",
    "Quotes are in the source's language; titles and notes are the curators' English summaries.",
)

BIASES: tuple[str, ...] = (
    "Coverage follows the press: most sources are English- and Spanish-language news outlets and "
    "wire agencies, so what they reported is recorded in more detail than what they did not.",
    "Government and NGO figures come from different methods and serve different purposes; the "
    "claimant and claimant_kind columns keep them apart, and neither is treated as ground truth.",
    "Many facts were read in reposts (mirrors) rather than on the original pages; a repost may "
    "differ from its original, and a widely reposted story is more likely to be included.",
)

PERSONAL_INFORMATION: tuple[str, ...] = (
    "No personal data about detained, deported or released people: no names, images, identifiers "
    "or case details of any individual among them. Numbers of people appear only as aggregates.",
    "People are named only in a public capacity: public officials acting in office, judges in the "
    "orders they issued, and the authors of public documents.",
    "Court cases appear under the captions the courts published, which identify plaintiffs by "
    "initials, or by docket number alone where a caption would name a detained or deported person.",
    "Every source is a public document; quotes are short excerpts reproduced as evidence.",
)

USE_CASES: tuple[str, ...] = (
    "Research, journalism and teaching about CECOT, mass incarceration under El Salvador's state "
    "of exception and the 2025 transfers from the United States, with every figure traceable to "
    "its source and wording.",
    "Comparing conflicting claims about the same quantity side by side (claim groups).",
    "Reconstructing what had been reported, and which legal instruments were in force, on a "
    "given day (the point-in-time view).",
    "Fact-checking: finding the source and exact wording of a figure.",
    "Testing the extraction of qualified figures (value, bounds, qualifier) and partial dates from "
    "text, with the verbatim quotes as inputs and the rows as expected outputs.",
)

PROHIBITED_USES: tuple[str, ...] = (
    "Not for identifying, tracing or profiling any individual, including detained, deported or "
    "released people and their families.",
    "Not as evidence about any individual's status, conduct or affiliation in legal, immigration or "
    "administrative proceedings.",
    "Not for training or evaluating systems that make decisions about individuals, such as risk scores or watch lists.",
    "Not as an official statistic: the figures are claims with their qualifiers, not an audited series.",
    "Not for summing, averaging or ranking figures without regard to claim_group, qualifier and as_of, "
    "which counts conflicting claims twice and reads vague or bounded figures as exact.",
)

SOCIAL_IMPACT = (
    "The subject is the detention of very large numbers of people, including people transferred "
    "from the United States, and deaths in custody. Keeping every claim with its source and wording "
    "is meant to support accountability and careful reporting; reading a claim as an established "
    "fact, or the record as complete, can mislead. The tables hold no data about individual "
    "detainees, so that they cannot be used against them."
)

MAINTENANCE = (
    "Maintained by the cecot-data contributors in the project's repository. Versions follow "
    "Semantic Versioning, applied to the data too: a removed or renamed column or table, or a "
    "changed identifier, is a major change; new rows, tables or columns are minor; fixes to values, "
    "qualifiers or sources are patches. CHANGELOG.md records every release. Identifiers are never "
    "reused, and a source that disagrees is added as a new row rather than overwriting the first."
)


# ---------------------------------------------------------------------------
# Shared readings of the descriptor


def descriptor_date(descriptor: Mapping[str, Any]) -> str | None:
    """The descriptor's own date (Data Package ``created``), as an ISO date; None without one."""
    created = descriptor.get("created")
    if not isinstance(created, str) or not created:
        return None
    return date.fromisoformat(created[:10]).isoformat()


def data_licenses(descriptor: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The licences of the data files (the resources'), in first-seen order.

    The descriptor's top level also lists the code's licence; the standards
    below describe the data, so they take the licences its resources carry.
    """
    seen: dict[str, dict[str, Any]] = {}
    for resource in descriptor["resources"]:
        for licence in resource.get("licenses", descriptor.get("licenses", [])):
            seen.setdefault(licence["name"], licence)
    return list(seen.values())


def creator_names(descriptor: Mapping[str, Any]) -> list[str]:
    names = [c["title"] for c in descriptor.get("contributors", []) if {"author", "creator"} & set(c.get("roles", []))]
    return names or [CREATOR_NAME]


def _model(resource: Mapping[str, Any]) -> type[Record]:
    """The model of a resource, refusing a descriptor whose columns differ from it."""
    model = MODELS_BY_TABLE[resource["name"]]
    described = tuple(f["name"] for f in resource["schema"]["fields"])
    if described != column_names(model):
        raise ValueError(f"descriptor resource {resource['name']!r} is stale: its columns differ from the model")
    return model


def _sha256(spec: Mapping[str, Any]) -> str:
    """The hex digest of a file entry's ``sha256:<hex>`` hash (Croissant and schema.org want it bare)."""
    algorithm, _, digest = str(spec["hash"]).partition(":")
    if algorithm != "sha256" or not digest:
        raise ValueError(f"{spec['path']}: expected a 'sha256:<hex>' hash, got {spec['hash']!r}")
    return digest


def _basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def release_url(descriptor: Mapping[str, Any]) -> str | None:
    """The descriptor's ``homepage``: the release URL, set only when a release is published somewhere."""
    homepage = descriptor.get("homepage")
    return homepage if isinstance(homepage, str) and homepage else None


def file_url(descriptor: Mapping[str, Any], path: str) -> str:
    """Where a file of the package is found: absolute under the release URL, else its relative path."""
    base = release_url(descriptor)
    return urljoin(base, path) if base is not None else path


def publishers(descriptor: Mapping[str, Any]) -> list[str]:
    """The contributors whose role is publisher (the creators when none is)."""
    names = [c["title"] for c in descriptor.get("contributors", []) if "publisher" in c.get("roles", [])]
    return names or creator_names(descriptor)


def citation_text(descriptor: Mapping[str, Any]) -> str:
    """How to cite this version, as one line of text (year only when the descriptor is dated)."""
    released = descriptor_date(descriptor)
    year = f" ({released[:4]})" if released else ""
    where = f" {release_url(descriptor)}" if release_url(descriptor) else ""
    return (
        f"{', '.join(creator_names(descriptor))}{year}. {descriptor['title']} "
        f"(version {descriptor['version']}) [Data set].{where}"
    )


def cite_as(descriptor: Mapping[str, Any]) -> str:
    """A BibTeX entry, as Croissant recommends for ``citeAs``."""
    lines = [
        f"@misc{{{descriptor['name']}-{descriptor['version']},",
        f"  author = {{{{{' and '.join(creator_names(descriptor))}}}}},",
        f"  title = {{{descriptor['title']}}},",
        f"  version = {{{descriptor['version']}}},",
    ]
    released = descriptor_date(descriptor)
    if released is not None:
        lines.append(f"  year = {{{released[:4]}}},")
    lines.append("  note = {Dataset}")
    lines.append("}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Croissant


def _croissant_field(table: str, column: Column, file_id: str) -> dict[str, Any]:
    field: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": f"{table}/{column.name}",
        "name": column.name,
        # A language map (the context declares description and name @container @language).
        "description": {"en": column.description, "es": column.description_es},
        "alternateName": {"es": column.title_es},
        "dataType": CROISSANT_DATA_TYPES[column.type],
        "source": {"fileObject": {"@id": file_id}, "extract": {"column": column.name}},
    }
    # Croissant defines references as pointing at a field of *another* record set, and
    # mlcroissant turns every reference into a join, so a key into the same table
    # (sources.original_source_id, facilities.parent_facility_id) would make its
    # operation graph cyclic and no record set could be read. Those keys stay in
    # the Table Schema; the field description names the column they point at.
    if column.references is not None and column.references.table != table:
        field["references"] = {"field": {"@id": f"{column.references.table}/{column.references.field}"}}
    return field


def croissant(
    descriptor: dict[str, Any], sources: Sequence[Source], facts: Mapping[str, Sequence[Record]] | None = None
) -> dict[str, Any]:
    """Croissant 1.1 JSON-LD for the package, with the Responsible-AI block.

    One ``cr:FileObject`` per CSV resource (``contentUrl`` is the path relative
    to the descriptor, so the file belongs next to ``datapackage.json``), one
    ``cr:RecordSet`` per table with a ``cr:Field`` per column, the primary key
    as ``key`` and every foreign key into another table as ``references``.
    ``sources`` gives the languages and the curators' access dates
    (``rai:dataCollectionTimeFrame``, spelt as mlcroissant reads it); ``facts``
    (table name → records), when given, the temporal coverage, and the
    descriptor's computed coverage one part per series.
    """
    distribution: list[dict[str, Any]] = []
    record_sets: list[dict[str, Any]] = []
    for resource in descriptor["resources"]:
        model = _model(resource)
        table = model.table_name
        file_id = _basename(resource["path"])
        distribution.append(
            {
                "@type": "cr:FileObject",
                "@id": file_id,
                "name": file_id,
                "description": f"{resource['title']} (CSV)",
                "contentUrl": resource["path"],
                "contentSize": f"{resource['bytes']} B",
                "encodingFormat": resource["mediatype"],
                "sha256": _sha256(resource),
            }
        )
        keys = [{"@id": f"{table}/{name}"} for name in model.primary_key]
        record_sets.append(
            {
                "@type": "cr:RecordSet",
                "@id": table,
                "name": table,
                "description": {"en": resource["description"], "es": model.table_description_es},
                "alternateName": {"en": model.table_title, "es": model.table_title_es},
                "key": keys[0] if len(keys) == 1 else keys,
                "field": [_croissant_field(table, column, file_id) for column in columns(model)],
            }
        )
    licences = [licence["path"] for licence in data_licenses(descriptor)]
    out: dict[str, Any] = {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": [CROISSANT_VERSION, CROISSANT_RAI_VERSION],
        "name": descriptor["name"],
        "alternateName": {"en": descriptor["title"], "es": TITLE_ES},
        "description": {"en": descriptor["description"], "es": DESCRIPTION_ES},
        "version": descriptor["version"],
        "license": licences[0] if len(licences) == 1 else licences,
        "citeAs": cite_as(descriptor),
        **({"url": release_url(descriptor)} if release_url(descriptor) else {}),
        "creator": [{"@type": "sc:Organization", "name": name} for name in creator_names(descriptor)],
        "keywords": list(descriptor.get("keywords", [])),
        "inLanguage": sorted({s.language for s in sources}),
    }
    released = descriptor_date(descriptor)
    if released is not None:
        out["datePublished"] = released
    coverage = temporal_coverage(facts) if facts is not None else None
    if coverage is not None:
        out["temporalCoverage"] = coverage
    parts = series_parts(descriptor)
    if parts:
        out["hasPart"] = [{**part, "@type": "sc:Dataset"} for part in parts]
    accessed = sorted(s.accessed_on for s in sources if s.accessed_on is not None)
    out.update(
        {
            "rai:dataCollection": DATA_COLLECTION,
            "rai:dataCollectionType": list(DATA_COLLECTION_TYPES),
            "rai:dataCollectionRawData": DATA_COLLECTION_RAW_DATA,
            "rai:dataCollectionMissingData": DATA_COLLECTION_MISSING_DATA,
            "rai:dataPreprocessingProtocol": list(PREPROCESSING),
            "rai:dataAnnotationProtocol": list(ANNOTATION),
            # The RAI spec puts non-recommended uses under limitations; use cases repeat
            # them so that a reader of either property sees what the data must not do.
            "rai:dataLimitations": [*LIMITATIONS, *PROHIBITED_USES],
            "rai:dataBiases": list(BIASES),
            "rai:personalSensitiveInformation": list(PERSONAL_INFORMATION),
            "rai:dataUseCases": [*USE_CASES, *PROHIBITED_USES],
            "rai:dataSocialImpact": SOCIAL_IMPACT,
            "rai:dataReleaseMaintenancePlan": MAINTENANCE,
        }
    )
    if accessed:
        # When curators read the copies: the only collection dates the data records.
        # RDF keeps a set of values, so a one-day timeframe is a single date.
        out["rai:dataCollectionTimeFrame"] = sorted({accessed[0].isoformat(), accessed[-1].isoformat()})
    out["distribution"] = distribution
    out["recordSet"] = record_sets
    return out


# ---------------------------------------------------------------------------
# schema.org


def temporal_coverage(facts: Mapping[str, Sequence[Record]]) -> str | None:
    """EDTF interval spanned by the dates of what the tables describe (see ``COVERAGE_DATE_COLUMNS``)."""
    values = [
        value
        for table, column in COVERAGE_DATE_COLUMNS
        for record in facts.get(table, ())
        if isinstance(value := getattr(record, column), str)
    ]
    bounds = edtf_bounds(values)
    if bounds is None:
        return None
    return bounds[0] if bounds[0] == bounds[1] else f"{bounds[0]}/{bounds[1]}"


def series_parts(descriptor: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One schema.org ``Dataset`` per series of the record, from the descriptor's computed coverage.

    The rows of a series are a subset of one table; the part says which, how many, what period they
    cover and the publication date of the newest source they cite.
    """
    parts = []
    for cov in descriptor.get(COVERAGE_PROPERTY, ()):
        if cov["rows"] == 0:
            continue
        newest = f"; the newest source cited was published {cov['newestSource']}" if cov["newestSource"] else ""
        part: dict[str, Any] = {
            "@type": "Dataset",
            "identifier": cov["series"],
            "name": cov["title"],
            "description": f"{cov['rows']} rows of the {cov['table']} table{newest}.",
        }
        if cov["first"] and cov["last"]:
            part["temporalCoverage"] = cov["first"] if cov["first"] == cov["last"] else f"{cov['first']}/{cov['last']}"
        parts.append(part)
    return parts


def country_codes(facts: Mapping[str, Sequence[Record]]) -> list[str]:
    """Every ISO 3166-1 code the given tables use (columns named ``*_iso2``), sorted."""
    codes: set[str] = set()
    for table, records in facts.items():
        names = [c.name for c in columns(MODELS_BY_TABLE[table]) if c.name.endswith("_iso2")]
        for record in records:
            codes.update(v for n in names if isinstance(v := getattr(record, n), str))
    return sorted(codes)


def _place(code: str) -> dict[str, Any]:
    place: dict[str, Any] = {"@type": "Country", "identifier": code}
    if code in COUNTRY_NAMES:
        place["name"] = COUNTRY_NAMES[code]
    return place


def _term_explanations(column: Column) -> dict[str, str]:
    """Per-term glosses a vocabulary's description gives as ``term (gloss)``, by term."""
    found: dict[str, str] = {}
    for term in column.enum or ():
        match = re.search(rf"(?<![a-z_]){re.escape(term)} \(([^()]*(?:\([^()]*\)[^()]*)*)\)", column.description)
        if match:
            found[term] = match.group(1)
    return found


def measured_variables(facts: Mapping[str, Sequence[Record]]) -> list[dict[str, Any]]:
    """One ``PropertyValue`` per measure a quantity table records.

    The measures are the vocabulary of each claims table's own enumerated
    column (``population_counts.measure``, ``facility_quantities.attribute``);
    when ``facts`` holds the table, only the terms its rows use.
    """
    out: list[dict[str, Any]] = []
    shared = set(QuantityClaim.model_fields)
    for model in MODELS_BY_TABLE.values():
        if not issubclass(model, QuantityClaim):
            continue
        for column in columns(model):
            if column.enum is None or column.name in shared:
                continue
            used = {getattr(r, column.name) for r in facts[model.table_name]} if model.table_name in facts else None
            glosses = _term_explanations(column)
            for term in column.enum:
                if used is not None and term not in used:
                    continue
                gloss = glosses.get(term)
                # A vocabulary without per-term glosses explains its terms as a whole (units by suffix).
                explanation = f": {gloss}." if gloss else ("." if glosses else f". {column.description}")
                out.append(
                    {
                        "@type": "PropertyValue",
                        "name": term,
                        "propertyID": f"{model.table_name}.{column.name}={term}",
                        "description": (
                            f"{model.table_title} whose {column.name} is '{term}'{explanation} Each row is one "
                            "claim, with its qualifier, as_of and claimant."
                        ),
                    }
                )
    return out


def schema_org(
    descriptor: dict[str, Any],
    sources: Sequence[Source],
    facts: Mapping[str, Sequence[Record]],
    *,
    first_released: str | None = None,
) -> dict[str, Any]:
    """A schema.org ``Dataset`` (JSON-LD) for search engines and data portals.

    ``facts`` maps table names to their records; temporal and spatial coverage
    and the measured variables are computed from them. ``datePublished`` is
    ``first_released`` (the first release's date) when given, else this
    release's; ``dateModified`` is this release's. ``url`` and absolute
    ``contentUrl`` values appear only when the descriptor has a release URL.
    """
    licences = [licence["path"] for licence in data_licenses(descriptor)]
    downloads: list[dict[str, Any]] = []
    for resource in descriptor["resources"]:
        for spec, kind in ((resource, "CSV"), (resource.get(PARQUET_PROPERTY), "Parquet")):
            if spec is None:
                continue
            downloads.append(
                {
                    "@type": "DataDownload",
                    "name": _basename(spec["path"]),
                    "description": f"{resource['title']} ({kind})",
                    "encodingFormat": spec["mediatype"],
                    "contentUrl": file_url(descriptor, spec["path"]),
                    "contentSize": f"{spec['bytes']} B",
                    "sha256": _sha256(spec),
                }
            )
    out: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": descriptor["title"],
        "alternateName": descriptor["name"],
        "description": descriptor["description"],
        "version": descriptor["version"],
        "license": licences[0] if len(licences) == 1 else licences,
        "isAccessibleForFree": True,
        "creator": [{"@type": "Organization", "name": name} for name in creator_names(descriptor)],
        "publisher": [{"@type": "Organization", "name": name} for name in publishers(descriptor)],
        "citation": citation_text(descriptor),
        "keywords": list(descriptor.get("keywords", [])),
        "inLanguage": sorted({s.language for s in sources}),
        "measurementTechnique": list(DATA_COLLECTION_TYPES),
        "variableMeasured": measured_variables(facts),
    }
    url = release_url(descriptor)
    if url is not None:
        out["url"] = url
    released = descriptor_date(descriptor)
    if released is not None:
        out["datePublished"] = first_released or released
        out["dateModified"] = released
    coverage = temporal_coverage(facts)
    if coverage is not None:
        out["temporalCoverage"] = coverage
    out["hasPart"] = series_parts(descriptor)
    codes = country_codes(facts)
    if codes:
        out["spatialCoverage"] = [_place(code) for code in codes]
    out["distribution"] = downloads
    out["isBasedOn"] = [
        {"@type": "CreativeWork", "name": f"{s.publisher}: {s.title}" if s.title else s.publisher, "url": s.url}
        for s in sorted(sources, key=lambda s: s.source_id)
        if s.url is not None
    ]
    return out


# ---------------------------------------------------------------------------
# CITATION.cff


def _yaml_string(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar, escapes included.
    return json.dumps(text, ensure_ascii=False)


def citation_cff(descriptor: dict[str, Any]) -> str:
    """``CITATION.cff`` text (CFF 1.2.0) for the dataset."""
    licences = [licence["name"] for licence in data_licenses(descriptor)]
    lines = [
        "# Generated by `cecot-data build` from the descriptor. Do not edit.",
        "cff-version: 1.2.0",
        "message: "
        + _yaml_string(
            "If you use this dataset, please cite it as below, and cite the original sources "
            "(datasets/sources.csv) for individual facts."
        ),
        "type: dataset",
        f"title: {_yaml_string(descriptor['title'])}",
        f"version: {_yaml_string(descriptor['version'])}",
    ]
    released = descriptor_date(descriptor)
    if released is not None:
        lines.append(f"date-released: {_yaml_string(released)}")
    url = release_url(descriptor)
    if url is not None:
        lines.append(f"url: {_yaml_string(url)}")
    lines.append("authors:")
    lines += [f"  - name: {_yaml_string(name)}" for name in creator_names(descriptor)]
    if len(licences) == 1:
        lines.append(f"license: {_yaml_string(licences[0])}")
    else:
        lines.append("license:")
        lines += [f"  - {_yaml_string(name)}" for name in licences]
    lines.append(f"abstract: {_yaml_string(descriptor['description'])}")
    keywords = descriptor.get("keywords", [])
    if keywords:
        lines.append("keywords:")
        lines += [f"  - {_yaml_string(k)}" for k in keywords]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# DATASHEET.md

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def datasheet(
    descriptor: dict[str, Any], counts: Mapping[str, int], source_kinds: Mapping[str, int], template: str
) -> str:
    """``DATASHEET.md`` (Datasheets for Datasets), rendered from ``template``.

    ``counts`` gives the rows of each table and ``source_kinds`` the sources of
    each kind. The template holds ``{name}`` placeholders (see
    ``docs/datasheet-template.md``); an unknown placeholder is an error, so a
    typo cannot ship as literal text.
    """
    resources = descriptor["resources"]
    table_rows = ["| table | rows | one row is |", "|---|---:|---|"]
    table_rows += [f"| `{r['name']}` | {counts[r['name']]:,} | {_cell(r['description'])} |" for r in resources]
    kind_rows = ["| kind | sources |", "|---|---:|"]
    kind_rows += [
        f"| `{kind}`{' (always weak)' if kind in WEAK_SOURCE_KINDS else ''} | {n:,} |"
        for kind, n in sorted(source_kinds.items(), key=lambda item: (-item[1], item[0]))
    ]
    licences = "; ".join(f"`{lic['name']}`, {lic['title']}, <{lic['path']}>" for lic in descriptor.get("licenses", []))
    values: dict[str, str] = {
        "name": str(descriptor["name"]),
        "title": str(descriptor["title"]),
        "version": str(descriptor["version"]),
        "description": str(descriptor["description"]),
        "creators": ", ".join(creator_names(descriptor)),
        "release_date": descriptor_date(descriptor) or "not recorded in the descriptor",
        "licenses": licences,
        "data_licenses": ", ".join(lic["name"] for lic in data_licenses(descriptor)),
        "table_count": str(len(resources)),
        "table_rows": "\n".join(table_rows),
        "total_rows": f"{sum(counts[r['name']] for r in resources):,}",
        "source_kinds": "\n".join(kind_rows),
        "total_sources": f"{sum(source_kinds.values()):,}",
        "quote_max_words": str(QUOTE_MAX_WORDS),
        "motivation": MOTIVATION,
        "data_collection": DATA_COLLECTION,
        "raw_data": DATA_COLLECTION_RAW_DATA,
        "missing_data": DATA_COLLECTION_MISSING_DATA,
        "preprocessing": _bullets(PREPROCESSING),
        "annotation": _bullets(ANNOTATION),
        "limitations": _bullets(LIMITATIONS),
        "biases": _bullets(BIASES),
        "personal_information": _bullets(PERSONAL_INFORMATION),
        "use_cases": _bullets(USE_CASES),
        "prohibited_uses": _bullets(PROHIBITED_USES),
        "social_impact": SOCIAL_IMPACT,
        "maintenance": MAINTENANCE,
    }

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"datasheet template: unknown placeholder {{{key}}}")
        return values[key]

    text = _PLACEHOLDER.sub(fill, template)
    return text if text.endswith("\n") else text + "\n"
