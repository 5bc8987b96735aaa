"""Textual's key footer, rebuilt once per burst of binding changes instead of once per change.

Textual's :class:`~textual.widgets.Footer` recomposes itself (a new widget for every key shown)
after each ``bindings_updated`` signal of its screen, and a screen publishes one for every focus
change and every change of a reactive declared with ``bindings=True``. The library's list being
filled sends five in a row: the footer was rebuilt five times before the list could be drawn,
about a third of the time from the first frame to the filled list (issue 15, item 7). Each rebuild
reads the screen's bindings as they are when it runs, so one rebuild after the last change shows
exactly what five did; and a signal that changed nothing shown (Textual sends one after every
focus change, even to the widget already focused) rebuilds nothing.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter

__all__ = ["Footer"]


class Footer(TextualFooter):
    """A :class:`textual.widgets.Footer` that coalesces the rebuilds a burst of signals asks for."""

    def __init__(self, *, compact: bool = False, id: str | None = None) -> None:
        super().__init__(compact=compact, id=id)
        self._rebuild_pending = False
        """A rebuild is scheduled and has not started: later signals need nothing more."""
        self.rebuilds = 0
        """How many times the keys were rebuilt (for tests)."""
        self._shown: tuple[object, ...] | None = None
        """What the keys were last built from (see :meth:`_shows`)."""

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    def _shows(self) -> tuple[object, ...]:
        """Everything :meth:`compose` draws the keys from: each shown binding's key as displayed,
        description, action, group, whether it is enabled, and its tooltip."""
        return tuple((binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                      binding.group, enabled, tooltip)
                     for (_, binding, enabled, tooltip) in self.screen.active_bindings.values())

    async def _rebuild(self) -> None:
        self._rebuild_pending = False  # a change from here on asks for a rebuild of its own
        shows = self._shows()
        if shows == self._shown:
            return
        self._shown = shows
        self.rebuilds += 1
        await self.recompose()
