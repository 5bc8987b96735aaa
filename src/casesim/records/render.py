"""Plain-text renderings of the reports, for the terminal and for pasting into an e-mail.

No colour and no box drawing: meaning is carried by words and numbers, and every line fits in
80 columns except long identifiers.

Ids, names, cohorts and scenario text come from the store, which may be older than the label
rules (``records.labels``) or edited by hand: every line is passed through
:func:`~casesim.format.text.visible` (one line each), so an escape sequence or a newline in a
value is shown, never obeyed, and cannot forge a row.
"""

from __future__ import annotations

import dataclasses
import json
import textwrap
from collections.abc import Sequence
from typing import Any

from casesim.format.text import visible
from casesim.records.api import AttemptRow, VerifyProblem, public_status, status_label
from casesim.records.evidence import MIN_MEASURES, MIN_SCENARIOS
from casesim.records.reports import CohortReport, RosterCell, TraineeReport
from casesim.scoring.debrief import pace_text, percent, verdict_label

__all__ = ["attempt_result", "attempt_score", "cohort_text", "report_json", "trainee_text", "verify_text"]

WIDTH = 80
DEPARTURES_SHOWN = 10


def report_json(report: TraineeReport | CohortReport) -> dict[str, Any]:
    """The report as JSON-ready data (the same fields as the dataclasses)."""
    data = dataclasses.asdict(report)
    if isinstance(report, TraineeReport):
        for trend, raw in zip(report.competencies, data["competencies"], strict=True):
            raw["evidence"] = dataclasses.asdict(trend.evidence)
            raw["evidence"]["summary"] = trend.evidence.summary()
            for point, raw_point in zip(trend.points, raw["points"], strict=True):
                raw_point["evidence"] = point.evidence
        for summary, raw in zip(report.attempts, data["attempts"], strict=True):
            raw["evidence"] = summary.evidence
            raw["evidence_reason"] = summary.reason
            raw["attempt"]["status"] = public_status(summary.attempt.status)
    else:
        for row, raw in zip(report.roster, data["roster"], strict=True):
            for cid, cell in row.ratings.items():
                raw["ratings"][cid]["summary"] = cell.summary
        for scenario, raw in zip(report.items, data["items"], strict=True):
            for node, raw_node in zip(scenario.nodes, raw["nodes"], strict=True):
                raw_node["options"] = [option._asdict() for option in node.options]  # named tuples
    return data


def attempt_result(attempt: AttemptRow) -> str:
    """What became of an attempt, as the reports list it: its verdict once completed, otherwise
    its status (in-progress, or "left (no penalty)": never "abandoned")."""
    return verdict_label(attempt.passed) if attempt.status == "completed" else status_label(attempt.status)


def attempt_score(attempt: AttemptRow) -> str:
    """The attempt's one score with its verdict, as the debrief words it ("80% of the expert's
    points, but a never-event: not passed"); for an attempt sealed before the verdict was stored,
    its share and result; for one without a debrief, its status."""
    if attempt.verdict is not None:
        return attempt.verdict
    if attempt.share is not None:
        return f"{percent(attempt.share)} {attempt_result(attempt)}"
    return attempt_result(attempt)


def _pct(share: float | None) -> str:
    return "  -" if share is None else f"{round(share * 100):3d}%"


def _day(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else "-"


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


def _spark(ratings: Sequence[int | None]) -> str:
    return " ".join("-" if r is None else str(r) for r in ratings)


def _lines(lines: Sequence[str]) -> str:
    """The report's lines as text, each made visible and kept on its own line."""
    return "".join(visible(line, one_line=True) + "\n" for line in lines)


def trainee_text(report: TraineeReport) -> str:
    t = report.trainee
    lines = [f"Trainee {t.display_name} ({t.id})" + (f", cohort {t.cohort}" if t.cohort else ""),
             f"{len(report.attempts)} attempt(s): {report.finished} finished, {report.passed} passed",
             f"Evidence: {report.counted} assessment attempt(s) on signed-off scenarios, {report.counted_passed} "
             "passed (practice and trial attempts are shown, never counted)", ""]
    lines.append("Attempts (trial = assessment on a scenario without a valid clinical sign-off)")
    if not report.attempts:
        lines.append("  (none yet)")
    for s in report.attempts:
        a = s.attempt
        lines.append(f"  {_day(a.started_at)}  {a.scenario_id} {a.scenario_version}  {s.evidence:<10}  "
                     f"{_minutes(s.duration_seconds)}")
        lines.extend(textwrap.wrap(f"score: {attempt_score(a)}", WIDTH, initial_indent="      ",
                                   subsequent_indent="        "))
        if a.pace is not None and a.pace.too_fast:
            lines.extend(textwrap.wrap(f"pace: {pace_text(a.pace)}", WIDTH, initial_indent="      ",
                                       subsequent_indent="        "))
        if s.reason:
            lines.extend(textwrap.wrap(f"evidence: {s.reason}", WIDTH, initial_indent="      ",
                                       subsequent_indent="        "))
        if s.accommodation:
            lines.append(f"      timing accommodation: {s.accommodation} (does not change the score)")
        if s.ending_title:
            lines.append(f"      ending: {s.ending_title} ({s.outcome})")
        for reason in s.critical:
            lines.extend(textwrap.wrap(f"critical: {reason}", WIDTH, initial_indent="      ",
                                       subsequent_indent="        "))
    lines += ["", "Competency ratings (1-5): assessment attempts on signed-off scenarios only, at least",
              f"{MIN_MEASURES} measures from {MIN_SCENARIOS} scenarios; the mean of each scenario's latest rating"]
    if not report.competencies:
        lines.append("  (no finished attempt has rated a competency yet)")
    for trend in report.competencies:
        evidence = trend.evidence
        lines.append(f"  {trend.id:<10} {trend.title[:40]:<40}  {evidence.summary()}")
        counted = [p.rating for p in trend.rated if p.evidence == "assessment"]
        for name, ratings in (("assessment", counted), ("practice", evidence.practice), ("trial", evidence.trial),
                              ("uncounted", evidence.uncounted)):
            if ratings:
                lines.append(f"  {'':<10} {name}: {_spark(ratings)}")
    return _lines(lines)


def _cell(cell: RosterCell) -> str:
    return f"{cell.rating:.1f}" if cell.rating is not None else f"n={cell.measures}"


def cohort_text(report: CohortReport) -> str:
    scope = f" ({report.mode} attempts)" if report.mode else ""
    placed = ", ".join(part for part in (f"section {report.section}" if report.section else "",
                                         f"term {report.term}" if report.term else "") if part)
    lines = [f"Cohort {report.cohort}" + (f" ({placed})" if placed else "") + f"{scope}: "
             f"{len(report.roster)} trainee(s)"]
    if report.stamped and [(s, t) for s, t, _ in report.stamped] != [(report.section, report.term)]:
        lines.append("Attempts were played under: " + "; ".join(
            f"section {s or '-'}, term {t or '-'} ({n} attempt(s))" for s, t, n in report.stamped))
    lines.append("")
    ids = [cid for cid, _ in report.competencies]
    short = [cid.split("-")[-1] for cid in ids]
    lines.append("Roster by competency (rating 1-5 from assessment attempts on signed-off scenarios;")
    lines.append(f"n=k: insufficient evidence, k of the {MIN_MEASURES} measures from {MIN_SCENARIOS} scenarios "
                 "needed; pass counts those attempts only)")
    header = f"  {'trainee':<12} {'name':<20} {'tries':>5} {'pass':>4}  " + " ".join(f"{s:>5}" for s in short)
    lines.append(header)
    for row in report.roster:
        cells = " ".join(f"{_cell(row.ratings[c]):>5}" for c in ids)
        lines.append(f"  {row.trainee.id[:12]:<12} {row.trainee.display_name[:20]:<20} {row.attempts:>5} "
                     f"{row.passed:>4}  {cells}")
    if report.roster and ids:
        means = []
        for cid in ids:
            values = [v for r in report.roster if (v := r.ratings[cid].rating) is not None]
            means.append(f"{sum(values) / len(values):.1f}" if values else "-")
        lines.append(f"  {'class mean':<33} {'':>5} {'':>4}  " + " ".join(f"{m:>5}" for m in means))
    for cid, title in report.competencies:
        lines.append(f"    {cid.split('-')[-1]:>3} = {title}")
    if report.too_fast:
        lines += ["", "Implausibly fast assessment attempts (decisions faster than the text can be read)"]
        for a in report.too_fast:
            if a.pace is None:
                continue
            lines.append(f"  {_day(a.started_at)}  {a.trainee_id}  {a.scenario_id}")
            lines.append(f"    {pace_text(a.pace)}")
            lines.extend(textwrap.wrap(f"score: {attempt_score(a)}", WIDTH, initial_indent="    ",
                                       subsequent_indent="      "))
    if report.departures:
        lines += ["", "Most common departures from the expert (decisions where the expert's option was offered",
                  "and another was chosen; most first)"]
        for d in report.departures[:DEPARTURES_SHOWN]:
            instead = ", ".join(f"{cid} ({n})" for cid, n in d.instead[:3])
            lines.extend(textwrap.wrap(
                f"{d.departed} of {d.offered} ({percent(d.share)}) at {d.scenario_id} / {d.node}, by {d.trainees} "
                f"trainee(s): the expert chose {d.expert}; instead: {instead}", WIDTH, initial_indent="  ",
                subsequent_indent="      "))
        if len(report.departures) > DEPARTURES_SHOWN:
            lines.append(f"  ... and {len(report.departures) - DEPARTURES_SHOWN} more (--format json lists all)")
    if report.items:
        lines += ["", "Item analysis: per option, the share of the decisions at the node and their number; then",
                  "how many were offered the option (it may be open only in some states) and how many of those",
                  "chose it."]
    for scenario in report.items:
        lines += ["", f"Item analysis: {scenario.title or scenario.scenario_id} ({scenario.scenario_id})",
                  f"  {scenario.attempts} attempt(s) by {scenario.trainees} trainee(s)"]
        if scenario.other_versions:
            lines.append(f"  note: {scenario.other_versions} attempt(s) were made on another version of the file")
        for node in scenario.nodes:
            lines.append(f"  At {node.node}: {node.decisions} decision(s)")
            if node.client:
                lines.extend(textwrap.wrap(f'client: "{node.client}"', WIDTH, initial_indent="    ",
                                           subsequent_indent="      "))
            for option in node.options:
                marks = [m for m, on in (("expert", option.expert), ("CRITICAL", option.critical),
                                         ("not in the current file", not option.in_scenario)) if on]
                points = "" if option.points is None else f"  {option.points:+d} pts"
                lines.append(f"    {_pct(option.share)} {option.count:>4}  {option.choice}{points}"
                             + (f"  [{', '.join(marks)}]" if marks else ""))
                if option.offered:
                    lines.append(f"               offered {option.offered} / chosen {option.chosen_when_offered} "
                                 f"({percent(option.offered_share or 0.0)} of those offered it)")
                elif node.decisions and sum(o.chosen_when_offered for o in node.options) == node.decisions:
                    lines.append("               offered 0 (never open to this class here)")
                if option.say:
                    lines.extend(textwrap.wrap(f'says: "{option.say}"', WIDTH, initial_indent="               ",
                                               subsequent_indent="                 "))
                if option.feedback:
                    lines.extend(textwrap.wrap(f"feedback: {option.feedback}", WIDTH,
                                               initial_indent="               ", subsequent_indent="                 "))
    if not report.items:
        lines += ["", "Item analysis: no decisions recorded for this cohort yet"]
    return _lines(lines)


def chain_mode_text(mode: str) -> str:
    """What a store's chain mode proves, in one paragraph (``records verify`` and ``docs/records.md``)."""
    if mode == "hmac-sha256":
        return ("Chain: keyed (HMAC-SHA256, the key kept outside the database). Verify shows any edit, "
                "deletion, reorder or forged row made by someone without the key. It cannot show the whole "
                "file put back to an earlier copy: only a head printed later shows that (--against).")
    return ("Chain: SHA-256 without a key. Verify shows any edit, deletion or reorder made without "
            "recomputing hashes. A rewrite that recomputes every hash with casesim's own code verifies, "
            "but changes the heads: compare with a head printed earlier (--against).")


def verify_text(problems: Sequence[VerifyProblem], heads: dict[str, tuple[int, str]], location: str, *,
                store_head: str | None = None, info: dict[str, str] | None = None,
                against: str | None = None) -> str:
    """The report of ``records verify``: problems (or intact), the mode, the re-chain note, the
    store head and each trainee's head (``against``: the result of ``--against``, in words)."""
    from casesim.records.keys import format_head

    info = info or {}
    lines = []
    if problems:
        lines.append(f"{location}: {len(problems)} problem(s) found")
        for p in problems:
            lines.extend(textwrap.wrap(p.message, WIDTH, initial_indent="  ", subsequent_indent="    "))
    else:
        lines.append(f"{location}: the record is intact ({len(heads)} trainee chain(s) verified)")
    if against is not None:
        lines += [""] + textwrap.wrap(against, WIDTH)
    lines += [""] + textwrap.wrap(chain_mode_text(info.get("chain_mode", "sha256")), WIDTH)
    if "rechained_at" in info:
        try:
            found = len(json.loads(info.get("rechain_problems", "[]")))
        except ValueError:
            found = -1
        lines += [""] + textwrap.wrap(
            f"Re-chained once on {info['rechained_at'][:19].replace('T', ' ')} UTC, when casesim upgraded this "
            f"store from records schema {info.get('rechained_from_schema', '?')} ({info.get('rechained_links', '?')} "
            "link(s)): the chain over everything starts there; the attempt chains before it are kept and "
            "checked as before. "
            + ("The old chains were intact when it was re-chained." if found == 0 else
               "The note of what verify found before the re-chain is unreadable (it was edited)." if found < 0 else
               f"Before the re-chain, verify found {found} problem(s) in the old chains; they are reported above "
               "while they remain."), WIDTH)
    if "rekeyed_at" in info:
        lines += [""] + textwrap.wrap(
            f"Rekeyed {info.get('rekeyed_count', '?')} time(s), last on {info['rekeyed_at'][:19].replace('T', ' ')} "
            "UTC (`casesim records rekey`): every hash was recomputed with the new key after the store verified "
            "with the old one, and each trainee's chain records it. Heads printed before then match a backup "
            f"taken before it; the store head just before was {info.get('rekeyed_from_head', '?')[:16]}…", WIDTH)
    if "cohort_stamped_since" in info:
        lines += [""] + textwrap.wrap(
            f"Cohorts are stamped on attempts since {info['cohort_stamped_since'][:10]}; "
            f"{info.get('cohort_unstamped_attempts', '?')} earlier attempt(s) are placed in their trainee's current "
            "cohort.", WIDTH)
    if "audit_since" in info:
        lines += [""] + textwrap.wrap(
            f"Audit log (the record of disclosures): {info.get('audit_count', '0')} entr"
            f"{'y' if info.get('audit_count') == '1' else 'ies'}, kept since {info['audit_since'][:10]}"
            + (f" (when this store was upgraded from records schema {info['audit_from_schema']}; earlier "
               "disclosures were not logged)" if info.get("audit_from_schema", "0") != "0" else "")
            + "; the store head covers it (`casesim records audit` lists it).", WIDTH)
    if store_head is not None:
        lines += ["", "Store head (covers every trainee and the audit log; keep it with the signed summaries):",
                  f"  {format_head(store_head)}"]
    if heads:
        lines += ["", "Trainee heads (each is printed on the trainee's PDF summary)"]
        for trainee_id, (count, head) in heads.items():
            lines.append(f"  {trainee_id}: {count} attempt(s), head {format_head(head)}")
    return _lines(lines)
