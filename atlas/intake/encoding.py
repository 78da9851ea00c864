"""Text encodings of uploaded CSV files: detected, named, never guessed silently.

A byte order mark names UTF-8, UTF-16 or UTF-32; without one, text whose every second
(fourth) byte is zero is UTF-16 (UTF-32), as Windows "Unicode text" exports are. UTF-8 is
then tried, strictly. Files are checked a chunk at a time, never decoded whole here. A
file whose first lines are UTF-8 Korean or Chinese and a later line is not mixes
encodings: it is refused, naming the line, since no single decoding reads it right.
Otherwise the two legacy CJK encodings are tried: CP949 (EUC-KR and its Windows
extension, Korean) and GB18030 (GBK and GB2312, Chinese). Their byte ranges overlap, so a
Korean file often decodes without error as GB18030 (into rare Chinese characters) and the
other way round: the decodings are told apart by how much of the text is made of the
language's most common characters (Hangul syllables for Korean, Han characters for
Chinese). The caller shows the encoding used and may override it.
"""

from __future__ import annotations

import codecs

UTF8, UTF8_BOM, CP949, GB18030 = "UTF-8", "UTF-8 with BOM", "CP949 (EUC-KR)", "GB18030 (GBK)"
UTF16LE, UTF16BE, UTF32LE, UTF32BE = "UTF-16 LE", "UTF-16 BE", "UTF-32 LE", "UTF-32 BE"
CODECS = {
    UTF8: "utf-8",
    UTF8_BOM: "utf-8-sig",
    CP949: "cp949",
    GB18030: "gb18030",
    UTF16LE: "utf-16-le",  # the BOM, if any, is a U+FEFF the reader drops
    UTF16BE: "utf-16-be",
    UTF32LE: "utf-32-le",
    UTF32BE: "utf-32-be",
}
CHOICES = tuple(CODECS)  # what a person may choose instead of the detected encoding
# Byte order marks, longest first: UTF-32 LE's begins with UTF-16 LE's.
BOMS = (
    (codecs.BOM_UTF32_LE, UTF32LE),
    (codecs.BOM_UTF32_BE, UTF32BE),
    (codecs.BOM_UTF8, UTF8_BOM),
    (codecs.BOM_UTF16_LE, UTF16LE),
    (codecs.BOM_UTF16_BE, UTF16BE),
)
CHUNK = 2**20  # bytes decoded at a time: a file is checked without holding its text
SAMPLE = 2**18  # bytes scored to tell CP949 from GB18030

# The most frequent syllables of Korean prose and characters of Chinese prose, with words
# of this domain (places, detention, return). A correct decoding is mostly made of these;
# a wrong one (the other language's bytes) yields rare characters.
COMMON_KOREAN = set(
    "이다는의에가하고을를한지서기사자도로대인리그수들있었시어일정아게보만것해국전나"
    "적부성상라면주여요중원제장계관경과말동생거우내문세후위화연년월명북중송환탈난민구금"
    "체포단둥선양옌연길쿤밍베징린랴오닝투먼경공안강압류소"
)
COMMON_CHINESE = set(
    "的一是不了人在有我他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去"
    "之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又"
    "如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月"
    "朝鲜脱北者遣返拘留押丹东沈阳延吉昆明北京吉林辽宁图们边境难民警被逮捕名"
)


class EncodingError(ValueError):
    """The bytes are not text in any encoding the importer reads."""


def _score(text: str, common: set[str], lo: int, hi: int) -> float:
    letters = [c for c in text if lo <= ord(c) <= hi]
    return sum(c in common for c in letters) / len(letters) if letters else 0.0


def _check_mixed(data: bytes, bad: int) -> None:
    """Raise when whole lines before byte `bad` (where UTF-8 fails) are UTF-8 Korean or
    Chinese: the file mixes encodings (pasted rows, appended exports). Decoding all of it
    as CP949 or GB18030 would turn those lines into wrong characters, sometimes without
    any decoding error; a person must choose."""
    start = data.rfind(b"\n", 0, bad) + 1  # the failing line begins here
    before = data[:start].decode("utf-8")  # valid: UTF-8 fails only at `bad`
    if not any(0xAC00 <= ord(c) <= 0xD7A3 or 0x4E00 <= ord(c) <= 0x9FFF for c in before):
        return  # no Hangul or Han read as UTF-8 before the failing line
    line = before.count("\n") + 1
    raise EncodingError(
        f"the file mixes encodings: lines 1-{line - 1} are UTF-8 but line {line} is not "
        f"(byte 0x{data[bad : bad + 1].hex()})"
    )


def _wide(data: bytes) -> str | None:
    """UTF-16 or UTF-32 without a byte order mark (what Windows "Unicode text" and some
    exports write): text whose every second or fourth byte is zero in the first lines."""
    sample = data[:4096]
    if b"\x00" not in sample:
        return None
    for name in (UTF32LE, UTF32BE, UTF16LE, UTF16BE):
        width = 4 if name.startswith("UTF-32") else 2
        try:
            chars = sample[: len(sample) // width * width].decode(CODECS[name])
        except UnicodeDecodeError:
            continue
        readable = sum(c.isprintable() or c in "\t\r\n" for c in chars)
        if chars and readable >= 0.95 * len(chars):
            return name
    return None


def _first_error(data: bytes, codec: str) -> int | None:
    """Offset of the first byte `codec` cannot decode, or None; decoded a chunk at a time
    and thrown away, so a 50 MB file never becomes 200 MB of text here."""
    decoder = codecs.getincrementaldecoder(codec)()
    for start in range(0, len(data), CHUNK):
        chunk = data[start : start + CHUNK]
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk, final=start + CHUNK >= len(data))
        except UnicodeDecodeError as exc:
            return max(0, start - pending + exc.start)
    return None


def _not_text(data: bytes, bad: int, names: str) -> EncodingError:
    line = data[:bad].count(b"\n") + 1
    byte = data[bad : bad + 1].hex()
    return EncodingError(f"not {names} text (byte 0x{byte} on line {line})")


def wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 (by byte order mark, else by zero bytes), or None: such text has
    zero bytes and is still text, not a binary file."""
    for bom, name in BOMS:
        if data.startswith(bom):
            return name if name != UTF8_BOM else None
    return _wide(data)


def detect(data: bytes) -> str:
    """The name (a key of CODECS) of the encoding `data` is in."""
    for bom, name in BOMS:
        if data.startswith(bom):
            return name
    wide = _wide(data)
    if wide is not None:
        return wide
    bad = _first_error(data, "utf-8")
    if bad is None:
        return UTF8
    _check_mixed(data, bad)
    valid = [name for name in (CP949, GB18030) if _first_error(data, CODECS[name]) is None]
    if not valid:
        raise _not_text(data, bad, "UTF-8, UTF-16, CP949/EUC-KR or GB18030/GBK")
    if len(valid) == 1:
        return valid[0]
    sample = data[:SAMPLE]
    korean = _score(sample.decode("cp949", "replace"), COMMON_KOREAN, 0xAC00, 0xD7A3)
    chinese = _score(sample.decode("gb18030", "replace"), COMMON_CHINESE, 0x4E00, 0x9FFF)
    return CP949 if korean >= chinese else GB18030


def check(data: bytes, encoding: str | None = None) -> str:
    """The encoding (a key of CODECS) to read `data` with: `encoding` if given, else the
    detected one; raises EncodingError when the bytes are not text in it."""
    name = encoding or detect(data)
    if name not in CODECS:
        raise EncodingError(f"unknown encoding {name!r}; choose one of {', '.join(CHOICES)}")
    bad = _first_error(data, CODECS[name])
    if bad is not None:
        raise _not_text(data, bad, name)
    return name


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding name): `encoding` (a key of CODECS) if given, else the detected one."""
    name = check(data, encoding)
    return data.decode(CODECS[name]).removeprefix("\ufeff"), name
