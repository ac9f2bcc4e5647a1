"""Protein changes (``aminoacidChange``) in the spellings annotators and people write them.

Pure. One grammar reads a change written in HGVS protein notation with one-letter or
three-letter residues, with or without ``p.``, a protein accession, parentheses or VEP's
URL-escaped ``=`` (``%3D``), plus SnpEff's multi-residue form (``MetLys997ArgGlu``):

* substitutions: missense ``V600E`` / ``Val600Glu``, nonsense ``R97*`` / ``Arg97Ter``,
  synonymous ``L55=`` (also written ``Leu55Leu``), unknown ``M1?``;
* deletions ``K23del``, ``P947_P949del``; duplications ``Q5dup``; insertions ``K2_L3insQ``;
  deletion-insertions ``C28delinsWV`` (a multi-residue substitution is one);
* frameshifts ``R97fs`` / ``R97Pfs*23`` / ``Arg97ProfsTer23``; extensions ``*110Qext*17``.

``forms`` gives what ingest stores for a change: its one-letter and three-letter spellings
(``V600E``, ``Val600Glu``) and, for a frameshift with its details, the short ``R97fs`` /
``Arg97fs`` that annotators without the details write. ``query_forms`` gives what a query
matches: the one-letter spelling of what it reads, and the text as given (BFF files may carry
other spellings), so any spelling of a stored change finds it.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

THREE = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
    "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
    "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Ter": "*",
    "Sec": "U", "Pyl": "O", "Xaa": "X",
}  # fmt: skip
ONE = {v: k for k, v in THREE.items()}
_RESIDUES = r"(?:(?:[A-Z][a-z]{2})+|[A-Z*]+)"
_CHANGE = re.compile(
    rf"^(?P<ref>{_RESIDUES})(?P<pos>\d+)"
    rf"(?:_(?P<ref2>{_RESIDUES})(?P<pos2>\d+))?"
    rf"(?P<edit>.*)$"
)
_FRAMESHIFT = re.compile(rf"^(?P<new>{_RESIDUES})?fs(?:(?:Ter|\*)(?P<stop>\d+|\?))?$")
_EXTENSION = re.compile(rf"^(?P<new>{_RESIDUES})ext(?:Ter|\*)?(?P<stop>\d+|\?)?$")


def _residues(text: str) -> str | None:
    """``ValGlu`` or ``VE`` -> ``VE`` (one letter each); None when not residues."""
    if not text:
        return ""
    if text[0].isupper() and len(text) > 1 and text[1].islower():
        if len(text) % 3:
            return None
        found = [THREE.get(text[i : i + 3]) for i in range(0, len(text), 3)]
        return None if None in found else "".join(f for f in found if f)
    return text if all(ch in ONE for ch in text) else None


def _three(residues: str) -> str:
    return "".join(ONE[r] for r in residues)


@dataclass(frozen=True)
class Change:
    """A protein change in one-letter residues; ``edit`` is ``sub``, ``=``, ``?``, ``del``,
    ``dup``, ``ins``, ``delins``, ``fs`` or ``ext``."""

    ref: str  # the first residue (or residues, for a multi-residue substitution)
    pos: int
    edit: str
    alt: str = ""  # substituted, inserted or new residues
    ref2: str = ""  # the last residue of a range
    pos2: int = 0
    stop: str = ""  # a frameshift's or extension's distance to the new stop

    def spell(self, three: bool) -> str:
        def res(r: str) -> str:
            return _three(r) if three else r

        stop = "Ter" if three else "*"
        head = f"{res(self.ref)}{self.pos}"
        if self.pos2:
            head += f"_{res(self.ref2)}{self.pos2}"
        if self.edit == "sub":
            return head + res(self.alt)
        if self.edit in ("=", "?", "del", "dup"):
            return head + self.edit
        if self.edit in ("ins", "delins"):
            return head + self.edit + res(self.alt)
        if self.edit == "fs":
            return head + (f"{res(self.alt)}fs{stop}{self.stop}" if self.alt else "fs")
        return head + f"{res(self.alt)}ext{stop}{self.stop}"  # ext


def _clean(text: str) -> str:
    value = urllib.parse.unquote(text.strip()).replace(" ", "")
    if ":" in value:  # ENSP00000288602.6:p.Val600Glu
        value = value.rpartition(":")[2]
    value = value.removeprefix("p.")
    if value.startswith("(") and value.endswith(")"):
        value = value[1:-1]
    return value


def parse(text: str) -> Change | None:
    """The change a text spells, or None when it spells none this grammar knows."""
    match = _CHANGE.match(_clean(text))
    if not match:
        return None
    ref, ref2 = _residues(match["ref"]), _residues(match["ref2"] or "")
    if ref is None or ref2 is None:
        return None
    pos, pos2 = int(match["pos"]), int(match["pos2"] or 0)
    edit = match["edit"]
    if pos2 and (pos2 <= pos or len(ref) != 1 or len(ref2) != 1):
        return None
    if len(ref) > 1:  # SnpEff's MetLys997ArgGlu: a substitution of consecutive residues
        alt = _residues(edit)
        if not alt or pos2:
            return None
        if alt == ref:
            return Change(ref[0], pos, "=", ref2=ref[-1], pos2=pos + len(ref) - 1)
        return Change(ref[0], pos, "delins", alt, ref[-1], pos + len(ref) - 1)
    if edit in ("=", "?", "del", "dup"):
        return Change(ref, pos, edit, ref2=ref2, pos2=pos2)
    for keyword in ("delins", "ins"):
        if edit.startswith(keyword):
            alt = _residues(edit[len(keyword) :])
            if not alt or (keyword == "ins" and not pos2):
                return None
            return Change(ref, pos, keyword, alt, ref2, pos2)
    frameshift = _FRAMESHIFT.match(edit)
    if frameshift and not pos2:
        new = _residues(frameshift["new"] or "")
        if new is None or len(new) > 1:
            return None
        # fs*23 without the new residue says less than the full form: keep the short one.
        return Change(ref, pos, "fs", new, stop=(frameshift["stop"] or "?") if new else "")
    extension = _EXTENSION.match(edit)
    if extension and not pos2:
        new = _residues(extension["new"])
        if not new or len(new) != 1:
            return None
        return Change(ref, pos, "ext", new, stop=extension["stop"] or "?")
    alt = _residues(edit)
    if alt is None or len(alt) != 1 or pos2:
        return None
    return Change(ref, pos, "=" if alt == ref else "sub", "" if alt == ref else alt)


def forms(text: str) -> list[str]:
    """What ingest stores for a change: its one- and three-letter spellings (and a detailed
    frameshift's short ones); [] when the text spells no change."""
    change = parse(text)
    if change is None:
        return []
    found = [change.spell(three=False), change.spell(three=True)]
    if change.edit == "fs" and change.alt:
        short = Change(change.ref, change.pos, "fs")
        found += [short.spell(three=False), short.spell(three=True)]
    return list(dict.fromkeys(found))


def query_forms(text: str) -> tuple[str, ...]:
    """The stored spellings an ``aminoacidChange`` query matches."""
    change = parse(text)
    given = text.strip()
    if change is None:
        return (given,)
    return tuple(dict.fromkeys((change.spell(three=False), given)))
