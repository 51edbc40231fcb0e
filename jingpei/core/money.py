"""Money as officials read it: yuan to the fen with thousands separated (12,000.00)."""

from __future__ import annotations

from decimal import Decimal


def yuan_text(value) -> str:
    return f"{Decimal(str(value)):,.2f}"
