"""axe-core in headless Chromium, with no driver library: the page runs axe itself and writes the
result into its own DOM, and Chromium's ``--dump-dom`` (after a virtual-time budget long enough
for axe to finish) hands it back.

Needs a ``chromium`` (or ``chromium-browser``) on PATH and axe-core installed under
``tests/data/axe/node_modules`` (``npm ci --prefix tests/data/axe``; ``make system-deps`` does
both when it can). Tests skip when either is missing, except where ``CASESIM_REQUIRE_AXE`` is
set (CI sets it, ``.ci/run``): there a missing tool fails the test, so the accessibility check
can never pass by not running.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from support.paths import DATA

AXE_JS = DATA / "axe" / "node_modules" / "axe-core" / "axe.min.js"

REQUIRE_ENV = "CASESIM_REQUIRE_AXE"
"""Set (to anything but empty) where the axe check must run: a missing tool is then a failure."""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


_RUNNER = """
<script>{axe}</script>
<script>
axe.run(document, {{resultTypes: ["violations"]}}).then(function (r) {{
  var out = document.createElement("pre");
  out.id = "axe-result";
  out.textContent = JSON.stringify(r.violations.map(function (v) {{
    return {{id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) {{ return n.html; }})}};
  }}));
  document.documentElement.appendChild(out);
}});
</script>
"""


def missing_tool(browser: str | None, axe_js: Path = AXE_JS) -> str | None:
    """Why the axe check cannot run here, or None when it can."""
    if browser is None:
        return "chromium is not installed (make system-deps installs it)"
    if not axe_js.exists():
        return "axe-core is not installed (npm ci --prefix tests/data/axe)"
    return None


def require_axe(browser: str | None, axe_js: Path = AXE_JS) -> str:
    """The browser to run axe in; skips the test when a tool is missing, or fails it where
    :data:`REQUIRE_ENV` is set."""
    reason = missing_tool(browser, axe_js)
    if reason is not None:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{reason}, and {REQUIRE_ENV} is set: the HTML debrief's accessibility check must run here")
        pytest.skip(reason)
    assert browser is not None
    return browser


def axe_violations(page: str, browser: str) -> list[dict[str, Any]]:
    """axe-core's violations on ``page`` (every rule axe runs by default, WCAG 2.x A and AA included)."""
    runner = _RUNNER.format(axe=AXE_JS.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "page.html"
        target.write_text(page.replace("</body>", runner + "</body>"), encoding="utf-8")
        result = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             f"--user-data-dir={folder}/profile", "--virtual-time-budget=30000", "--dump-dom", target.as_uri()],
            capture_output=True, text=True, timeout=180)
    match = re.search(r'<pre id="axe-result">(.*?)</pre>', result.stdout, re.S)
    if match is None:
        raise AssertionError(f"axe did not report; chromium said: {result.stderr[-1500:]}")
    violations: list[dict[str, Any]] = json.loads(html.unescape(match.group(1)))
    return violations
