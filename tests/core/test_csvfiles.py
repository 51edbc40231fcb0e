"""Which encoding an uploaded CSV is read in."""

from __future__ import annotations

import codecs

import pytest

from jingpei.core.csvfiles import csv_encoding
from jingpei.core.errors import DomainError

TEXT = "姓名,身份证号\n欧阳娜,41110219750308123X\n"


def pieces(data: bytes, size: int = 7):
    """The bytes in small pieces, so multi-byte characters straddle them as in a large file's chunks."""
    return lambda: (data[i : i + size] for i in range(0, len(data), size))


@pytest.mark.parametrize(("data", "expected"), [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("gbk"), "gb18030"),
    (TEXT.encode("utf-16"), "utf-16"),  # with its BOM, as Excel's "Unicode text"
    (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
    (b"", "utf-8"),
])
def test_the_encoding_the_whole_file_decodes_in(data, expected):
    assert csv_encoding(pieces(data)) == expected
    assert data.decode(expected) in (TEXT, "")


def test_bytes_no_encoding_reads_are_refused_on_the_file_field():
    with pytest.raises(DomainError) as exc:
        csv_encoding(pieces(b"\xff\xfe\x00garbage\xff"))
    assert exc.value.field == "file" and "无法识别该 CSV 文件的文字编码" in exc.value.message


def test_bytes_that_decode_but_are_not_text_are_refused_as_not_a_csv():
    # A UTF-16 BOM makes any even-length byte string decode; random bytes then give unassigned and
    # private-use characters, which no spreadsheet writes.
    import random

    rng = random.Random(7)
    noise = bytes(rng.randrange(256) for _ in range(4000))
    noise = bytes(b for i in range(0, len(noise) - 1, 2) for b in noise[i:i + 2]
                  if not 0xD8 <= noise[i + 1] <= 0xDF)  # no surrogate halves: it must decode
    with pytest.raises(DomainError) as exc:
        csv_encoding(pieces(codecs.BOM_UTF16_LE + noise[: len(noise) // 2 * 2]))
    assert exc.value.field == "file" and "不是文字" in exc.value.message
    with pytest.raises(DomainError) as exc:  # mostly NULs: a binary file in UTF-8's clothes
        csv_encoding(pieces(b"PK\x03\x04" + b"\x00" * 200 + "姓名".encode()))
    assert "不是文字" in exc.value.message


def test_a_few_odd_characters_in_real_text_do_not_refuse_it():
    text = TEXT * 40 + "备注\x0b\n"  # one vertical tab (Excel writes it for a line break inside a cell)
    assert csv_encoding(pieces(text.encode("utf-8"))) == "utf-8"
