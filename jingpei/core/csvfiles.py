"""The text encoding of an uploaded CSV, as the offices' spreadsheets save it."""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _

from jingpei.core.errors import DomainError

# Excel's "CSV UTF-8" starts with a UTF-8 BOM, its "Unicode text" with a UTF-16 one.
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
SAMPLE = 65536  # characters of the decoded text looked at for signs of a binary file
# Control characters other than tab and line ends, private-use, unassigned: a spreadsheet's text has none;
# bytes that are not text, decoded (a UTF-16 BOM makes any even-length byte string decode), have many.
_NOT_TEXT = {"Cc", "Co", "Cn", "Cs"}
_ALLOWED_CONTROLS = frozenset("\t\n\r")
NOT_TEXT_SHARE = 0.01


def looks_like_text(text: str) -> bool:
    if not text:
        return True
    bad = sum(1 for ch in text if unicodedata.category(ch) in _NOT_TEXT and ch not in _ALLOWED_CONTROLS)
    return bad <= len(text) * NOT_TEXT_SHARE


def csv_encoding(chunks: Callable[[], Iterable[bytes]]) -> str:
    """The first encoding the whole file decodes in: the one its byte-order mark names (else UTF-8), then
    GB18030 (a superset of GBK: Chinese Excel's plain "CSV"). ``chunks`` gives the bytes afresh on each
    call (a file read in pieces, or ``lambda: [content]``). Raises DomainError, on the file field, when
    none fits, or when what decodes is not text (a binary file renamed .csv): decoding a stranger's
    bytes as if they were GBK would import garbled names."""
    first = next(iter(chunks()), b"")
    candidates = [encoding for bom, encoding in _BOMS if first.startswith(bom)] or ["utf-8"]
    decoded_binary = False
    for encoding in (*candidates, "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        sample = ""
        try:
            for chunk in chunks():
                text = decoder.decode(chunk)
                if len(sample) < SAMPLE:
                    sample += text[: SAMPLE - len(sample)]
            sample += decoder.decode(b"", final=True)[: max(0, SAMPLE - len(sample))]
        except UnicodeDecodeError:
            continue
        if not looks_like_text(sample):
            decoded_binary = True
            continue
        return encoding
    if decoded_binary:
        raise DomainError(_("该文件的内容不是文字，不像是 CSV 文件（可能是其他格式的文件改了扩展名）。请上传从 Excel "
                            "导出的 .xlsx 文件，或在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”后再上传。"), field="file")
    raise DomainError(_("无法识别该 CSV 文件的文字编码。请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”或"
                        "“CSV（逗号分隔）”后再上传。"), field="file")
