"""Free text that people type and others read later (reject reasons, incident narratives): refused
when it holds a character that is not there to be read.

Control characters (NUL, escape, ...) and the Unicode bidirectional overrides and isolates (U+202E
can make "approve" read as "evorppa" in an audit export or a mail client) are refused, not stripped:
the person is told which character, at which place, and can send the text again. Tabs and line
breaks pass (forms collapse them to spaces where one line is kept). Escaping for HTML is the pages'
job (Jinja's autoescape, `html.escape`), not this module's.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Marks that reorder how text is shown (Unicode's bidirectional formatting characters)."""
ALLOWED_CONTROLS = frozenset("\t\n\r")


def unreadable_character(text: str) -> str | None:
    """Why `text` is refused (the first character not there to be read, by code point and place), or None."""
    for place, char in enumerate(text, start=1):
        if char in ALLOWED_CONTROLS:
            continue
        if char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs"):
            return f"it holds the invisible character U+{ord(char):04X} at character {place}; remove it"
    return None


def _readable(text: str) -> str:
    problem = unreadable_character(text)
    if problem:
        raise ValueError(problem)
    return text


ReadableText = Annotated[str, AfterValidator(_readable)]
"""A pydantic field of free text that `unreadable_character` refuses (422/400 naming the field)."""
