"""Fusing the dense and the lexical ranking into one.

- ``rrf``: reciprocal rank fusion, sum of w / (rrf_k + rank). Ignores score scales entirely.
- ``convex``: each list's scores min-max normalised over its own candidates, then
  w * dense + (1 - w) * lexical; a passage missing from a list gets 0 from it. Keeps how *much*
  better the top candidates are, which rank fusion throws away.
- ``zscore``: as ``convex`` but each list standardised (score - mean) / std over its candidates;
  a passage missing from a list gets that list's lowest standardised score. One outlier at the
  top no longer squeezes the rest of a list towards 0, as it does under min-max.

Whatever the method, the lexical list's weight is scaled by ``lexical_share`` (1 = as
configured). The engine sets it from the share of the query's terms the lexical index knows at
all (:func:`lexical_share`): a Spanish query over English text matches two or three stray words
("de", "Cartagena"), and BM25 over those would otherwise outvote a good dense ranking. The
fusion methods standardise each list on its own, so a list ranked on almost nothing looks as
confident as one ranked on every word; the share puts that back.
"""

from __future__ import annotations

Ranked = list[tuple[int, float]]


def _minmax(ranked: Ranked) -> dict[int, float]:
    if not ranked:
        return {}
    scores = [s for _, s in ranked]
    lo, hi = min(scores), max(scores)
    span = hi - lo
    return {r: (s - lo) / span if span > 0 else 1.0 for r, s in ranked}


def zscores(ranked: Ranked) -> dict[int, float]:
    """Each row's score standardised over the list, (score - mean) / std (0 when flat)."""
    if not ranked:
        return {}
    scores = [s for _, s in ranked]
    mean = sum(scores) / len(scores)
    std = (sum((s - mean) ** 2 for s in scores) / len(scores)) ** 0.5
    return {r: (s - mean) / std if std > 0 else 0.0 for r, s in ranked}


def dense_max(first: Ranked, second: Ranked) -> Ranked:
    """Two dense rankings as one: per row the larger of its standardised scores (each list over
    its own candidates, as ``zscore`` does), best first. A row in one list only keeps that
    score. Two models' raw cosines are not comparable (e5's crowd into 0.7-0.9, MiniLM's spread
    over 0-1); their z-scores are, and the max lets either model vouch for a passage the other
    misses (evals/dense_mix.py)."""
    a, b = zscores(first), zscores(second)
    merged = {r: max(a.get(r, float("-inf")), b.get(r, float("-inf"))) for r in a.keys() | b.keys()}
    return sorted(merged.items(), key=lambda item: (-item[1], item[0]))


def lexical_share(coverage: float, power: float) -> float:
    """How much of its configured weight the lexical list keeps: ``coverage ** power``.

    ``coverage`` is the share of the query's terms found in the lexical index (0..1). Power 0
    turns the scaling off; larger powers discount partial matches harder."""
    if power <= 0:
        return 1.0
    return float(min(max(coverage, 0.0), 1.0) ** power)


Weighted = list[tuple[Ranked, float]]


def _lists(
    dense: Ranked,
    lexical: Ranked,
    weight_dense: float,
    share: float,
    second: Ranked | None,
    second_weight: float,
) -> Weighted:
    """The lists to fuse and their weights: the lexical list's is ``(1 - weight_dense) *
    share``; ``second`` (a second model's dense list) joins at ``second_weight``, beside and
    not out of the other two, so that where there is no second list the fusion is as before."""
    lists = [(dense, weight_dense), (lexical, (1.0 - weight_dense) * share)]
    return [*lists, (second, second_weight)] if second else lists


def rrf(
    dense: Ranked,
    lexical: Ranked,
    weight_dense: float,
    rrf_k: int,
    share: float = 1.0,
    second: Ranked | None = None,
    second_weight: float = 0.0,
) -> dict[int, float]:
    fused: dict[int, float] = {}
    for ranked, weight in _lists(dense, lexical, weight_dense, share, second, second_weight):
        for rank, (row, _) in enumerate(ranked, start=1):
            fused[row] = fused.get(row, 0.0) + weight / (rrf_k + rank)
    return fused


def convex(
    dense: Ranked,
    lexical: Ranked,
    weight_dense: float,
    share: float = 1.0,
    second: Ranked | None = None,
    second_weight: float = 0.0,
) -> dict[int, float]:
    parts = [
        (_minmax(ranked), w)
        for ranked, w in _lists(dense, lexical, weight_dense, share, second, second_weight)
    ]
    rows = set().union(*(scores.keys() for scores, _ in parts))
    return {row: sum(w * scores.get(row, 0.0) for scores, w in parts) for row in rows}


def zscore(
    dense: Ranked,
    lexical: Ranked,
    weight_dense: float,
    share: float = 1.0,
    second: Ranked | None = None,
    second_weight: float = 0.0,
) -> dict[int, float]:
    parts = [
        (z, min(z.values(), default=0.0), w)
        for z, w in (
            (zscores(ranked), w)
            for ranked, w in _lists(dense, lexical, weight_dense, share, second, second_weight)
        )
    ]
    rows = set().union(*(z.keys() for z, _, _ in parts))
    return {row: sum(w * z.get(row, floor) for z, floor, w in parts) for row in rows}


def fuse(
    dense: Ranked,
    lexical: Ranked,
    k: int,
    method: str = "convex",
    weight_dense: float = 0.5,
    rrf_k: int = 60,
    share: float = 1.0,
    second: Ranked | None = None,
    second_weight: float = 0.0,
) -> Ranked:
    """The top ``k`` of the lists fused; ``share`` scales the lexical weight (module doc),
    ``second`` is a second model's dense list, fused at ``second_weight``."""
    if method == "rrf":
        fused = rrf(dense, lexical, weight_dense, rrf_k, share, second, second_weight)
    elif method == "convex":
        fused = convex(dense, lexical, weight_dense, share, second, second_weight)
    elif method == "zscore":
        fused = zscore(dense, lexical, weight_dense, share, second, second_weight)
    else:
        raise ValueError(f"unknown fusion method {method!r}: use rrf, convex or zscore")
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
