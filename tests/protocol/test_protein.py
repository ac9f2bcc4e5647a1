"""Protein changes: any spelling of a change reads as the one-letter form ingest stores."""

from __future__ import annotations

import pytest

from beacon.protocol.protein import forms, query_forms

SAME = [
    ("V600E", ["Val600Glu", "p.Val600Glu", "p.(Val600Glu)", "ENSP1.2:p.Val600Glu", "p.V600E"]),
    ("L55=", ["Leu55=", "p.Leu55Leu", "L55L", "p.Leu55%3D", "p.(Leu55=)"]),
    ("R97*", ["Arg97Ter", "Arg97*", "p.R97*"]),
    ("R97fs", ["Arg97fs", "p.Arg97fs", "R97fs*23", "p.Arg97fsTer23"]),
    ("R97Pfs*23", ["Arg97ProfsTer23", "p.(Arg97Profs*23)"]),
    ("K23_V25del", ["Lys23_Val25del", "p.Lys23_Val25del"]),
    ("M997_K998delinsRE", ["MetLys997ArgGlu", "Met997_Lys998delinsArgGlu"]),
]


@pytest.mark.parametrize(("canonical", "spellings"), SAME)
def test_spellings_of_one_change(canonical: str, spellings: list[str]) -> None:
    assert query_forms(canonical)[0] == canonical
    assert canonical in forms(canonical)
    for spelling in spellings:
        assert query_forms(spelling)[0] == canonical, spelling


@pytest.mark.parametrize(
    "text", ["", "V600", "600E", "p.", "Val600Gl", "K23_V20del", "K2insQ", "BRAF", "R97Xyzfs"]
)
def test_what_spells_no_change_is_matched_as_given(text: str) -> None:
    assert forms(text) == []
    assert query_forms(text) == (text.strip(),)


def test_a_detailed_frameshift_is_also_stored_short() -> None:
    # SnpEff writes p.Arg97fs where VEP writes p.Arg97ProfsTer23: R97fs finds either.
    assert forms("p.Arg97ProfsTer23") == ["R97Pfs*23", "Arg97ProfsTer23", "R97fs", "Arg97fs"]
    assert query_forms("R97fs") == ("R97fs",)
