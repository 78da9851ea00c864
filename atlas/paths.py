"""Where the project's files live. Paths are resolved from the package, never the CWD."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
GEO_DATA_DIR = PROJECT_ROOT / "geo" / "data"


def seeds_dir() -> Path:
    """Folder of the source documents (kept outside the project; ATLAS_SEEDS_DIR overrides)."""
    return Path(os.environ.get("ATLAS_SEEDS_DIR", PROJECT_ROOT.parent / "shared" / "seeds"))
