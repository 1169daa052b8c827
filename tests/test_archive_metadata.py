"""Archive and search metadata, each checked by its community's tool.

- ``.zenodo.json``: no JSON Schema of Zenodo's deposit format is published on
  PyPI or npm, so it is checked with ``jsonschema`` against a schema written
  here from the fields Zenodo documents (developers.zenodo.org, "Deposit
  metadata"), and against what ``cffconvert -f zenodo`` (the CFF community's
  converter) makes of our CITATION.cff.
- ``schema-org.jsonld`` and ``croissant.json``: expanded by a JSON-LD processor
  (``pyld``) with nothing lost, and schema.org against the properties Google
  Dataset Search requires and recommends for a ``Dataset``.
- The release URL: the only source of absolute URLs, unset today.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import cecot_data
from cecot_data.build import release_url
from cecot_data.standards import citation_cff, croissant, schema_org
from cecot_data.zenodo import zenodo_json

REQUIRE_PEERS = os.environ.get("CECOT_REQUIRE_PEERS") == "1"
EXAMPLE_RELEASE = "https://example.org/cecot-data/0.2.0/"  # test input only: never written to a file

# Zenodo's documented deposit metadata (legacy format, which .zenodo.json uses).
ZENODO_RELATIONS = [
    "isCitedBy", "cites", "isSupplementTo", "isSupplementedBy", "isContinuedBy", "continues",
    "isDescribedBy", "describes", "hasMetadata", "isMetadataFor", "isNewVersionOf", "isPreviousVersionOf",
    "isPartOf", "hasPart", "isReferencedBy", "references", "isDocumentedBy", "documents", "isCompiledBy",
    "compiles", "isVariantFormOf", "isOriginalFormOf", "isIdenticalTo", "isAlternateIdentifier",
    "isReviewedBy", "reviews", "isDerivedFrom", "isSourceOf", "requires", "isRequiredBy", "isObsoletedBy",
    "obsoletes",
]  # fmt: skip
ZENODO_UPLOAD_TYPES = [
    "publication", "poster", "presentation", "dataset", "image", "video", "software", "lesson", "physicalobject",
    "other",
]  # fmt: skip
ZENODO_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["upload_type", "title", "creators", "description", "access_right", "license"],
    "additionalProperties": False,
    "properties": {
        "upload_type": {"enum": ZENODO_UPLOAD_TYPES},
        "publication_date": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        "title": {"type": "string", "minLength": 1},
        "creators": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "affiliation": {"type": "string"},
                    "orcid": {"type": "string"},
                    "gnd": {"type": "string"},
                },
            },
        },
        "description": {"type": "string", "minLength": 1},
        "access_right": {"enum": ["open", "embargoed", "restricted", "closed"]},
        "license": {"type": "string", "pattern": "^[a-z0-9.-]+$"},
        "embargo_date": {"type": "string"},
        "access_conditions": {"type": "string"},
        "doi": {"type": "string"},
        "prereserve_doi": {"type": ["object", "boolean"]},
        "keywords": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "notes": {"type": "string"},
        "related_identifiers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["identifier", "relation"],
                "properties": {
                    "identifier": {"type": "string", "minLength": 1},
                    "relation": {"enum": ZENODO_RELATIONS},
                    "resource_type": {"type": "string"},
                    "scheme": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
        "contributors": {"type": "array"},
        "references": {"type": "array", "items": {"type": "string"}},
        "communities": {"type": "array"},
        "grants": {"type": "array"},
        "subjects": {"type": "array"},
        "version": {"type": "string"},
        "language": {"type": "string", "pattern": "^[a-z]{3}$"},
        "locations": {"type": "array"},
        "dates": {"type": "array"},
        "method": {"type": "string"},
    },
}


# ---------------------------------------------------------------------------
# .zenodo.json


def test_zenodo_json_is_generated(repo: Path, descriptor: dict[str, Any]) -> None:
    on_disk = json.loads((repo / ".zenodo.json").read_text(encoding="utf-8"))
    assert on_disk == zenodo_json(descriptor, cecot_data.load_sources())
    assert on_disk["upload_type"] == "dataset"
    assert on_disk["version"] == descriptor["version"] == cecot_data.__version__
    assert on_disk["creators"] == [{"name": "cecot-data contributors"}]
    assert on_disk["license"] == "cc-by-4.0"
    assert "MIT" in on_disk["notes"]
    assert on_disk["keywords"] == descriptor["keywords"]
    urls = sorted({s.url for s in cecot_data.load_sources() if s.url is not None})
    assert [r["identifier"] for r in on_disk["related_identifiers"]] == urls
    assert {r["relation"] for r in on_disk["related_identifiers"]} == {"isDerivedFrom"}


def test_zenodo_json_matches_the_documented_fields(repo: Path, peer: Callable[[str], Any]) -> None:
    jsonschema = peer("jsonschema")
    validator = jsonschema.Draft202012Validator(ZENODO_SCHEMA)
    document = json.loads((repo / ".zenodo.json").read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(document)] == []
    # The schema can say no: a misspelt field and a wrong type are refused.
    bad = {**document, "upload-type": "dataset", "creators": [{"nmae": "x"}]}
    assert len(list(validator.iter_errors(bad))) >= 2


@pytest.mark.slow
def test_zenodo_json_agrees_with_cffconvert(tmp_path: Path, repo: Path, descriptor: dict[str, Any]) -> None:
    executable = os.environ.get("CECOT_CFFCONVERT")
    if not executable:
        if REQUIRE_PEERS:
            pytest.fail("CECOT_CFFCONVERT is not set (scripts/test.sh sets it)")
        pytest.skip("CECOT_CFFCONVERT is not set")
    cff = tmp_path / "CITATION.cff"
    cff.write_text(citation_cff(descriptor), encoding="utf-8")
    result = subprocess.run([executable, "-i", str(cff), "-f", "zenodo"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    theirs = json.loads(result.stdout)
    ours = json.loads((repo / ".zenodo.json").read_text(encoding="utf-8"))
    for key in ("title", "creators", "keywords", "version", "publication_date"):
        assert ours.get(key) == theirs.get(key), key
    assert ours["license"] == theirs["license"]["id"].lower()
    assert ours["description"] == f"<p>{theirs['description']}</p>".replace("&", "&amp;")


# ---------------------------------------------------------------------------
# JSON-LD


def _schema_org_loader(url: str, _options: Any = None) -> dict[str, Any]:
    """Offline: schema.org's context maps every term into its vocabulary; any other URL is refused."""
    if url.rstrip("/") in {"https://schema.org", "http://schema.org"}:
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": {"@context": {"@vocab": "https://schema.org/"}},
        }
    raise OSError(f"no network in tests: {url}")


def _leaves(node: Any, skip: frozenset[str] = frozenset({"@context", "@type", "@id", "dataType"})) -> Counter[Any]:
    found: Counter[Any] = Counter()
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in skip:
                found.update(_leaves(value, skip))
    elif isinstance(node, list):
        for item in node:
            found.update(_leaves(item, skip))
    else:
        found[json.dumps(node)] += 1
    return found


def _lost_in_expansion(document: dict[str, Any], peer: Callable[[str], Any]) -> Counter[Any]:
    """Values of the document that its JSON-LD expansion does not keep (empty when nothing is lost)."""
    jsonld = peer("pyld.jsonld")
    expanded = jsonld.expand(document, {"documentLoader": _schema_org_loader})
    kept = _leaves(expanded, frozenset({"@type", "@language"}))
    return _leaves(document) - kept


@pytest.mark.parametrize("name", ["schema-org.jsonld", "croissant.json"])
def test_jsonld_expands_without_loss(name: str, installed_package_dir: Path, peer: Callable[[str], Any]) -> None:
    document = json.loads((installed_package_dir / name).read_text(encoding="utf-8"))
    assert sum(_leaves(document).values()) > 100
    assert _lost_in_expansion(document, peer) == Counter()


def test_jsonld_loss_check_can_fail(peer: Callable[[str], Any]) -> None:
    document = {"@context": {"name": "https://schema.org/name"}, "name": "kept", "nmae": "dropped"}
    assert _lost_in_expansion(document, peer) == Counter({'"dropped"': 1})


# ---------------------------------------------------------------------------
# Google Dataset Search (Search Central, "Dataset" structured data)

GOOGLE_REQUIRED = ("name", "description")
GOOGLE_RECOMMENDED = (
    "alternateName", "creator", "citation", "funder", "hasPart", "isAccessibleForFree", "isBasedOn",
    "identifier", "isPartOf", "keywords", "license", "measurementTechnique", "sameAs", "spatialCoverage",
    "temporalCoverage", "variableMeasured", "version", "url", "includedInDataCatalog", "distribution",
)  # fmt: skip
# Recommended properties left out, and why; each would be a guess today.
GOOGLE_ABSENT_BECAUSE = {
    "funder": "the project has no funder",
    "identifier": "no DOI until a release is archived",
    "isPartOf": "the dataset is part of no larger one",
    "sameAs": "no other page describes it yet",
    "url": "no release URL is set",
    "includedInDataCatalog": "it is in no data catalogue yet",
}


def test_schema_org_has_what_google_requires_and_recommends(installed_package_dir: Path) -> None:
    dataset = json.loads((installed_package_dir / "schema-org.jsonld").read_text(encoding="utf-8"))
    for name in GOOGLE_REQUIRED:
        assert dataset.get(name), name
    assert 50 <= len(dataset["description"]) <= 5000
    missing = {name for name in GOOGLE_RECOMMENDED if name not in dataset}
    assert missing == set(GOOGLE_ABSENT_BECAUSE)
    assert dataset["isAccessibleForFree"] is True
    assert all(person["name"] for person in dataset["creator"] + dataset["publisher"])
    for download in dataset["distribution"]:
        assert download["contentUrl"] and download["encodingFormat"]
    assert dataset["dateModified"] == dataset["datePublished"] or dataset["dateModified"] > dataset["datePublished"]
    assert dataset["version"] in dataset["citation"]


# ---------------------------------------------------------------------------
# The release URL


def test_no_release_url_means_no_absolute_url_of_our_own(
    repo: Path, installed_package_dir: Path, descriptor: dict[str, Any]
) -> None:
    assert release_url(repo) is None
    assert "homepage" not in descriptor
    external = {s.url for s in cecot_data.load_sources() if s.url} | {lic["path"] for lic in descriptor["licenses"]}
    for name in ("schema-org.jsonld", "croissant.json"):
        document = json.loads((installed_package_dir / name).read_text(encoding="utf-8"))
        assert "url" not in document, name
        for download in document["distribution"]:
            assert not download["contentUrl"].startswith("http"), download["contentUrl"]
    cff = (installed_package_dir / "CITATION.cff").read_text(encoding="utf-8")
    assert "\nurl:" not in cff
    zenodo = json.loads((repo / ".zenodo.json").read_text(encoding="utf-8"))
    assert {r["identifier"] for r in zenodo["related_identifiers"]} <= external


def test_release_url_when_set(descriptor: dict[str, Any], facts: dict[str, list[Any]]) -> None:
    released = {**descriptor, "homepage": EXAMPLE_RELEASE}
    sources = cecot_data.load_sources()
    dataset = schema_org(released, sources, facts)
    assert dataset["url"] == EXAMPLE_RELEASE
    assert EXAMPLE_RELEASE in dataset["citation"]
    assert {d["contentUrl"] for d in dataset["distribution"]} == {
        EXAMPLE_RELEASE + spec["path"] for r in descriptor["resources"] for spec in (r, r["cecot:parquet"])
    }
    assert croissant(released, sources)["url"] == EXAMPLE_RELEASE
    assert f'url: "{EXAMPLE_RELEASE}"\n' in citation_cff(released)
    assert zenodo_json(released, sources)["related_identifiers"][0] == {
        "identifier": EXAMPLE_RELEASE,
        "relation": "isIdenticalTo",
        "scheme": "url",
    }


def test_release_url_setting(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "cecot-data"\n\n[tool.cecot-data]\n# release-url = "x"\n', "utf-8")
    assert release_url(tmp_path) is None
    pyproject.write_text(f'[tool.cecot-data]\nrelease-url = "{EXAMPLE_RELEASE}"\n\n[tool.x]\n', "utf-8")
    assert release_url(tmp_path) == EXAMPLE_RELEASE
    pyproject.write_text('[tool.cecot-data]\nrelease-url = "http://example.org/no-slash"\n', "utf-8")
    with pytest.raises(ValueError, match="release-url"):
        release_url(tmp_path)
