"""Mermaid text to SVG with the real Mermaid library, in headless Chromium.

Mermaid exists only as JavaScript that needs a browser's DOM to lay out text, so rendering runs
``tools/mermaid/render.mjs`` under Node.js: it drives the system Chromium with playwright-core and
loads the ``mermaid`` npm package pinned by ``tools/mermaid/package-lock.json`` (installed by
``make mermaid``, i.e. ``npm ci``). Nothing here is needed for ``casesim graph --format mermaid``
or ``dot``; only ``--format svg`` and the graph render test use it.

Where the pieces are looked for: the renderer folder is the one given (``casesim graph
--mermaid-dir``, or ``$CASESIM_MERMAID_DIR``, which the CLI binds) or the source checkout's
``tools/mermaid``; the browser is the one given (``--chromium``, ``$CASESIM_CHROMIUM``) or the
first of ``chromium``, ``chromium-browser``, ``google-chrome`` on ``PATH``; Node.js is ``node``
on ``PATH``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from casesim.errors import CaseSimError

__all__ = ["MermaidRenderer", "Rendered", "RendererMissingError", "find_renderer"]

RENDERER_DIR_ENV = "CASESIM_MERMAID_DIR"
CHROMIUM_ENV = "CASESIM_CHROMIUM"
_BROWSERS = ("chromium", "chromium-browser", "google-chrome")
_CHECKOUT_DIR = Path(__file__).resolve().parents[3] / "tools" / "mermaid"
"""``tools/mermaid`` of the source checkout this module runs from (absent in an installed wheel)."""

INSTALL_HINT = (
    "in a casesim source checkout run `make mermaid` (npm ci in tools/mermaid) and install Chromium "
    "(Debian/Ubuntu: `apt-get install chromium nodejs npm`, or `make system-deps` as root); "
    f"or pass --mermaid-dir (${RENDERER_DIR_ENV}) a folder prepared like tools/mermaid and --chromium "
    f"(${CHROMIUM_ENV}) a Chromium binary. `--format mermaid` and `--format dot` need none of this."
)


class RendererMissingError(CaseSimError):
    """Node.js, Chromium or the pinned npm packages are not installed, so nothing can be rendered."""

    def __init__(self, missing: Sequence[str]) -> None:
        super().__init__("rendering a graph as SVG needs " + "; ".join(missing) + ".",
                         title="the Mermaid renderer is not installed", hint=INSTALL_HINT)
        self.missing = tuple(missing)


@dataclass(frozen=True)
class Rendered:
    """One diagram's outcome: the SVG Mermaid drew, or Mermaid's own error message."""

    svg: str | None
    error: str | None


@dataclass(frozen=True)
class MermaidRenderer:
    """The three pieces rendering needs, all found (see :func:`find_renderer`)."""

    node: str
    chromium: str
    folder: Path

    def render(self, diagrams: Sequence[str], *, timeout: float = 300.0) -> list[Rendered]:
        """Render every diagram in one browser session; a diagram Mermaid rejects gets its error.

        Raises :class:`CaseSimError` when the browser cannot be started or does not answer in
        ``timeout`` seconds (then nothing was rendered, which is not a verdict on the diagrams).
        """
        request = json.dumps({"diagrams": list(diagrams)})
        try:
            done = subprocess.run([self.node, str(self.folder / "render.mjs"), self.chromium], input=request,
                                  capture_output=True, text=True, encoding="utf-8", timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise CaseSimError(f"the Mermaid renderer did not finish within {timeout:.0f} s",
                               title="rendering timed out", hint="try again; or use --format mermaid") from None
        except OSError as exc:
            raise CaseSimError(f"{self.node} could not be run: {exc.strerror}", title="the Mermaid renderer failed",
                               hint=INSTALL_HINT) from None
        if done.returncode != 0:
            message = _last_lines(done.stderr) or f"it exited with status {done.returncode}"
            raise CaseSimError(f"the Mermaid renderer failed: {message}", title="the Mermaid renderer failed",
                               hint=f"check that {self.chromium} starts (`{self.chromium} --headless --version`)")
        try:
            results = json.loads(done.stdout)["results"]
        except (ValueError, KeyError, TypeError):
            raise CaseSimError("the Mermaid renderer answered something that is not its JSON report",
                               title="the Mermaid renderer failed", hint="run `make mermaid` again") from None
        return [Rendered(svg=r.get("svg"), error=r.get("error")) for r in results]


def _last_lines(text: str, count: int = 3) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return " / ".join(lines[-count:])


def find_renderer(*, chromium: str | Path | None = None, folder: Path | None = None) -> MermaidRenderer:
    """The renderer, or :class:`RendererMissingError` naming every missing piece.

    ``chromium`` and ``folder`` override the browser found on ``PATH`` and the checkout's
    ``tools/mermaid``.
    """
    missing = []
    node = shutil.which("node")
    if node is None:
        missing.append("Node.js (`node` on PATH)")
    if chromium is not None:
        chromium = str(chromium)
        if not Path(chromium).is_file():
            missing.append(f"Chromium at {chromium} (given by --chromium or ${CHROMIUM_ENV}), which does not exist")
    else:
        chromium = next(filter(None, map(shutil.which, _BROWSERS)), None)
        if chromium is None:
            missing.append("Chromium (`chromium` on PATH, or --chromium / $" + CHROMIUM_ENV + ")")
    folder = folder or _CHECKOUT_DIR
    needed = [folder / "render.mjs", folder / "node_modules" / "mermaid" / "dist" / "mermaid.min.js",
              folder / "node_modules" / "playwright-core" / "package.json"]
    if not all(path.is_file() for path in needed):
        missing.append(f"the mermaid and playwright-core npm packages in {folder} (`npm ci` there)")
    if missing or node is None or chromium is None:
        raise RendererMissingError(missing)
    return MermaidRenderer(node=node, chromium=chromium, folder=folder)
