"""Postcode → département, the rule that decides the competent prefecture."""

import re

POSTCODE_RE = re.compile(r"^\d{5}$")
OVERSEAS_DEPARTMENTS = {"971", "972", "973", "974", "976"}


def department_code_for_postcode(postcode: str) -> str | None:
    """Return the département code of a French postcode, or None.

    None for a malformed postcode and for territories with no département
    (Saint-Pierre-et-Miquelon 975, Monaco and the Pacific 98…).
    """
    postcode = (postcode or "").strip()
    if not POSTCODE_RE.match(postcode):
        return None
    if postcode.startswith(("97", "98")):
        code = postcode[:3]
        return code if code in OVERSEAS_DEPARTMENTS else None
    if postcode.startswith("20"):
        # Corsica: 200xx–201xx is Corse-du-Sud, 202xx–206xx Haute-Corse.
        return "2A" if int(postcode[2]) < 2 else "2B"
    if postcode.startswith("00"):
        return None
    return postcode[:2]
