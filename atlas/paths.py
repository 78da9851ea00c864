"""Where the project's files live. Paths are resolved from the package, never the CWD."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DATA_DIR = PROJECT_ROOT / "data"
# ATLAS_DATA_DIR points the app at another copy of the dataset (tests use a hostile one).
DATA_DIR = Path(os.environ.get("ATLAS_DATA_DIR", BUNDLED_DATA_DIR))
GEO_DATA_DIR = PROJECT_ROOT / "geo" / "data"


def seeds_dir() -> Path:
    """Folder of the source documents (kept outside the project; ATLAS_SEEDS_DIR overrides)."""
    return Path(os.environ.get("ATLAS_SEEDS_DIR", PROJECT_ROOT.parent / "shared" / "seeds"))
