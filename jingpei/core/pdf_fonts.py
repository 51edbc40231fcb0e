"""The CJK font every generated PDF embeds (certificates, sign-in sheets, training records).

reportlab embeds TrueType outlines only; the common Noto CJK files are CFF-based OpenType, which it
cannot embed. So we use WenQuanYi Zen Hei (Debian ``fonts-wqy-zenhei``, installed by ``bootstrap.py``)
or any TrueType/TTC font named by ``JINGPEI_CJK_FONT``. The glyphs are embedded (subset), so the PDF reads
the same on any machine.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _

from jingpei.core.errors import DomainError

FONT_NAME = "JingpeiCJK"
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)


def font_path() -> str:
    configured = os.environ.get("JINGPEI_CJK_FONT", "")
    for candidate in ([configured] if configured else []) + list(CANDIDATES):
        if Path(candidate).exists():
            return candidate
    raise DomainError(
        _("服务器未安装 TrueType 中文字体（如 fonts-wqy-zenhei），无法生成 PDF。请联系系统管理员。"),
        code="no_font",
    )


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register the font with reportlab once and return its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, font_path(), subfontIndex=0))
    return FONT_NAME
