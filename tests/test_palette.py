"""Status colours stay distinguishable for the common colour-vision deficiencies.

Each palette is simulated (colorspacious' CVD model, Machado et al. 2009) for
deuteranomaly, protanomaly and tritanomaly at full severity; every pair of colours must
stay at least MIN_DISTANCE apart in CAM02-UCS (about where two flat colours stop being
confused at a glance)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from colorspacious import cspace_convert

from presentation import colours

MIN_DISTANCE = 12.0
DEFICIENCIES = [None, "deuteranomaly", "protanomaly", "tritanomaly"]

PALETTES = {
    "task status": colours.TASK_STATUS_COLORS,
    "compliance": colours.COMPLIANCE_COLORS,
    "attendance": {
        "present": colours.PRESENT_COLOR,
        "excused": colours.EXCUSED_COLOR,
        "unexcused": colours.UNEXCUSED_COLOR,
        "invited": colours.INVITED_COLOR,
    },
}


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255


def _seen(hex_colour: str, deficiency: str | None) -> np.ndarray:
    rgb = _rgb(hex_colour)
    if deficiency is None:
        return rgb
    cvd = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
    return np.clip(cspace_convert(rgb, cvd, "sRGB1"), 0, 1)


def distance(a: str, b: str, deficiency: str | None) -> float:
    ua = cspace_convert(_seen(a, deficiency), "sRGB1", "CAM02-UCS")
    ub = cspace_convert(_seen(b, deficiency), "sRGB1", "CAM02-UCS")
    return float(np.linalg.norm(ua - ub))


def test_the_check_catches_a_red_green_pair():
    """Control: the classic green/red pair of the old palette fails for deuteranomaly."""
    assert distance("#2E9E5B", "#D64545", None) > 25
    assert distance("#2E9E5B", "#D64545", "deuteranomaly") < MIN_DISTANCE


@pytest.mark.parametrize("deficiency", DEFICIENCIES, ids=lambda d: d or "normal")
@pytest.mark.parametrize("name", list(PALETTES))
def test_every_pair_stays_apart(name, deficiency):
    palette = PALETTES[name]
    close = [
        (ka, kb, round(distance(a, b, deficiency), 1))
        for (ka, a), (kb, b) in itertools.combinations(palette.items(), 2)
        if distance(a, b, deficiency) < MIN_DISTANCE
    ]
    assert not close, f"{name} under {deficiency or 'normal vision'}: {close}"
