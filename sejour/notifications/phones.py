"""French mobile numbers, in mainland France and overseas, as the SMS gateway takes them.

A mobile number in the overseas départements is written 06 9x … or 06 39 … at home,
like a mainland one, but is reached from the network with its own country code: a
Réunion mobile 0692 12 34 56 is +262 692 12 34 56, not +33 692 12 34 56.
"""

import re

# National mobile prefixes (after the leading 0) of the overseas départements → country code.
OVERSEAS_MOBILE_PREFIXES = {
    "690": "590",  # Guadeloupe (and Saint-Martin, Saint-Barthélemy)
    "691": "590",
    "696": "596",  # Martinique
    "697": "596",
    "694": "594",  # Guyane
    "692": "262",  # La Réunion
    "693": "262",
    "639": "262",  # Mayotte
}
OVERSEAS_CODES = sorted(set(OVERSEAS_MOBILE_PREFIXES.values()))

# What a person may type (spaces, dots and hyphens removed first): 06/07 numbers, the same
# with +33 or 0033, and overseas numbers with their own country code.
PHONE_RE = re.compile(
    r"^(?:\+33|0033|0)[67]\d{8}$|^(?:\+|00)(?:" + "|".join(OVERSEAS_CODES) + r")6\d{8}$"
)


def international_mobile(phone: str) -> str:
    """06 12 34 56 78 → +33612345678; 0692 12 34 56 → +262692123456 (also from the
    +33 form Séjour stored before it knew the overseas codes)."""
    digits = re.sub(r"[\s.\-]", "", phone)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+33"):
        national = digits[3:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        return digits  # already with an overseas country code
    return "+" + OVERSEAS_MOBILE_PREFIXES.get(national[:3], "33") + national
