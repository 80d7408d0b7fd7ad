"""What-if weights: a leader's own group weights, in percent, summing to 100.

Written `HT=20,NL=10,CQ=30,…` on the command line and `HT:20,NL:10,…` in the page's address;
a group left out weighs 0. Nothing stored changes: the ranking is computed from the scores
already kept per group (queries/sql/whatif_ranking.sql).
"""
from __future__ import annotations

import math
import re

from queries.errors import UserFacingError
from queries.frameworks.model import Framework
from queries.i18n import _
from queries.text import format_number

# The sliders move in quarters of a percent: the six pillars' official shares (12,5 %, 18,75 %)
# are then exact.
STEP = 0.25
TOLERANCE = 0.01


class WeightsError(UserFacingError):
    """Weights that cannot be used; one Vietnamese sentence."""


def _pct(value: float) -> str:
    return format_number(value, 2).rstrip("0").rstrip(",")


def parse_weights(text: str, framework: Framework) -> dict[str, float]:
    """{group code: percent} for every group of the framework, in its order, from
    'HT=20,CQ=30,…'; or WeightsError."""
    codes = [g.code for g in framework.groups]
    given: dict[str, float] = {}
    for part in (p.strip() for p in str(text).split(",")):
        if not part:
            continue
        found = re.fullmatch(r"([A-Za-z][A-Za-z0-9]{0,5})\s*[=:]\s*(\S+)", part)
        if found is None:
            raise WeightsError(_("Không hiểu “{part}”: hãy viết NHÓM=SỐ PHẦN TRĂM, cách nhau bằng dấu phẩy, ví dụ "
                                 "{first}=20,{last}=30.").format(part=part, first=codes[0], last=codes[-1]))
        code, number = found[1].upper(), found[2]
        if code not in codes:
            raise WeightsError(_("Không có nhóm “{group}” trong bộ khung {framework} (các nhóm: {groups}).").format(
                group=found[1], framework=framework.id, groups=", ".join(codes)))
        if code in given:
            raise WeightsError(_("Nhóm {code} được ghi hai lần.").format(code=code))
        try:
            value = float(number)
        except ValueError:
            raise WeightsError(_("Trọng số của nhóm {code} “{number}” không phải là số.").format(
                code=code, number=number)) from None
        if not math.isfinite(value):
            raise WeightsError(_("Trọng số của nhóm {code} “{number}” không phải là số.").format(code=code, number=number))
        if value < 0:
            raise WeightsError(_("Trọng số của nhóm {code} là {weight}: trọng số không được âm.").format(
                code=code, weight=_pct(value)))
        given[code] = value
    if not given:
        raise WeightsError(_("Chưa có trọng số nào: hãy viết NHÓM=SỐ PHẦN TRĂM, ví dụ {first}=20,{last}=30.").format(
            first=codes[0], last=codes[-1]))
    total = sum(given.values())
    if abs(total - 100) > TOLERANCE:
        raise WeightsError(_("Tổng các trọng số là {total} %, phải bằng 100 %.").format(total=_pct(total)))
    return {code: given.get(code, 0.0) for code in codes}


def weights_text(weights: dict[str, float], separator: str = "=") -> str:
    """{'HT': 20.0, …} -> 'HT=20,…' (what parse_weights reads back)."""
    return ",".join(f"{code}{separator}{format(value, 'g')}" for code, value in weights.items())


def weights_label(weights: dict[str, float]) -> str:
    """'HT 20 %, CQ 30 %, …' for titles and exports."""
    return ", ".join(f"{code} {_pct(value)} %" for code, value in weights.items())


def rebalance(weights: dict[str, float], changed: str, value: float) -> dict[str, float]:
    """The weights after one group moved to `value`: the others share what is left in
    proportion to what they had (equally when they had nothing), in steps of STEP, so the
    sum stays exactly 100."""
    units = round(100 / STEP)
    mine = max(0, min(units, round(value / STEP)))
    others = [code for code in weights if code != changed]
    left = units - mine
    before = {code: max(0.0, weights[code]) for code in others}
    total = sum(before.values())
    shares = {code: (before[code] / total if total > 0 else 1 / len(others)) * left for code in others} if others else {}
    result = {code: math.floor(share) for code, share in shares.items()}
    # largest remainders get the units rounding left over
    for code in sorted(others, key=lambda c: shares[c] - result[c], reverse=True)[:left - sum(result.values())]:
        result[code] += 1
    if not others:
        mine = units
    return {code: (mine if code == changed else result[code]) * STEP for code in weights}
