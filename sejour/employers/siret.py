"""SIRET numbers: 14 digits, the SIREN (9) of the company and the NIC (5) of the
establishment, with a Luhn check digit over the 14."""

import re

# La Poste's establishments share one SIREN and are numbered in order: the sum of
# their digits is a multiple of 5 instead of the Luhn rule (INSEE's exception).
LA_POSTE_SIREN = "356000000"


def siret_normalise(value: str) -> str:
    """Digits only: people paste SIRETs with spaces ("123 456 789 00012")."""
    return re.sub(r"[\s.\-]", "", value or "")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def siret_valid(siret: str) -> bool:
    if not re.fullmatch(r"\d{14}", siret):
        return False
    if siret.startswith(LA_POSTE_SIREN):
        return sum(int(char) for char in siret) % 5 == 0
    return luhn_valid(siret)
