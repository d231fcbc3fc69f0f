"""Taking out of a learner's text what can identify a person.

What is scrubbed: personnummer, phone numbers, e-mail addresses, street
addresses, runs of five or more digits, and the name after "jag heter" /
"my name is". Each is replaced by a marker such as `[telefon]`, so the
report still shows what kind of thing the learner wrote.
"""

from __future__ import annotations

import re

_LETTER = r"A-Za-zÅÄÖåäöÉéÜü"
_STREETS = (
    "gatan|gata|vägen|väg|gränd|gränden|stigen|torget|torg|allén|backen|"
    "leden|slingan|platsen|plan|street|road|avenue|lane"
)

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # e-mail before anything else: its digits must not be read as a phone number
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-post]"),
    # personnummer and samordningsnummer: (YY)YYMMDD-NNNN or YYYYMMDDNNNN
    (re.compile(r"(?<!\d)(?:(?:19|20)?\d{6}\s?[-+]\s?|(?:19|20)\d{6})\d{4}(?!\d)"),
     "[personnummer]"),
    # Swedish phone numbers: 070-123 45 67, +46 70 123 45 67, 0640-123 45, 0046...
    (re.compile(r"(?<![\w+])(?:\+46|0046|0)[\s-]*\(?0?\)?\d(?:[\s/-]*\d){5,10}(?!\d)"),
     "[telefon]"),
    # other international numbers: +44 20 7946 0958
    (re.compile(r"\+\d(?:[\s-]*\d){6,14}(?!\d)"), "[telefon]"),
    # street addresses: Storgatan 12, Kyrkvägen 3B, Östra Långgatan 5 b, 12 Main Street
    (re.compile(rf"\b[{_LETTER}-]*(?:{_STREETS})\s+\d+(?:\s?[a-h](?![\w]))?", re.IGNORECASE),
     "[adress]"),
    (re.compile(rf"\b\d+[A-Za-z]?\s+[{_LETTER}]+\s+(?:Street|St|Road|Rd|Avenue|Ave|Lane|Way)\b"),
     "[adress]"),
    # anything else with five or more digits: customer, case and card numbers, postcodes
    (re.compile(r"(?<!\d)\d(?:[\s-]?\d){4,}(?!\d)"), "[nummer]"),
    # a name given after "jag heter" / "my name is": capitalised words, or one word
    (re.compile(
        r"(?P<lead>(?i:\b(?:jag heter|mitt namn är|jag kallas|my name is|i'm called|"
        r"i am called|call me))\s+)"
        rf"(?:[A-ZÅÄÖÉ][{_LETTER}'-]*(?:\s+[A-ZÅÄÖÉ][{_LETTER}'-]*){{0,3}}|[{_LETTER}'-]+)"),
     r"\g<lead>[namn]"),
)


def scrub(text: str) -> str:
    """The text with personal details replaced by markers."""
    for pattern, marker in _RULES:
        text = pattern.sub(marker, text)
    return text
