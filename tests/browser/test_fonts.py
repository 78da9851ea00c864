"""Korean and Chinese render as glyphs, not as missing-glyph boxes, in the headless
Chromium that takes the screenshots (`make fonts`: Debian's fonts-noto-cjk)."""

from __future__ import annotations

import pytest

# In the app's own font stack: each text's width, the width of as many characters that no
# font has (U+10FFFD, private use: drawn as the missing-glyph box), and whether the two
# characters of the text draw differently on a canvas (two boxes draw identically).
MEASURE = """([text, missing]) => {
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const font = getComputedStyle(main).fontFamily;
  const width = (t) => {
    const span = document.createElement('span');
    span.style.cssText = `font-family:${font};font-size:40px;white-space:pre;position:absolute`;
    span.textContent = t;
    main.appendChild(span);
    const w = span.getBoundingClientRect().width;
    span.remove();
    return w;
  };
  const pixels = (ch) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 60;
    const ctx = canvas.getContext('2d');
    ctx.font = `40px ${font}`;
    ctx.fillText(ch, 5, 45);
    return Array.from(ctx.getImageData(0, 0, 60, 60).data).join(',');
  };
  const [a, b] = Array.from(text);
  return {text: width(text), missing: width(missing), differ: pixels(a) !== pixels(b),
          box: pixels(a) === pixels(missing.slice(0, 2))};
}"""
MISSING = "\U0010fffd\U0010fffd"


@pytest.mark.parametrize("text", ["단둥", "丹东"])
def test_cjk_text_is_drawn_with_glyphs(server, page, text):
    page.goto(server)
    page.wait_for_selector('[data-testid="stMain"]')
    found = page.evaluate(MEASURE, [text, MISSING])
    assert found["differ"], f"{text}: both characters draw the same box (no CJK font)"
    assert not found["box"], f"{text}: drawn as the missing-glyph box"
    assert abs(found["text"] - found["missing"]) > 1, found  # real glyphs, not two boxes
    assert found["text"] > 60  # two full-width glyphs of 40 px: about 80 px
