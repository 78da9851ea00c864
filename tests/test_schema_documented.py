"""The data dictionary documents every column and every vocabulary code the code accepts."""

from __future__ import annotations

import pytest

from atlas import schema
from atlas.paths import BUNDLED_DATA_DIR as DATA_DIR

README = (DATA_DIR / "README.md").read_text(encoding="utf-8")

COLUMNS = sorted(
    {
        *schema.INCIDENT_COLUMNS,
        *schema.PLACE_COLUMNS,
        *schema.REPORT_COLUMNS,
        *schema.DOCUMENT_COLUMNS,
    }
)
CODES = sorted(
    {
        *schema.EVENT_TYPE_CODES,
        *schema.DATE_PRECISIONS,
        *schema.GEO_PRECISION_CODES,
        *schema.STATUSES,
        *schema.PEOPLE_QUALIFIERS,
        *schema.SOURCE_TYPES,
        *schema.PLACE_ROLES,
        *schema.SENSITIVITY_LEVELS,
    }
)


@pytest.mark.parametrize("name", COLUMNS + CODES)
def test_documented(name):
    assert f"`{name}`" in README


def test_every_column_in_the_files_is_in_the_schema():
    for file, columns in (
        ("incidents.csv", schema.INCIDENT_COLUMNS),
        ("places.csv", schema.PLACE_COLUMNS),
        ("reports.csv", schema.REPORT_COLUMNS),
        ("documents.csv", schema.DOCUMENT_COLUMNS),
    ):
        header = (DATA_DIR / file).read_text(encoding="utf-8").splitlines()[0].split(",")
        assert header == list(columns), file


def test_import_fields_and_acled_codes_are_documented():
    from atlas.intake.acled import ACLED_EVENT_TYPES, ACLED_GEO_PRECISION
    from atlas.intake.mapping import FIELDS

    for name in FIELDS:
        assert f"| `{name}` |" in README, name
    for acled, code in ACLED_EVENT_TYPES.items():
        assert f"| {acled} | `{code}` |" in README, acled
    for acled, code in ACLED_GEO_PRECISION.items():
        assert f"| {acled} | `{code}` |" in README, acled
