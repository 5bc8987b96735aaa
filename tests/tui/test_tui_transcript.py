"""The transcript is one widget drawing the rows in view (issue 15, item 7): a choice adds no
widget, each line keeps its look (the trainee's words indented on every row, scene lines muted,
an ending set off by a rule), a line is wrapped once per width and again for a new width, and
its text can be selected with the mouse as before."""

from __future__ import annotations

from typing import Any

import pytest
from textual.content import Content
from textual.pilot import Pilot

from casesim.play.transcript import Line
from casesim.tui.widgets.transcript import Transcript, TranscriptText
from support.tui import EXPERT, AppFactory, choose, open_and_start, play_area, screen_text, settle

LONG = "I hear how much this month has taken out of you, and I would like to understand it better."


def _rows(lines: list[Line], width: int, wrapped: dict[Any, Any] | None = None) -> list[Content]:
    return TranscriptText(lines, "Dana", {} if wrapped is None else wrapped).rows(width)


def test_each_line_is_followed_by_a_blank_row_and_the_trainees_rows_are_all_indented() -> None:
    rows = [r.plain for r in _rows([Line("client", "Hello."), Line("trainee", LONG)], 40)]
    assert rows[:2] == ["Dana: Hello.", ""]
    said = rows[2:-1]
    assert len(said) > 1 and all(r.startswith("  ") and len(r) <= 40 for r in said)
    assert " ".join(r.strip() for r in said) == f"You: {LONG}"
    assert rows[-1] == ""


def test_scene_lines_are_muted_and_an_ending_is_set_off_by_a_rule_across_the_width() -> None:
    rows = _rows([Line("narration", "Dana's voice drops."), Line("ending", "Dana agrees to come in.", title="Engaged")], 30)
    scene = rows[0]
    assert scene.plain == "Scene: Dana's voice drops."
    assert all("$text-muted" in str(span.style) for span in scene.spans[:1])
    rule = rows[2]
    assert rule.plain == "━" * 30 and any("$accent" in str(span.style) for span in rule.spans)
    assert [r.plain for r in rows[3:5]] == ["Ending: Engaged", "Dana agrees to come in."]


def test_a_line_is_wrapped_once_per_width_however_often_the_transcript_is_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    wrapped: dict[Any, Any] = {}
    calls = []
    wrap = Content.wrap

    def counting(self: Content, *args: Any, **kwargs: Any) -> Any:
        calls.append(self.plain)
        return wrap(self, *args, **kwargs)

    monkeypatch.setattr(Content, "wrap", counting)
    first = [Line("client", "Hello."), Line("trainee", LONG)]
    _rows(first, 40, wrapped)
    assert len(calls) == 2
    _rows([*first, Line("client", "Okay.")], 40, wrapped)  # the next choice: only its line is wrapped
    assert calls[2:] == ["Dana: Okay."]
    _rows(first, 60, wrapped)  # another width wraps again
    assert len(calls) == 5


async def test_choices_add_lines_to_the_transcript_and_no_widgets(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_and_start(pilot)
        await settle(pilot)
        transcript = app.screen.query_one(Transcript)
        widgets = len(transcript.query("*"))
        before = len(transcript.lines)
        await choose(pilot, EXPERT[:2])
        await settle(pilot)
        assert len(transcript.lines) > before
        assert len(transcript.query("*")) == widgets
        shown = transcript.plain
        assert transcript.lines[-1].text.split()[0] in shown
        assert transcript.scroll_y == transcript.max_scroll_y  # following the newest line


async def _played(pilot: Pilot[Any], path: list[str]) -> Transcript:
    """Open the example from the library, start it, take ``path``; the transcript."""
    await settle(pilot)
    await open_and_start(pilot)
    await settle(pilot)
    await choose(pilot, path)
    await settle(pilot)
    return pilot.app.screen.query_one(Transcript)


async def test_a_resized_terminal_wraps_the_transcript_again_and_it_still_follows_the_newest(
        make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        transcript = await _played(pilot, EXPERT[:3])
        narrow = transcript.plain.split("\n")
        await pilot.resize_terminal(120, 30)
        await settle(pilot)
        wide = transcript.plain.split("\n")
        assert len(wide) < len(narrow)  # fewer, longer rows
        width = transcript.scrollable_content_region.width
        assert max(map(len, wide)) <= width < 100 and max(map(len, wide)) > max(map(len, narrow))
        assert transcript.virtual_size.height == len(wide)
        assert transcript.scroll_y == transcript.max_scroll_y > 0
        newest = transcript.lines[-1].text.split()[0]
        assert newest in screen_text(app).split("╭─ Feedback")[0]  # the newest line is in view


async def test_the_transcripts_text_can_be_selected(make_test_app: AppFactory) -> None:
    from textual.geometry import Offset
    from textual.selection import Selection

    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        transcript = await _played(pilot, EXPERT[:2])
        assert transcript.get_selection(Selection(None, None)) == (transcript.plain.rstrip("\n"), "\n")
        top = int(transcript.scroll_y)
        before = transcript.render_line(0)
        app.screen.selections = {transcript: Selection.from_offsets(Offset(0, top), Offset(4, top))}
        await pilot.pause()
        selected = transcript.render_line(0)
        assert selected.text == before.text and selected != before  # the same words, highlighted
        assert app.screen.get_selected_text() == transcript.plain.splitlines()[top][:4]


async def test_a_trainee_can_scroll_up_to_reread_and_the_next_choice_shows_its_answer(
        make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        transcript = await _played(pilot, EXPERT[:4])
        area = play_area(app)
        transcript.focus()
        for _ in range(3):
            await pilot.press("up")
        await pilot.pause()
        reading = transcript.scroll_y
        assert 0 < reading < transcript.max_scroll_y
        area.check_timer()  # a tick of the clock, and the same lines shown again: the view stays put
        transcript.show(list(transcript.lines))
        await pilot.pause()
        assert transcript.scroll_y == reading
        area.choose(EXPERT[4])
        await settle(pilot)
        shown = transcript.scrollable_content_region.height
        assert transcript.scroll_offset.y + shown == transcript.virtual_size.height  # the answer in view
