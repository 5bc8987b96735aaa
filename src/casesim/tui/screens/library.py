"""The library: scenarios grouped by kind, searchable, with what each one asks of the trainee."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from casesim.errors import CaseSimError
from casesim.play.memory import resume_collection
from casesim.tui.base import CaseSimScreen
from casesim.tui.messages import ContinueAttempt, LibraryLoaded, ShowBeforeStart
from casesim.tui.screens.notice import NoticeScreen
from casesim.tui.screens.open_file import OpenFileScreen
from casesim.tui.text import literal
from casesim.tui.widgets import TitleBar
from casesim.tui.widgets.footer import Footer
from casesim.tui.widgets.prose import Para, Prose, blank, para

# The list is drawn from the library listing (casesim.play.library_index), read after the first
# frame, as the trainee's standings are; the scenario models, the checks and the loader are
# imported when a scenario is opened (issue 15, item 7).
if TYPE_CHECKING:
    from casesim.authoring.pipeline import Playable
    from casesim.play.library import Library
    from casesim.play.library_index import ListedProblem, ListedScenario, Listing
    from casesim.play.standing import Standing
    from casesim.records.api import AttemptRow
    from casesim.scoring.catalog import Catalog

__all__ = ["LibraryScreen", "scenario_details", "diagnostics_details"]

PRELOAD_FALLBACK_SECONDS = 1.0
"""Start :meth:`LibraryScreen.after_the_list` this long after the list is built if no layout
refresh said it was drawn."""


def _bullets(items: Sequence[str]) -> list[Para]:
    return [para(literal(" ".join(item.split())), indent=4, bullet="  • ") for item in items]


def scenario_details(s: ListedScenario) -> list[Para]:
    """Everything the library says about one scenario, as literal paragraphs (with the languages
    it can be played in)."""
    from casesim.authoring.languages import Language, languages_text

    languages = [Language(lang.tag, lang.translated, lang.total) for lang in s.languages]
    out = [
        para(literal(s.title, "bold")),
        para((f"{s.kind_label} · about {s.estimated_minutes} min · ", "italic"), literal(s.client, "italic")),
    ]
    if languages:
        out.append(para(("Languages: ", "italic"), literal(languages_text(languages), "italic")))
    out += [
        blank(),
        para(literal(" ".join(s.summary.split()))),
        blank(),
        para(("Objectives", "bold")), *_bullets(s.objectives),
    ]
    if s.competencies:
        out += [blank(), para(("Competencies (CSWE 2022 EPAS)", "bold"))]
        out += _bullets(s.competencies)
    out += [blank(), para(("Content notes", "bold"))]
    out += _bullets(s.content_notes) if s.content_notes else [para("none listed", indent=4)]
    if s.draft:
        out += [blank(), para(("Draft: not yet reviewed by a clinician.", "italic"))]
    return out


def diagnostics_details(report: ListedProblem) -> list[Para]:
    """Why a file cannot be played."""
    out = [para(literal(report.path, "bold")), para(("This file has problems and cannot be played:", "italic")),
           blank()]
    for line, col, message, code in report.errors[:30]:
        out.append(para((f"{line}:{col} ", "bold"), literal(f"{message} [{code}]"), indent=2))
    if len(report.errors) > 30:
        out.append(para(f"… and {len(report.errors) - 30} more"))
    out += [blank(), para(("Check it with `casesim validate`, or fix it in `casesim author`.", "italic"))]
    return out


class LibraryScreen(CaseSimScreen[None]):
    """Pick a scenario, resume an attempt, open a file by path, or see your progress."""

    CSS_PATH = Path(__file__).with_name("library.tcss")
    AUTO_FOCUS = "#library-list"
    """The list has the focus from the start (Textual's default, the search box, moved it a moment
    later and had the key footer rebuilt twice, issue 15 item 7)."""
    KEYS_TITLE = "the library"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="library-search", tooltip="search titles, summaries, notes"),
        Binding("o", "open_file", "Open file", id="library-open", tooltip="open a scenario file by its path"),
        Binding("g", "progress", "Progress", id="library-progress",
                tooltip="your competency ratings over time"),
        Binding("q", "quit_app", "Quit", id="library-quit", tooltip="quit casesim"),
    ]
    EXTRA_KEYS = (("up / down", "move through the list"), ("enter", "open the highlighted scenario"),
                  ("escape", "in the search box: clear it and go back to the list"))

    def __init__(self, library_paths: Sequence[Path]) -> None:
        super().__init__()
        self.library_paths = tuple(library_paths)
        self.library: Listing | None = None
        """The library as listed (from the listing cache, or worked out from the loaded files)."""
        self.query_text = ""
        self._in_progress: tuple[AttemptRow, ...] = ()
        self._entries: dict[str, ListedScenario] = {}
        self._broken: dict[str, ListedProblem] = {}
        self._playables: dict[str, Playable] = {}
        """The scenarios already loaded, by file path (all of them when the listing was worked out
        now; otherwise each one as it is opened)."""
        self._standings: dict[str, Standing] = {}
        """The trainee's standing with each scenario they have attempted, by scenario id."""
        self._after_list_started = False


    def compose(self) -> ComposeResult:
        yield TitleBar(Content("casesim · scenario library"), self._trainee_status(), id="title-bar")
        with Horizontal(id="library-body"):
            with Vertical(id="library-left"):
                search = Input(placeholder="/ to search", id="library-search", compact=True)
                search.cursor_blink = self.casesim.cursor_blink
                yield search
                yield OptionList(id="library-list")
            with VerticalScroll(id="library-detail"):
                yield Prose([para("Loading the scenario library…")], id="library-detail-text")
        yield Footer()

    def _trainee_status(self) -> Content:
        name = self.casesim.trainee.name
        return literal(f"trainee: {name}") if name else Content("no trainee yet")

    def on_mount(self) -> None:
        self.query_one("#library-list", OptionList).focus()
        # The list is read once the first frame is drawn: reading it now would slow the first
        # frame's layout and CSS (issue 15, item 7).
        self.call_after_refresh(self._list_now_or_load)

    def _list_now_or_load(self) -> None:
        """With no trainee remembered and a current listing in the cache, list the library now:
        reading the listing takes milliseconds, and the list is then drawn in the next frame with
        the footer's keys. Read by the worker (:meth:`load`), it came four frames later, each a
        redraw of the whole screen for the keys and the focus (issue 15, item 7). A trainee's list
        waits for their records, and a listing not in the cache means loading the files: both in
        the worker."""
        from casesim.play.library_index import listing_key, read_listing

        host = self.casesim
        if not host.trainee_id and host.library_cache is not None:
            listing = read_listing(host.library_cache, listing_key(self.library_paths, host.catalog_dirs))
            if listing is not None:
                self._loaded(listing)
                return
        self.load()

    @work(thread=True, exclusive=True, group="library")
    def load(self) -> None:
        from casesim.play.library_index import cached_listing

        host = self.casesim

        def load_all() -> tuple[Library, Catalog]:
            from casesim.play.library import load_library

            catalog = host.catalog
            return load_library(list(self.library_paths), catalog), catalog

        try:
            if host.trainee_id:
                # The list shows this trainee's attempts in progress and standings: it waits for
                # the records (`casesim` opens them here, after the first frame, issue 15 item 7).
                # With no trainee yet there is nothing of theirs to list: the records open once
                # the list is drawn (:meth:`after_the_list`), their modules off the list's way.
                _ = host.store
            listing, library = cached_listing(host.library_cache, self.library_paths, host.catalog_dirs, load_all)
        except CaseSimError as exc:  # the records would not open or the catalog load: the CLI says why
            self.app.call_from_thread(host.startup_failed, exc)
            return
        self.app.call_from_thread(self._loaded, listing, library)

    def _after_the_list_is_drawn(self, *, catalog: bool) -> None:
        """Start :meth:`after_the_list` once the list just built is on screen.

        The screen publishes a layout refresh just before it draws; a subscriber that is not
        ``immediate`` is called after the frame is out. (``call_after_refresh`` can run before the
        frame when the screen goes idle first, and its imports would then slow the
        drawing of the list.) A timer starts it anyway, should no layout refresh come."""
        listing = self.query_one("#library-list", OptionList)
        signal = self.screen_layout_refresh_signal

        def drawn(_: object = None) -> None:
            signal.unsubscribe(listing)
            timer.stop()
            if not self._after_list_started:
                self._after_list_started = True
                self.after_the_list(catalog=catalog)

        timer = self.set_timer(PRELOAD_FALLBACK_SECONDS, drawn)
        signal.subscribe(listing, drawn)

    @work(thread=True, exclusive=True, group="library-preload")
    def after_the_list(self, *, catalog: bool) -> None:
        """What the list did not wait for, while the trainee reads it: open the records if the
        list did not need them (no trainee yet: a store that will not open still stops casesim
        at start, as before, and the first attempt does not wait for it), and, listed from the
        cache (``catalog``), load the catalog and the loader, so opening a scenario takes only
        its own file. Started once the list is drawn (the imports take the interpreter from the
        thread that draws it)."""
        host = self.casesim
        try:
            _ = host.store
            if catalog:
                _ = host.catalog
                import casesim.authoring.pipeline  # noqa: F401
        except CaseSimError as exc:
            self.app.call_from_thread(host.startup_failed, exc)
        finally:  # start-up is over: what it built lives as long as the app (play/memory.py)
            resume_collection()

    def _loaded(self, listing: Listing, library: Library | None = None) -> None:
        self.library = listing
        if library is not None:
            self._playables = {entry.path: entry for entry in library.playable}
        self._after_the_list_is_drawn(catalog=library is None)
        self.refresh_in_progress(rebuild=False)
        self.rebuild()
        self.app.post_message(LibraryLoaded(len(listing.scenarios), len(listing.broken)))

    def refresh_in_progress(self, rebuild: bool = True) -> None:
        """Re-read the attempts the trainee can resume (after leaving play, say). With no trainee
        there are none, and the records are not opened for them (see :meth:`load`)."""
        from casesim.play.standing import scenario_standings

        trainee = self.casesim.trainee_id
        store = self.casesim.store if trainee else None
        self._in_progress = tuple(store.in_progress(trainee)) if store is not None and trainee else ()
        self._standings = scenario_standings(store, trainee)
        self.query_one("#title-bar", TitleBar).set_status(self._trainee_status())
        if rebuild and self.library is not None:
            self.rebuild()

    # --- the list -------------------------------------------------------------------------

    def rebuild(self) -> None:
        library = self.library
        if library is None:
            return
        options: list[Option | None] = []
        self._entries = {}
        self._broken = {}
        resumable = [(row, e) for row in self._in_progress if (e := library.by_id(row.scenario_id)) is not None]
        if resumable and not self.query_text:
            options.append(Option(Content.styled("── In progress", "bold"), disabled=True))
            for row, entry in resumable:
                key = f"resume:{row.id}"
                self._entries[key] = entry
                options.append(Option(Content.assemble("↻ ", literal(entry.title),
                                                       (f" ({row.mode})", "italic")), id=key))
        for label, entries in library.grouped(self.query_text):
            options.append(Option(Content.styled(f"── {label}", "bold"), disabled=True))
            for i, entry in enumerate(entries):
                key = f"play:{entry.kind}:{i}"
                self._entries[key] = entry
                options.append(Option(self._list_label(entry), id=key))
        broken = library.broken if not self.query_text else ()
        if broken:
            options.append(Option(Content.styled("── Files with problems", "bold"), disabled=True))
            for i, report in enumerate(broken):
                key = f"broken:{i}"
                self._broken[key] = report
                options.append(Option(Content.assemble("✗ ", literal(Path(report.path).name)), id=key))
        listing = self.query_one("#library-list", OptionList)
        listing.clear_options()
        if not self._entries and not self._broken:
            listing.add_option(Option(Content("No scenario matches the search." if self.query_text
                                              else "No scenarios found."), disabled=True))
            self._show_detail(None)
            return
        listing.add_options([o for o in options if o is not None])
        first = next(i for i, o in enumerate(listing.options) if not o.disabled)
        listing.highlighted = first
        self._show_detail(listing.options[first].id)

    def _list_label(self, entry: ListedScenario) -> Content:
        """The title, the trainee's standing in words once they have tried it ("· passed",
        "· practice only"), and the tags of its translations when it has any ("· en es"): the
        detail names the languages in full and says the standing as a sentence."""
        parts: list[str | tuple[str, str] | Content] = [literal(entry.title)]
        standing = self._standings.get(entry.id)
        if standing is not None:
            parts.append((f" · {standing.label}", "italic"))
        languages = entry.languages
        if len(languages) >= 2:
            parts.append((f" · {' '.join(lang.tag for lang in languages)}", "dim"))
        return Content.assemble(*parts)

    @on(OptionList.OptionHighlighted, "#library-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_detail(event.option_id)

    def _show_detail(self, key: str | None) -> None:
        text = self.query_one("#library-detail-text", Prose)
        report = self._broken.get(key or "")
        if report is not None:
            text.show(diagnostics_details(report))
            return
        entry = self._entries.get(key or "")
        if entry is None:
            text.show([para("Nothing selected." if self.library is not None else "Loading…")])
            return
        details = scenario_details(entry)
        if key and key.startswith("resume:"):
            row = next(r for r in self._in_progress if r.id == key.split(":", 1)[1])
            from casesim.records.api import (
                effective_path,  # with the records, after the first frame
            )

            store = self.casesim.store
            steps = len(effective_path(store.events(row.id))) if store is not None else 0
            note = [para(("Resume this attempt", "bold")),
                    para(f"{row.mode.capitalize()} mode, {steps} choice{'s' if steps != 1 else ''} made so far. "
                         "Enter carries on where you stopped.")]
            if row.content_hash != entry.content_hash:
                note.append(para(("The scenario file has changed since this attempt began, so it cannot "
                                  "be resumed; start it again instead.", "italic")))
            details = [*note, blank(), *details]
        else:
            from casesim.play.standing import Standing

            standing = self._standings.get(entry.id, Standing())
            details = [*details[:2], para(("Your progress: ", "italic"), literal(standing.sentence, "italic")),
                       *details[2:], blank(), para(("Enter: read the notes and start", "bold"))]
        text.show(details)
        self.query_one("#library-detail", VerticalScroll).scroll_home(animate=False)

    @on(OptionList.OptionSelected, "#library-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        key = event.option_id or ""
        if key in self._broken:
            self.notify("This file has problems; see the list on the right.", severity="warning", markup=False)
            return
        entry = self._entries.get(key)
        if entry is None:
            return
        if key.startswith("resume:"):
            attempt_id = key.split(":", 1)[1]
            self._open(entry, lambda loaded: self.app.post_message(ContinueAttempt(loaded, attempt_id)))
        elif key.startswith("play:"):
            self._open(entry, lambda loaded: self.app.post_message(ShowBeforeStart(loaded)))

    def _open(self, entry: ListedScenario, then: Callable[[Playable], object]) -> None:
        """Hand ``entry``, loaded, to ``then``: at once when it is loaded already, else after
        loading it in a worker (listed from the cache)."""
        loaded = self._playables.get(entry.path)
        if loaded is not None:
            then(loaded)
        else:
            self._load_and_open(entry, then)

    @work(thread=True, exclusive=True, group="open")
    def _load_and_open(self, entry: ListedScenario, then: Callable[[Playable], object]) -> None:
        loaded = self._playables.get(entry.path)
        if loaded is None:
            from casesim.authoring.pipeline import library_root_for, load_scenario

            try:
                catalog = self.casesim.catalog
            except CaseSimError as exc:
                self.app.call_from_thread(self.casesim.startup_failed, exc)
                return
            path = Path(entry.path)
            report = load_scenario(path, catalog, analyse_paths=False,
                                   library_root=library_root_for(path, list(self.library_paths)))
            if report.playable is None:  # changed since it was listed
                self.app.call_from_thread(self.app.push_screen, NoticeScreen(
                    f"{path.name} has problems", "This file changed since the library was listed and cannot be "
                    "played now. Check it with `casesim validate`, or fix it in `casesim author`."))
                return
            loaded = self._playables[entry.path] = report.playable
        self.app.call_from_thread(then, loaded)

    # --- search -----------------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#library-search", Input).focus()

    @on(Input.Changed, "#library-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self.rebuild()

    @on(Input.Submitted, "#library-search")
    def _search_done(self, event: Input.Submitted) -> None:
        self.query_one("#library-list", OptionList).focus()

    def key_escape(self) -> None:
        search = self.query_one("#library-search", Input)
        if search.has_focus:
            search.value = ""
            self.query_one("#library-list", OptionList).focus()

    def key_down(self) -> None:
        if self.query_one("#library-search", Input).has_focus:
            self.query_one("#library-list", OptionList).focus()

    # --- other actions ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In a served session the file the path names is on the server's disk, not the
        student's: opening files is not offered (the key is hidden and does nothing)."""
        return not (action == "open_file" and self.casesim.signed_in)

    def action_open_file(self) -> None:
        self.app.push_screen(OpenFileScreen(cursor_blink=self.casesim.cursor_blink), self._open_path)

    def _open_path(self, path: Path | None) -> None:
        if path is None:
            return
        if not path.is_file():
            self.app.push_screen(NoticeScreen("No such file", f"There is no file at {path}. Check the path and try again."))
            return
        from casesim.authoring.pipeline import load_scenario

        report = load_scenario(path, self.casesim.catalog, analyse_paths=False)
        if report.playable is None:
            lines = "\n".join(f"{d.line}:{d.col}: {d.message}" for d in report.errors[:12])
            self.app.push_screen(NoticeScreen(f"{path.name} has problems",
                                              f"{lines}\n\nFix them, or open the file with `casesim author {path}`."))
            return
        self.app.post_message(ShowBeforeStart(report.playable))

    def action_progress(self) -> None:
        from casesim.tui.screens.progress import ProgressScreen

        self.app.push_screen(ProgressScreen())

    def action_quit_app(self) -> None:
        self.app.exit()
