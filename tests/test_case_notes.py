"""Notes that look like they hold a phone or personal identity number are flagged."""

import pytest

from handoff import looks_identifying


@pytest.mark.parametrize("text", [
    "Ringde 070-123 45 67 igår", "nummer +46 70 123 45 67", "personnummer 051224-1234", "pnr 200512241234",
    "samordningsnummer 051284-1234", "0701234567",
])
def test_identifying_numbers_are_flagged(text: str) -> None:
    assert looks_identifying(text)


@pytest.mark.parametrize("text", [
    "Fick avslag 2026-11-20, överklagar inom tre veckor", "Bor i Malmö sedan 2024", "Har 2 syskon, 14 och 16 år",
    "Träffas kl 14:30 på BABA", "Ärende 12345",
])
def test_ordinary_notes_are_not(text: str) -> None:
    assert not looks_identifying(text)
