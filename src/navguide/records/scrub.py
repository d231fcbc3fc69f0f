"""Taking out of a learner's text what can identify a person.

What is scrubbed: personnummer, phone numbers, e-mail addresses (also written
"anna(at)example.se"), bank account numbers (IBAN), street addresses and flat
numbers ("lgh 1102"), runs of five or more digits, and names: after "jag heter"
/ "my name is", after "jag är" / "I'm" when capitalised, in a greeting at the
end ("Hälsningar Anna", "Mvh Anna Svensson", "Regards, John"), and after a
family word ("min son Erik", "my daughter Sara"). Each is replaced by a marker
such as `[telefon]`, so the report still shows what kind of thing the learner
wrote.
"""

from __future__ import annotations

import re

_LETTER = r"A-Za-zÅÄÖåäöÉéÜü"
_STREETS = (
    "gatan|gata|vägen|väg|gränd|gränden|stigen|torget|torg|allén|backen|"
    "leden|slingan|platsen|plan|street|road|avenue|lane"
)

_CAPITALISED = rf"[A-ZÅÄÖÉÜ][a-zåäöéü'-][{_LETTER}'-]*"  # "Anna", not "SFI"
_NAMES = rf"{_CAPITALISED}(?:[ \t]+{_CAPITALISED}){{0,2}}"
_SIGN_OFFS = (
    r"hälsningar|hälsning|mvh|m\.v\.h\.?|vh|hälsar|tack på förhand|tack|"
    r"regards|best regards|kind regards|best wishes|cheers|thanks|thank you|sincerely|yours"
)
_FAMILY = (
    r"son|dotter|döttrar|söner|barn|man|make|fru|hustru|maka|sambo|pojkvän|flickvän|"
    r"mamma|pappa|mor|far|bror|syster|kompis|vän|"
    r"daughter|child|husband|wife|partner|boyfriend|girlfriend|mother|father|"
    r"mum|mom|dad|brother|sister|friend"
)

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # e-mail before anything else: its digits must not be read as a phone number
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-post]"),
    # e-mail written to dodge spam filters: anna(at)example.se, anna [at] example dot se
    (re.compile(r"[\w.+-]+\s*(?:\(at\)|\[at\]|\{at\}|\s(?i:at|snabel-a)\s)\s*[\w-]+"
                r"(?:\s*(?:\.|\(dot\)|\[dot\]|\(punkt\)|\s(?i:dot|punkt)\s)\s*[\w-]+)+",
                re.IGNORECASE), "[e-post]"),
    # IBAN (SE45 5000 0000 0583 9825 7466), before its digits are read as other numbers
    (re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b"),
     "[konto]"),
    # flat numbers: lgh 1102, lägenhet nr 1203
    (re.compile(r"\b(?:lgh|lägenhet(?:snummer|snr)?)\.?\s*(?:nr\.?\s*)?\d{4}\b",
                re.IGNORECASE), "[adress]"),
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
    # "jag är Anna Svensson", "I'm Anna": only a capitalised word ("jag är 16", "I'm new" stay)
    (re.compile(rf"(?P<lead>(?i:\b(?:jag är|i'm|i am|this is|det är))\s+){_NAMES}"),
     r"\g<lead>[namn]"),
    # a greeting that signs off: "Hälsningar Anna", "Mvh Anna Svensson", "Regards, John",
    # or one word of any case when it ends the message ("mvh anna")
    (re.compile(rf"(?P<lead>(?i:\b(?:{_SIGN_OFFS}))[ \t]*[,:/-]?\s*)"
                rf"(?:{_NAMES}|[{_LETTER}'-]+(?=[\s.!]*$))"),
     r"\g<lead>[namn]"),
    # family: "min son Erik", "my daughter Sara"
    (re.compile(rf"(?P<lead>(?i:\b(?:min|mitt|mina|vår|våra|my|our)\s+(?:{_FAMILY}))"
                rf"[ \t]*,?[ \t]*){_NAMES}"),
     r"\g<lead>[namn]"),
)


def scrub(text: str) -> str:
    """The text with personal details replaced by markers."""
    for pattern, marker in _RULES:
        text = pattern.sub(marker, text)
    return text
