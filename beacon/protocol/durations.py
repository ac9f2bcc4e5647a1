"""ISO 8601 durations (``P70Y``, ``P40Y1M1D``, ``PT12H``) as comparable numbers of days.

Ages in Beacon are durations; filters compare them as durations, never as strings
(``P9Y`` < ``P10Y`` although "P9Y" > "P10Y" as text). Years and months use their mean
lengths, so ``P1Y`` equals ``P12M``.
"""

from __future__ import annotations

import math
import re

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<Y>\d+(?:\.\d+)?)Y)?(?:(?P<M>\d+(?:\.\d+)?)M)?(?:(?P<W>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<D>\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_DAYS = {
    "Y": 365.2425,
    "M": 30.436875,
    "W": 7.0,
    "D": 1.0,
    "h": 1 / 24,
    "m": 1 / 1440,
    "s": 1 / 86400,
}


def is_duration(text: str) -> bool:
    return bool(_DURATION.match(text))


def days(text: str) -> float:
    """The length of an ISO 8601 duration in days; ValueError if it is not one."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P70Y or P40Y6M")
    total = sum(float(v) * _DAYS[k] for k, v in match.groupdict().items() if v is not None)
    if not math.isfinite(total):
        raise ValueError(f"{text[:40]!r} is longer than any duration can be")
    return round(total, 6)
