"""Logging filters that keep personal identifiers out of log files."""

import logging
import re

# A 12-digit run not embedded in a longer number: IINs and BINs look alike; both are masked.
_TWELVE_DIGITS = re.compile(r"(?<!\d)(\d{4})\d{8}(?!\d)")


def mask_iin_text(text: str) -> str:
    """Replace every 12-digit identifier in ``text`` by its first four digits and asterisks."""
    return _TWELVE_DIGITS.sub(r"\1********", text)


class MaskIinFilter(logging.Filter):
    """Rewrites a record's message so that no IIN reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        masked = mask_iin_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
