"""Numbers, percentages and dates as a Spanish or English reader writes them (Babel, CLDR)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

__all__ = ["Formatter"]

#: The locale of each report language (British English writes "1 November 2026").
LOCALES = {"en": "en_GB", "es": "es_ES"}


class Formatter:
    """Formats figures for one report language."""

    def __init__(self, language: str) -> None:
        self.locale = Locale.parse(LOCALES[language])

    def number(self, value: float, digits: int = 0) -> str:
        """1,234.5 (en) or 1.234,5 (es)."""
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, value: float, digits: int = 1) -> str:
        """12.5% (en) or 12,5 % (es): the locale's pattern with ``digits`` decimals."""
        pattern = self.locale.percent_formats[None].pattern
        if digits:
            pattern = pattern.replace("0", "0." + "0" * digits, 1)
        return format_percent(value, format=pattern, locale=self.locale)

    def change(self, value: float | None, new: str) -> str:
        """A signed relative change (+12.5%, −3.0%); ``new`` when nothing came before."""
        if value is None:
            return new
        text = self.percent(abs(value))
        if round(value, 3) == 0:
            return text
        return ("+" if value > 0 else "−") + text

    def points(self, value: float | None) -> str:
        """A change between two shares in percentage points (+2.1 / −0.4)."""
        if value is None:
            return "–"
        text = self.number(abs(100 * value), 1)
        return ("+" if value > 0 else "−" if value < 0 else "") + text

    def day(self, value: date) -> str:
        """1 November 2026 / 1 de noviembre de 2026."""
        return format_date(value, format="long", locale=self.locale)

    def short_day(self, value: date) -> str:
        """1 Nov / 1 nov (chart axes)."""
        return format_date(value, format="d MMM", locale=self.locale)

    def timestamp(self, value: datetime) -> str:
        """Date and time in UTC, saying so."""
        return format_datetime(value, format="medium", tzinfo=UTC, locale=self.locale) + " UTC"

    def chart_value(self, value: float, percent: bool) -> str:
        """An axis or bar value (charts' ``number_format``)."""
        if percent:
            return self.percent(value)
        return self.number(value, 0 if abs(value) >= 100 or value == int(value) else 2)
