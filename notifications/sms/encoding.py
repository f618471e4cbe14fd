"""How an SMS text is encoded, what it costs in segments, and how it is cut into parts.

An SMS travels either in the GSM 7-bit default alphabet (3GPP TS 23.038, formerly GSM 03.38,
clause 6.2.1) or, as soon as one character is outside that alphabet, in UCS-2 (clause 6.2.3).
One character outside the alphabet therefore turns a 160-character message into a 70-character
one: a Polish "ł", or a no-break space, narrow no-break space or en dash that Babel's date and
time formatters emit. `normalize_for_sms` removes the typographic ones, `transliterate_polish`
optionally the Polish letters, and `segment_count` and `split_segments` say what is left to pay.

Segment sizes come from a 140-octet user data field (3GPP TS 23.040, 9.2.3.24): 160 septets or
70 UTF-16 code units for a single message; a concatenated message spends 6 octets on its user
data header (information element 0x00, TS 23.040 9.2.3.24.1), leaving 153 septets (7 septets
of header, with fill bits to the septet boundary) or 67 UTF-16 code units per segment.

Pure functions only: no Flask, no database.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

SmsEncoding = Literal["GSM-7", "UCS-2"]

ESCAPE: Final = "\x1b"
"""Septet 0x1B: the next septet is read from the extension table (TS 23.038, 6.2.1.1)."""

# The default alphabet in septet order, 0x00..0x7F (TS 23.038, 6.2.1). 0x1B is the escape to the
# extension table, not a character; 0x0A is line feed and 0x0D carriage return.
_BASIC_TABLE: Final = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
assert len(_BASIC_TABLE) == 128

GSM7_BASIC_CHARACTERS: Final = frozenset(_BASIC_TABLE.replace(ESCAPE, "") + "ç")
"""Characters that cost one septet. Septet 0x09 is drawn as "Ç" in TS 23.038 but was "ç" in
GSM 03.38 phase 1, and handsets render it either way, so both map to it."""

GSM7_EXTENSION_CHARACTERS: Final = frozenset("\f^{}\\[~]|€")
"""Characters of the extension table (TS 23.038, 6.2.1.1): each is sent as ESC + one septet, so
it costs two septets, and the pair must stay within one segment (TS 23.040, 9.2.3.24.1)."""

_GSM7_CHARACTERS: Final = GSM7_BASIC_CHARACTERS | GSM7_EXTENSION_CHARACTERS

GSM7_SINGLE_LIMIT: Final = 160
GSM7_SEGMENT_LIMIT: Final = 153
UCS2_SINGLE_LIMIT: Final = 70
UCS2_SEGMENT_LIMIT: Final = 67

_SPACES: Final = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000"
)
_DASHES: Final = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_SINGLE_QUOTES: Final = "\u2018\u2019\u201a\u201b\u2039\u203a"
_DOUBLE_QUOTES: Final = "\u201c\u201d\u201e\u201f\u00ab\u00bb"
_ZERO_WIDTH: Final = "\u200b\u200c\u200d\u2060\ufeff"

_TYPOGRAPHY_TO_GSM7: Final = str.maketrans(
    {
        **dict.fromkeys(_SPACES, " "),
        **dict.fromkeys(_DASHES, "-"),
        **dict.fromkeys(_SINGLE_QUOTES, "'"),
        **dict.fromkeys(_DOUBLE_QUOTES, '"'),
        **dict.fromkeys(_ZERO_WIDTH, None),
        "\u2026": "...",
    }
)

_POLISH_TO_ASCII: Final = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    """What a text costs to send.

    `units` are septets for GSM-7 (an extension character counts two) and UTF-16 code units for
    UCS-2 (a character outside the Basic Multilingual Plane, such as an emoji, counts two).
    `per_segment` is the limit that applies: the single-message limit when the text fits one
    message, the concatenated-segment limit otherwise. `characters_left` is what still fits in
    the last segment, in the same units.
    """

    encoding: SmsEncoding
    units: int
    segments: int
    per_segment: int
    characters_left: int


@dataclass(frozen=True, slots=True)
class PreparedSms:
    """A text made ready to send, with what it will cost."""

    text: str
    encoding: SmsEncoding
    segments: int
    units: int


def normalize_for_sms(text: str) -> str:
    """Replace typography that would force UCS-2 with its plain GSM-7 equivalent.

    Unicode spaces (no-break U+00A0, narrow no-break U+202F, thin U+2009 and the rest of the
    U+2000 block) become a space; hyphens and dashes (U+2010..U+2015, minus U+2212) become "-";
    typographic and angle quotes become ' or "; the ellipsis becomes "..."; zero-width
    characters (including the joiners U+200C/U+200D and the BOM) are removed. The text is first
    composed to NFC, so a decomposed "a" + U+0308 becomes the GSM-7 "ä" it looks like.
    Everything else is kept, including letters outside GSM-7: those are a matter of language.
    """
    return unicodedata.normalize("NFC", text).translate(_TYPOGRAPHY_TO_GSM7)


def transliterate_polish(text: str) -> str:
    """Replace the Polish letters ą ć ę ł ń ó ś ź ż (and capitals) with their base letters.

    None of them is in the GSM-7 alphabet (not even "ó"), and TS 23.038 has no Polish national
    language shift table, so a Polish message otherwise always goes as UCS-2. Readers understand
    text without diacritics; whether to send it is a utility's choice, hence a setting.
    """
    return text.translate(_POLISH_TO_ASCII)


def encoding_of(text: str) -> SmsEncoding:
    """GSM-7 when every character is in the default alphabet or its extension, else UCS-2."""
    return "GSM-7" if _GSM7_CHARACTERS.issuperset(text) else "UCS-2"


def _unit_cost(char: str, encoding: SmsEncoding) -> int:
    if encoding == "GSM-7":
        return 2 if char in GSM7_EXTENSION_CHARACTERS else 1
    return 2 if ord(char) > 0xFFFF else 1


def _limits(encoding: SmsEncoding) -> tuple[int, int]:
    if encoding == "GSM-7":
        return GSM7_SINGLE_LIMIT, GSM7_SEGMENT_LIMIT
    return UCS2_SINGLE_LIMIT, UCS2_SEGMENT_LIMIT


def _units(text: str, encoding: SmsEncoding) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2): counted in C, not character by character
    (every SMS of a fan-out and every acknowledgement is counted)."""
    if encoding == "GSM-7":
        return len(text) + sum(text.count(char) for char in GSM7_EXTENSION_CHARACTERS)
    return len(text.encode("utf-16-le")) // 2


def _split(text: str, encoding: SmsEncoding, units: int) -> list[str]:
    single_limit, segment_limit = _limits(encoding)
    if units <= single_limit:
        return [text]
    if units == len(text):  # every character costs one unit: plain slices
        return [text[i : i + segment_limit] for i in range(0, len(text), segment_limit)]
    parts: list[str] = []
    start = 0
    used = 0
    for index, char in enumerate(text):
        cost = _unit_cost(char, encoding)
        if used + cost > segment_limit:
            parts.append(text[start:index])
            start, used = index, 0
        used += cost
    parts.append(text[start:])
    return parts


def split_segments(text: str) -> list[str]:
    """Cut `text` into the parts a concatenated SMS carries, in order; "".join gives it back.

    A text that fits one message (160 septets / 70 UTF-16 code units) is one part; the empty
    text is one empty part, since a message is still sent. Otherwise parts are filled greedily
    up to 153 septets / 67 code units, and a character is never cut: an extension character's
    ESC + septet pair (TS 23.040, 9.2.3.24.1) and a UTF-16 surrogate pair that would straddle
    the boundary move whole into the next part, leaving that part one unit short.
    """
    encoding = encoding_of(text)
    return _split(text, encoding, _units(text, encoding))


def segment_count(text: str) -> SegmentInfo:
    """How many segments `text` takes as given (it is not normalized), and the room left.

    The empty text is one segment of 0 units: a message is still sent.
    """
    encoding = encoding_of(text)
    units = _units(text, encoding)
    parts = _split(text, encoding, units)
    single_limit, segment_limit = _limits(encoding)
    per_segment = single_limit if len(parts) == 1 else segment_limit
    last = units if len(parts) == 1 else _units(parts[-1], encoding)
    return SegmentInfo(
        encoding=encoding,
        units=units,
        segments=len(parts),
        per_segment=per_segment,
        characters_left=per_segment - last,
    )


def prepare_sms(text: str, *, transliterate_polish: bool = False) -> PreparedSms:
    """Normalize typography, optionally drop Polish diacritics, and count what the text costs."""
    prepared = normalize_for_sms(text)
    if transliterate_polish:
        prepared = prepared.translate(_POLISH_TO_ASCII)
    info = segment_count(prepared)
    return PreparedSms(
        text=prepared, encoding=info.encoding, segments=info.segments, units=info.units
    )
