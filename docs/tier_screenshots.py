"""Screenshots of the same view in the team and the public tier (docs/tier-team.png,
docs/tier-public.png, 1440×900): `.venv/bin/python docs/tier_screenshots.py`.

The view: November–December 2013, flows only, the Kunming detention selected (rated
sensitive); in the public tier it is selected by its public id (atlas.redaction.public_id
under the key given here)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from atlas.redaction import public_id  # noqa: E402
from tests.browser.harness import app_server, browser_page, wait_for_map, wait_idle  # noqa: E402

VIEW = "/?from=2013-11-01&to=2013-12-31&type=detention&type=transfer&type=repatriation"
SELECTED = "2013-11-15-kunming-detention"
KEY = "docs-screenshot-key"


def main() -> None:
    for tier in ("team", "public"):
        selected = SELECTED if tier == "team" else public_id(SELECTED, KEY.encode())
        env = {"ATLAS_TIER": tier, "ATLAS_PUBLIC_ID_KEY": KEY}
        with app_server(extra_env=env) as url, browser_page(1440, 900) as page:
            page.goto(f"{url}{VIEW}&incident={selected}")
            wait_for_map(page)
            wait_idle(page)
            page.screenshot(path=str(ROOT / "docs" / f"tier-{tier}.png"))
            print(f"docs/tier-{tier}.png")


if __name__ == "__main__":
    main()
