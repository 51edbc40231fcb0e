"""The text encoding of an uploaded CSV, as the offices' spreadsheets save it."""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _

from jingpei.core.errors import DomainError

# Excel's "CSV UTF-8" starts with a UTF-8 BOM, its "Unicode text" with a UTF-16 one.
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def csv_encoding(chunks: Callable[[], Iterable[bytes]]) -> str:
    """The first encoding the whole file decodes in: the one its byte-order mark names (else UTF-8), then
    GB18030 (a superset of GBK: Chinese Excel's plain "CSV"). ``chunks`` gives the bytes afresh on each
    call (a file read in pieces, or ``lambda: [content]``). Raises DomainError, on the file field, when
    none fits: decoding a stranger's bytes as if they were GBK would import garbled names."""
    first = next(iter(chunks()), b"")
    candidates = [encoding for bom, encoding in _BOMS if first.startswith(bom)] or ["utf-8"]
    for encoding in (*candidates, "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for chunk in chunks():
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise DomainError(_("无法识别该 CSV 文件的文字编码。请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”或"
                        "“CSV（逗号分隔）”后再上传。"), field="file")
