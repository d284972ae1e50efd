"""Accessibility (axe-core), HTML validity (Nu Html Checker) and Content-Security-Policy
helpers for the browser tests.

Plain helpers, no pytest fixtures: the browser tests' conftest skips with
:func:`checks_available`'s message when a tool is missing, launches Chromium with
:data:`CHROMIUM_PATH` / :data:`CHROMIUM_ARGS`, has a :class:`CspWatch` listen to every
context the tests open, and calls :func:`axe_violations` on each rendered page and
:func:`html_errors` once per test on all the HTML it collected, through one
:class:`VnuService` per worker (a JVM started per test cost about 2 s of CPU).

The JavaScript tools are pinned in ``tests/browser/package.json``; install them with
``npm ci --prefix tests/browser``. vnu.jar needs a Java runtime (11+) on PATH.
"""

from __future__ import annotations

import atexit
import json
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from tests.servers import _die_with_parent, free_port

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, ConsoleMessage, Page

__all__ = [
    "AXE_JS",
    "AXE_TAGS",
    "CHROMIUM_ARGS",
    "CHROMIUM_PATH",
    "CSP_LISTENER",
    "VNU_JAR",
    "CspWatch",
    "VnuService",
    "axe_violations",
    "checks_available",
    "format_violations",
    "html_errors",
]

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
"""axe-core bundle, injected into pages with ``page.add_script_tag(path=AXE_JS)``."""
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
"""The Nu Html Checker, run as ``java -jar VNU_JAR``."""

CHROMIUM_PATH = "/usr/bin/chromium"
"""Debian's Chromium; Playwright's own browser downloads are not used."""
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking")
"""Launch arguments for ``chromium.launch(executable_path=CHROMIUM_PATH, args=[...])``."""

AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")
"""The axe rule tags the pages are checked against."""

AXE_NODES_KEPT = 3
"""How many offending elements are kept per violation (enough to find the culprit)."""

VNU_JVM_OPTIONS = ("-Xss8m",)
"""vnu's schema evaluation is deeply recursive: the default stack may overflow."""

VNU_TIMEOUT = 300.0
"""Seconds one vnu run (all documents at once) may take."""

# Reduce axe's results in the page: the full result objects are large and not needed.
_AXE_RUN = """
async ([tags, disabled, keep]) => {
  const options = {runOnly: {type: 'tag', values: tags}};
  if (disabled.length) {
    options.rules = Object.fromEntries(disabled.map((id) => [id, {enabled: false}]));
  }
  const results = await axe.run(document, options);
  const target = (t) => t.map((part) => Array.isArray(part) ? part.join(' >>> ') : part);
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodeCount: v.nodes.length,
    nodes: v.nodes.slice(0, keep).map((n) => ({target: target(n.target), html: n.html})),
  }));
}
"""


CSP_LISTENER = """
(() => {
  if (Object.prototype.hasOwnProperty.call(window, '__cspViolations')) return;
  const documentId = Math.random().toString(36).slice(2);
  const seen = [];
  Object.defineProperty(window, '__cspViolations', {value: seen});
  document.addEventListener('securitypolicyviolation', (event) => {
    const entry = {
      id: documentId + ':' + seen.length,
      directive: event.effectiveDirective || event.violatedDirective,
      blocked: event.blockedURI,
      source: event.sourceFile,
      line: event.lineNumber,
      sample: event.sample,
      url: document.location.href,
    };
    seen.push(entry);
    if (typeof window.__reportCspViolation === 'function') {
      window.__reportCspViolation(entry).catch(() => {});
    }
  }, true);
})();
"""
"""Init script for every watched context: records each ``securitypolicyviolation`` of a
document in ``window.__cspViolations`` and reports it to :class:`CspWatch` at once. Init
scripts are not subject to the page's CSP, so the listener is there before the first byte."""


class CspWatch:
    """Every Content-Security-Policy violation in the browser contexts it watches.

    The browser tests' conftest watches each context a test opens (:meth:`watch`), the page
    checker calls :meth:`assert_clean` on each page it checks, and the test's end calls it
    once more. Violations arrive three ways, so none is missed: the page's
    ``securitypolicyviolation`` events, reported through a binding as they happen (they
    survive navigation); the same events read back from ``window.__cspViolations`` (for
    those the binding has not delivered yet); and Chromium's console messages ("Refused to
    ... because it violates the following Content Security Policy directive").
    """

    def __init__(self) -> None:
        self.events: dict[str, dict[str, Any]] = {}
        self.console: list[str] = []
        self.taken: set[str] = set()  # ids handed out by take(): not reported again

    def watch(self, context: BrowserContext) -> None:
        """Listen to every page of ``context``, from its first document on."""
        context.expose_binding("__reportCspViolation", self._reported)
        context.add_init_script(script=CSP_LISTENER)
        context.on("console", self._console)

    def _reported(self, source: dict[str, Any], entry: dict[str, Any]) -> None:
        self._add(entry)

    def _add(self, entry: dict[str, Any]) -> None:
        if str(entry["id"]) not in self.taken:
            self.events[str(entry["id"])] = entry

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            where = message.page.url if message.page is not None else "?"
            self.console.append(f"{where}: {message.text}")

    def collect(self, page: Page) -> None:
        """Read back the violations recorded in ``page``'s current document."""
        if page.is_closed():
            return
        for entry in page.evaluate("() => window.__cspViolations || []"):
            self._add(entry)

    def take(self, page: Page | None = None) -> tuple[list[dict[str, Any]], list[str]]:
        """Return (events, console messages) recorded so far, and forget them (for a test
        that breaks the policy on purpose)."""
        if page is not None:
            self.collect(page)
        events, console = list(self.events.values()), list(self.console)
        self.taken.update(self.events)
        self.events.clear()
        self.console.clear()
        return events, console

    def report(self) -> str:
        lines = [
            f"    {e['directive']} blocked {e['blocked'] or '(inline)'} on {e['url']}"
            + (f" ({e['source']}:{e['line']})" if e.get("source") else "")
            + (f": {e['sample']}" if e.get("sample") else "")
            for e in self.events.values()
        ]
        lines += [f"    console {text}" for text in self.console]
        return "\n".join(lines)

    def assert_clean(self, page: Page | None = None, where: str = "") -> None:
        """Fail if any watched page has broken the CSP so far (``page``: read it first)."""
        if page is not None:
            self.collect(page)
        if self.events or self.console:
            raise AssertionError(f"Content-Security-Policy violations{where}:\n{self.report()}")


def checks_available() -> str | None:
    """Return None when axe-core, vnu.jar, java and Chromium are all present, else why not.

    Called by the browser tests' conftest to skip (locally) or fail (in CI) with a message that
    says what to install.
    """
    missing: list[str] = []
    if not AXE_JS.is_file() or not VNU_JAR.is_file():
        missing.append(
            "axe-core / vnu-jar are not installed in tests/browser/node_modules: run "
            "`npm ci --prefix tests/browser`"
        )
    if shutil.which("java") is None:
        missing.append(
            "no `java` on PATH (needed by vnu.jar): install the Debian package "
            "`default-jre-headless`"
        )
    if not Path(CHROMIUM_PATH).is_file():
        missing.append(f"no {CHROMIUM_PATH}: install the Debian package `chromium`")
    return "; ".join(missing) or None


def axe_violations(page: Page, disable_rules: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Run axe-core on ``page``'s current document and return its violations.

    Called by the browser tests' page checker on a copy of each rendered page, in a context
    created with ``bypass_csp=True`` (the app's Content-Security-Policy would block the
    injected script). ``disable_rules`` turns off individual axe rule ids (use sparingly).

    Each violation is a dict with ``id``, ``impact``, ``help``, ``helpUrl``, ``nodeCount`` and
    ``nodes``: the first :data:`AXE_NODES_KEPT` offending elements as ``{"target": [css
    selector, ...], "html": snippet}``.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    violations: list[dict[str, Any]] = page.evaluate(
        _AXE_RUN, [list(AXE_TAGS), list(disable_rules), AXE_NODES_KEPT]
    )
    return violations


def format_violations(violations: Iterable[Mapping[str, Any]]) -> str:
    """Render :func:`axe_violations`'s result as readable text for an assertion message."""
    lines: list[str] = []
    for violation in violations:
        lines.append(
            f"[{violation.get('impact') or 'n/a'}] {violation['id']}: {violation['help']} "
            f"({violation.get('nodeCount', len(violation['nodes']))} element(s))"
        )
        if violation.get("helpUrl"):
            lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = ", ".join(node["target"])
            html = " ".join(str(node["html"]).split())
            if len(html) > 200:
                html = html[:197] + "..."
            lines.append(f"    at {target}: {html}")
    return "\n".join(lines) or "no accessibility violations"


class VnuService:
    """The Nu Html Checker as a local HTTP service (``nu.validator.servlet.Main``, in the same
    vnu.jar as the command line), so the JVM starts once per worker instead of once per
    test. The browser tests' conftest starts it in a session fixture and hands it to
    :func:`html_errors`; it validates a document POSTed as ``text/html`` with the same
    checker and answers the same JSON report as the command line (``test_checks.py``
    compares the two).
    """

    START_TIMEOUT = 90.0
    """Seconds the JVM may take to answer (it loads the schemas first)."""

    def __init__(self, log_path: Path) -> None:
        self.url = ""
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> VnuService:
        """Start on a free port of 127.0.0.1 (3 tries: another process may take the port)
        and wait until it answers; raises RuntimeError with its output if it does not."""
        for _attempt in range(3):
            port = free_port()
            self.url = f"http://127.0.0.1:{port}/"
            with self.log_path.open("ab") as log:
                self._proc = subprocess.Popen(
                    [
                        "java",
                        *VNU_JVM_OPTIONS,
                        "-Dnu.validator.servlet.bind-address=127.0.0.1",
                        "-cp",
                        str(VNU_JAR),
                        "nu.validator.servlet.Main",
                        str(port),
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent,  # started from a fixture on the main thread
                )
            atexit.register(self.stop)
            deadline = time.monotonic() + self.START_TIMEOUT
            while self._proc.poll() is None and time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(self.url, timeout=5) as response:  # noqa: S310
                        if response.status == 200 and self._proc.poll() is None:
                            return self
                except (urllib.error.URLError, OSError):
                    pass
                time.sleep(0.2)
            self.stop()
        output = self.log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"the vnu service did not come up on {self.url}:\n{output}")

    def check(self, source: str) -> dict[str, Any]:
        """vnu's JSON report on one complete HTML document."""
        request = urllib.request.Request(  # noqa: S310
            self.url + "?out=json",
            data=source.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=VNU_TIMEOUT) as response:  # noqa: S310
            report = json.loads(response.read().decode("utf-8"))
        if not isinstance(report, dict) or "messages" not in report:
            raise RuntimeError(f"the vnu service answered no report: {report!r}")
        return report

    def stop(self) -> None:
        """Stop the JVM (idempotent; also at interpreter exit)."""
        atexit.unregister(self.stop)
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def html_errors(
    documents: Mapping[str, str], service: VnuService | None = None
) -> dict[str, list[str]]:
    """Validate HTML documents with the Nu Html Checker; return the errors per document name.

    ``documents`` maps a name (any string, e.g. a URL path) to a complete HTML source. With
    a running ``service`` each is POSTed to it; without, all of them are checked in ONE
    ``java -jar vnu.jar`` run, because starting the JVM takes seconds. The result has every
    name as a key, with a list of ``"line N: message"`` strings for each message of type
    ``error`` (empty when the document is valid). Warnings (type ``info``) are ignored; a
    ``non-document-error`` (vnu could not read the file) is reported as an error too.
    Raises RuntimeError when vnu fails or produces no JSON report.
    """
    result: dict[str, list[str]] = {name: [] for name in documents}
    if not documents:
        return result
    if service is not None:
        for name, source in documents.items():
            for message in service.check(source).get("messages", []):
                _add_error(result, name, message)
        return result
    with tempfile.TemporaryDirectory(prefix="vnu-") as tmp:
        by_file: dict[str, str] = {}
        for index, (name, source) in enumerate(documents.items()):
            path = Path(tmp) / f"doc{index:04d}.html"
            path.write_text(source, encoding="utf-8")
            by_file[path.name] = name
        proc = subprocess.run(
            [
                "java",
                *VNU_JVM_OPTIONS,
                "-jar",
                str(VNU_JAR),
                "--format",
                "json",
                "--exit-zero-always",
                *sorted(by_file),
            ],
            cwd=tmp,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=VNU_TIMEOUT,
            check=False,
        )
    report = _vnu_report(proc)
    for message in report.get("messages", []):
        filename = Path(unquote(urlparse(message.get("url", "")).path)).name
        _add_error(result, by_file.get(filename), message)
    return result


def _add_error(result: dict[str, list[str]], name: str | None, message: Mapping) -> None:
    """Add vnu's `message` to the errors of document `name` if it is an error (to every
    document's when `name` is None: not tied to one file)."""
    kind = message.get("type")
    if kind not in ("error", "non-document-error"):
        return
    text = " ".join(str(message.get("message", "")).split())
    line = message.get("firstLine", message.get("lastLine"))
    entry = f"line {line}: {text}" if line is not None else f"{kind}: {text}"
    if name is None:
        for errors in result.values():
            errors.append(entry)
    else:
        result[name].append(entry)


def _vnu_report(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """Extract vnu's JSON report, which it writes to stderr (stdout with ``--stdout``).

    The JVM may print other text around it (``Picked up JAVA_TOOL_OPTIONS``, a stack
    overflow notice), so the report is located by its opening ``{"`` rather than assumed to be
    the whole stream.
    """
    decoder = json.JSONDecoder()
    overflow = "StackOverflowError" in proc.stdout + proc.stderr  # the report is incomplete
    for stream in (proc.stderr, proc.stdout):
        start = -1 if overflow else stream.find('{"')
        while start != -1:
            try:
                report, _ = decoder.raw_decode(stream, start)
            except json.JSONDecodeError:
                report = None
            if isinstance(report, dict) and "messages" in report:
                return report
            start = stream.find('{"', start + 1)
    raise RuntimeError(
        f"vnu.jar produced no usable JSON report (exit status {proc.returncode}):\n"
        f"--- stdout ---\n{proc.stdout[-2000:]}\n--- stderr ---\n{proc.stderr[-2000:]}"
    )
