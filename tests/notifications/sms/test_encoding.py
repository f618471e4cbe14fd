"""SMS encoding and segmenting: table-driven examples, and properties checked against smpplib.

smpplib (`smpplib.gsm.make_parts`) is the independent oracle. It agrees with us on the limits:
160 septets / 140 octets (70 UTF-16 code units) for a single message, 153 septets / 134 octets
(67 code units) per concatenated segment, and it counts an extension character as ESC + septet,
two septets. It differs from us in documented ways, which the tests below pin down:

- It cuts the encoded bytes every 153 (GSM-7) or 134 (UCS-2) octets without looking at
  characters (its own source says "FIXME: ... a character may be broken by splitting"), so it
  can separate an ESC from its septet or the two halves of a surrogate pair. We move such a
  character whole into the next segment, which can cost one segment more. Segment counts are
  compared only where smpplib did not cut a character; there its parts must equal ours.
- Its GSM-7 table (copied from a Stack Overflow answer) puts "`" at septet 0x5F where
  TS 23.038 has "§", pads the extension table with "`", accepts ESC (U+001B) as a character,
  and lacks form feed (extension 0x0A) and the phase 1 "ç" reading of septet 0x09. Generated
  texts avoid exactly these characters; one test lists them.
"""

from __future__ import annotations

import datetime as dt

import babel.dates
import pytest
import smpplib.consts
import smpplib.gsm
from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifications.sms.encoding import (
    ESCAPE,
    GSM7_BASIC_CHARACTERS,
    GSM7_EXTENSION_CHARACTERS,
    PreparedSms,
    SegmentInfo,
    encoding_of,
    normalize_for_sms,
    prepare_sms,
    segment_count,
    split_segments,
    transliterate_polish,
)

FINNISH = "Lämmönjakelun keskeytys Töölössä 5.1. klo 8-16. Lämmin käyttövesi ja lämmitys katkeavat."
POLISH = "Planowana przerwa w dostawie ciepła: ul. Źródlana 5, dziś od 8:00 do 16:00. Przepraszamy."
EMOJI = "\N{GRINNING FACE}"

# Where smpplib's table and TS 23.038 part ways (see the module docstring).
SMPPLIB_ONLY = frozenset("`" + ESCAPE)
SPEC_ONLY = frozenset("§\fç")


def septets(part: str) -> int:
    """GSM-7 length of `part` as smpplib encodes it: an extension character is ESC + septet."""
    return len(smpplib.gsm.gsm_encode(part))


def ucs2_units(part: str) -> int:
    return len(part.encode("utf-16-be")) // 2


def smpplib_payloads(text: str) -> tuple[list[bytes], str]:
    """smpplib's parts without their 6-octet concatenation header, and the encoding it chose."""
    parts, coding, _esm_class = smpplib.gsm.make_parts(text)
    payloads = parts if len(parts) == 1 else [part[6:] for part in parts]
    encoding = "GSM-7" if coding == smpplib.consts.SMPP_ENCODING_DEFAULT else "UCS-2"
    return payloads, encoding


def cuts_a_character(payload: bytes, encoding: str) -> bool:
    if encoding == "GSM-7":
        return payload.endswith(ESCAPE.encode())
    return len(payload) >= 2 and 0xD8 <= payload[-2] <= 0xDB


def encoded(part: str, encoding: str) -> bytes:
    if encoding == "GSM-7":
        return bytes(smpplib.gsm.gsm_encode(part))
    return part.encode("utf-16-be")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", SegmentInfo("GSM-7", 0, 1, 160, 160), id="empty-is-still-one-message"),
        pytest.param("a" * 160, SegmentInfo("GSM-7", 160, 1, 160, 0), id="160-plain"),
        pytest.param("a" * 161, SegmentInfo("GSM-7", 161, 2, 153, 145), id="161-plain"),
        pytest.param("a" * 306, SegmentInfo("GSM-7", 306, 2, 153, 0), id="153x2-plain"),
        pytest.param("a" * 307, SegmentInfo("GSM-7", 307, 3, 153, 152), id="306+1-plain"),
        pytest.param(FINNISH, SegmentInfo("GSM-7", 88, 1, 160, 72), id="finnish-a-o-umlauts"),
        pytest.param(
            FINNISH + "ł", SegmentInfo("UCS-2", 89, 2, 67, 45), id="one-polish-l-makes-ucs2"
        ),
        pytest.param("ł" * 70, SegmentInfo("UCS-2", 70, 1, 70, 0), id="70-ucs2"),
        pytest.param("ł" * 71, SegmentInfo("UCS-2", 71, 2, 67, 63), id="71-ucs2"),
        pytest.param("ł" * 134, SegmentInfo("UCS-2", 134, 2, 67, 0), id="67x2-ucs2"),
        pytest.param("ł" * 135, SegmentInfo("UCS-2", 135, 3, 67, 66), id="67x2+1-ucs2"),
        pytest.param("€" * 80, SegmentInfo("GSM-7", 160, 1, 160, 0), id="80-euro-160-septets"),
        # 76 euros (152 septets) fill the first part; the 77th would straddle 153.
        pytest.param("€" * 81, SegmentInfo("GSM-7", 162, 2, 153, 143), id="81-euro"),
        pytest.param("{[|]}~^\\\f€", SegmentInfo("GSM-7", 20, 1, 160, 140), id="all-extension"),
        pytest.param(EMOJI * 35, SegmentInfo("UCS-2", 70, 1, 70, 0), id="35-emoji"),
        # 33 emoji (66 units) fill the first part; the 34th would straddle 67.
        pytest.param(EMOJI * 36, SegmentInfo("UCS-2", 72, 2, 67, 61), id="36-emoji"),
    ],
)
def test_segment_count_examples(text: str, expected: SegmentInfo) -> None:
    assert segment_count(text) == expected


def test_escape_pair_moves_whole_to_the_next_segment() -> None:
    text = "a" * 152 + "€" + "b" * 20

    parts = split_segments(text)

    assert parts == ["a" * 152, "€" + "b" * 20]
    assert all(septets(part) <= 153 for part in parts)
    assert not any(smpplib.gsm.gsm_encode(part).endswith(ESCAPE.encode()) for part in parts)
    assert segment_count(text) == SegmentInfo("GSM-7", 174, 2, 153, 131)


def test_surrogate_pair_at_the_67_boundary_is_not_split() -> None:
    text = "a" * 66 + EMOJI + "b" * 10

    parts = split_segments(text)

    assert parts == ["a" * 66, EMOJI + "b" * 10]
    assert [ucs2_units(part) for part in parts] == [66, 12]
    assert segment_count(text) == SegmentInfo("UCS-2", 78, 2, 67, 55)


@pytest.mark.parametrize(
    ("text", "smpplib_segments", "our_segments"),
    [
        # 306 septets: smpplib makes two parts of exactly 153 by cutting ESC from its septet.
        pytest.param("a" * 152 + "€" + "b" * 152, 2, 3, id="gsm7-escape"),
        # 134 code units: smpplib makes two parts of exactly 134 octets by halving the emoji.
        pytest.param("ł" * 66 + EMOJI + "ż" * 66, 2, 3, id="ucs2-surrogate"),
    ],
)
def test_smpplib_cuts_characters_where_we_spend_a_segment(
    text: str, smpplib_segments: int, our_segments: int
) -> None:
    payloads, encoding = smpplib_payloads(text)

    assert len(payloads) == smpplib_segments
    assert cuts_a_character(payloads[0], encoding)
    assert segment_count(text).segments == our_segments


def test_gsm7_tables_match_smpplib_except_its_documented_mistakes() -> None:
    ours = GSM7_BASIC_CHARACTERS | GSM7_EXTENSION_CHARACTERS
    theirs = set()
    for code_point in range(0x110000):
        if 0xD800 <= code_point <= 0xDFFF:
            continue
        try:
            smpplib.gsm.gsm_encode(chr(code_point))
        except UnicodeError:
            continue
        theirs.add(chr(code_point))

    assert len(GSM7_BASIC_CHARACTERS) == 128  # 127 septets, 0x09 read as "Ç" and as "ç"
    assert len(GSM7_EXTENSION_CHARACTERS) == 10
    assert theirs - ours == SMPPLIB_ONLY
    assert ours - theirs == SPEC_ONLY
    assert all(encoding_of(char) == "GSM-7" for char in SPEC_ONLY)
    assert all(encoding_of(char) == "UCS-2" for char in SMPPLIB_ONLY)


def test_babel_times_become_gsm7_once_normalized() -> None:
    time = babel.dates.format_time(dt.time(14, 30), "short", locale="en")
    interval = babel.dates.format_interval(dt.time(8), dt.time(16), "Hm", locale="en")
    text = f"Heat is back at {time}. Work window {interval}."
    assert "\u202f" in time
    assert "\u2009" in interval
    assert encoding_of(text) == "UCS-2"

    normalized = normalize_for_sms(text)

    assert normalized == "Heat is back at 2:30 PM. Work window 08:00 - 16:00."
    assert encoding_of(normalized) == "GSM-7"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5\u00a0°C", "5 °C"),
        ("14.30\u202f–\u202f16.00", "14.30 - 16.00"),
        ("8.00\u2009\u20138.30", "8.00 -8.30"),
        ("a\u2014b\u2212c\u2012d\u2011e\u2010f", "a-b-c-d-e-f"),
        ("\u2018single\u2019 \u201asingle\u201b", "'single' 'single'"),
        (
            "\u201cdouble\u201d \u201edouble\u201f \u00abguillemets\u00bb",
            '"double" "double" "guillemets"',
        ),
        ("Odota\u2026", "Odota..."),
        ("zero\u200bwidth\u2060joiners\u200d\ufeff", "zerowidthjoiners"),
        ("a\u0308iti", "äiti"),  # decomposed input composes to the GSM-7 "ä"
        ("Ærø, Łódź 😀 ~ €", "Ærø, Łódź 😀 ~ €"),  # everything else is kept
    ],
)
def test_normalize_for_sms(text: str, expected: str) -> None:
    assert normalize_for_sms(text) == expected


def test_transliterate_polish_keeps_a_polish_sentence_in_gsm7() -> None:
    assert encoding_of(POLISH) == "UCS-2"

    plain = transliterate_polish(POLISH)

    assert plain == (
        "Planowana przerwa w dostawie ciepla: ul. Zrodlana 5, dzis od 8:00 do 16:00. Przepraszamy."
    )
    assert transliterate_polish("ĄĆĘŁŃÓŚŹŻ ąćęłńóśźż") == "ACELNOSZZ acelnoszz"
    assert encoding_of(plain) == "GSM-7"


def test_prepare_sms_normalizes_and_transliterates_on_request() -> None:
    text = "Przerwa 8:00\u2009\u2013\u200916:00, ul.\u00a0Łąkowa"

    assert prepare_sms(text) == PreparedSms("Przerwa 8:00 - 16:00, ul. Łąkowa", "UCS-2", 1, 32)
    assert prepare_sms(text, transliterate_polish=True) == PreparedSms(
        "Przerwa 8:00 - 16:00, ul. Lakowa", "GSM-7", 1, 32
    )


# Generated texts: characters both tables agree on, plus Polish letters, emoji and other
# non-GSM characters. GSM-only texts are generated on their own too, or nearly every long text
# would be UCS-2.
_GSM_BASIC = sorted(GSM7_BASIC_CHARACTERS - SPEC_ONLY)
_GSM_EXTENSION = sorted(GSM7_EXTENSION_CHARACTERS - SPEC_ONLY)
_NOT_GSM = list("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ–\u00a0\u202fкαő\u0301") + [
    EMOJI,
    "\N{FIRE}",
    "\N{THERMOMETER}",
    "\N{MATHEMATICAL BOLD CAPITAL A}",
]
_gsm_chars = st.one_of(st.sampled_from(_GSM_BASIC), st.sampled_from(_GSM_EXTENSION))
_any_chars = st.one_of(_gsm_chars, st.sampled_from(_NOT_GSM))
texts = st.one_of(
    st.lists(_any_chars, max_size=40).map("".join),
    # Hypothesis favours short lists; these lengths reach the 160/153 and 70/67 boundaries.
    st.lists(_gsm_chars, min_size=140, max_size=480).map("".join),
    st.lists(_any_chars, min_size=60, max_size=240).map("".join),
    st.lists(st.sampled_from(_NOT_GSM), min_size=60, max_size=240).map("".join),
)


@settings(max_examples=250, deadline=None)
@given(texts)
@example("a" * 152 + "€" + "b" * 152)
@example("ł" * 66 + EMOJI + "ż" * 66)
@example("")
def test_segments_agree_with_smpplib_where_it_keeps_characters_whole(text: str) -> None:
    info = segment_count(text)
    parts = split_segments(text)
    payloads, smpplib_encoding = smpplib_payloads(text)

    assert info.encoding == smpplib_encoding == encoding_of(text)
    assert info.segments == len(parts)
    if any(cuts_a_character(payload, smpplib_encoding) for payload in payloads[:-1]):
        assert info.segments >= len(payloads)
    else:
        assert [encoded(part, info.encoding) for part in parts] == payloads
        assert info.segments == len(payloads)


@settings(max_examples=250, deadline=None)
@given(texts)
def test_split_segments_rejoins_and_every_part_fits(text: str) -> None:
    info = segment_count(text)
    parts = split_segments(text)
    measure = septets if info.encoding == "GSM-7" else ucs2_units

    assert "".join(parts) == text
    assert all(part for part in parts) or parts == [""]
    assert all(measure(part) <= info.per_segment for part in parts)
    # Greedy filling: a part is closed early only by a two-unit character that would not fit.
    assert all(measure(part) >= info.per_segment - 1 for part in parts[:-1])
    assert sum(measure(part) for part in parts) == info.units
    assert info.characters_left == info.per_segment - measure(parts[-1])
    single, concatenated = (160, 153) if info.encoding == "GSM-7" else (70, 67)
    assert info.per_segment == (single if len(parts) == 1 else concatenated)


@settings(max_examples=250, deadline=None)
@given(texts)
def test_encoding_is_gsm7_iff_every_character_is_in_the_tables(text: str) -> None:
    try:
        smpplib.gsm.gsm_encode(text)
    except UnicodeError:
        in_smpplib_table = False
    else:
        in_smpplib_table = True

    assert (encoding_of(text) == "GSM-7") is in_smpplib_table


@settings(max_examples=200, deadline=None)
@given(texts)
def test_prepare_sms_is_normalize_then_transliterate_then_count(text: str) -> None:
    prepared = prepare_sms(text, transliterate_polish=True)

    assert prepared.text == transliterate_polish(normalize_for_sms(text))
    assert prepared.segments == segment_count(prepared.text).segments
    if encoding_of(text) == "GSM-7":
        assert prepared.encoding == "GSM-7"
