"""Text encodings of uploaded CSV files: detected, named, never guessed silently.

UTF-8 (with or without BOM) is tried first and strictly. A file whose first lines are
UTF-8 Korean or Chinese and a later line is not mixes encodings: it is refused, naming the
line, since no single decoding reads it right. Otherwise the two legacy CJK encodings are
tried: CP949 (EUC-KR and its Windows extension, Korean) and GB18030 (GBK and GB2312,
Chinese). Their byte ranges overlap, so a Korean file often decodes without error as
GB18030 (into rare Chinese characters) and the other way round: the decodings are told
apart by how much of the text is made of the language's most common characters (Hangul
syllables for Korean, Han characters for Chinese). The caller shows the encoding used and
may override it.
"""

from __future__ import annotations

import codecs

UTF8, UTF8_BOM, CP949, GB18030 = "UTF-8", "UTF-8 with BOM", "CP949 (EUC-KR)", "GB18030 (GBK)"
CODECS = {UTF8: "utf-8", UTF8_BOM: "utf-8-sig", CP949: "cp949", GB18030: "gb18030"}
CHOICES = tuple(CODECS)  # what a person may choose instead of the detected encoding

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


def detect(data: bytes) -> str:
    """The name (a key of CODECS) of the encoding `data` is in."""
    if data.startswith(codecs.BOM_UTF8):
        return UTF8_BOM
    try:
        data.decode("utf-8")
        return UTF8
    except UnicodeDecodeError as exc:
        utf8_error = exc
    _check_mixed(data, utf8_error.start)
    decoded = {}
    for name in (CP949, GB18030):
        try:
            decoded[name] = data.decode(CODECS[name])
        except UnicodeDecodeError:
            continue
    if not decoded:
        line = data[: utf8_error.start].count(b"\n") + 1
        byte = data[utf8_error.start : utf8_error.start + 1].hex()
        raise EncodingError(
            f"not UTF-8, CP949/EUC-KR or GB18030/GBK text (byte 0x{byte} on line {line})"
        )
    if len(decoded) == 1:
        return next(iter(decoded))
    korean = _score(decoded[CP949], COMMON_KOREAN, 0xAC00, 0xD7A3)
    chinese = _score(decoded[GB18030], COMMON_CHINESE, 0x4E00, 0x9FFF)
    return CP949 if korean >= chinese else GB18030


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding name): `encoding` (a key of CODECS) if given, else the detected one."""
    name = encoding or detect(data)
    if name not in CODECS:
        raise EncodingError(f"unknown encoding {name!r}; choose one of {', '.join(CHOICES)}")
    try:
        return data.decode(CODECS[name]), name
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EncodingError(
            f"not {name} text (byte 0x{data[exc.start : exc.start + 1].hex()} on line {line})"
        ) from exc
