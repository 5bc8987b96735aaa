"""A text bar chart of one competency's ratings (1–5) over the trainee's attempts."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from casesim.play.progress import CompetencySeries

__all__ = ["chart_content", "sparkline"]

_SPARK = " ▁▃▅▆█"


def sparkline(ratings: Sequence[int | None]) -> str:
    """One character per attempt: bar height by rating, ``·`` when not evidenced."""
    return "".join("·" if r is None else _SPARK[r] for r in ratings)


def chart_content(series: CompetencySeries, labels: Sequence[str], *, max_columns: int = 16) -> Content:
    """Bars of height = rating for the last ``max_columns`` attempts, with the numbers underneath."""
    ratings = list(series.ratings)[-max_columns:]
    first = len(series.ratings) - len(ratings)
    names = list(labels)[-max_columns:]
    parts: list[str | tuple[str, str] | Content] = [(f"{series.id} {series.title}", "bold"), "\n",
                                                    ("Rating: ", "bold"), series.evidence.summary(),
                                                    " · practice and trials charted, not counted\n"]
    if not ratings:
        parts.append("No completed attempts yet.")
        return Content.assemble(*parts)
    col = 4
    for level in range(5, 0, -1):
        row = "".join(("███" if r is not None and r >= level else "   ").ljust(col) for r in ratings)
        parts += [f"{level} │ ", (row.rstrip(), "$accent"), "\n"]
    parts.append("  └─" + "─" * (col * len(ratings)) + "\n")
    parts.append("    " + "".join(str(first + i + 1).center(3).ljust(col) for i in range(len(ratings))) + "attempt\n")
    parts.append("    " + "".join(("–" if r is None else str(r)).center(3).ljust(col) for r in ratings) + "rating\n")
    if names:
        parts.append(("\nAttempts: ", "bold"))
        parts.append(", ".join(f"{first + i + 1} {name}" for i, name in enumerate(names)))
    return Content.assemble(*parts)
