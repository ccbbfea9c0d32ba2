"""The HTML report: one self-contained file (inline CSS, script and data; no network).

Rendered by jinja2 with autoescaping on: every article string in the markup is
escaped, and the embedded data is JSON made safe for a ``<script>`` element (``<``,
``>``, ``&`` and ``'`` as ``\\u`` escapes). The page's script puts article text on the
page only as text nodes. A Content-Security-Policy allows exactly the report's own
style and script (by hash) and no network at all, so even a script that slipped in
would not run.
"""

from __future__ import annotations

import base64
import hashlib
from importlib.resources import files

import jinja2
from markupsafe import Markup

from dedupe.report.tables import Report
from dedupe.report.view import build

_TEMPLATES = files("dedupe.report") / "templates"
_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("dedupe.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
# Compact, sorted, and readable for non-Latin text (the filter escapes < > & ').
_ENV.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False,
                                      "separators": (",", ":")}


def render_html(report: Report) -> str:
    """The HTML report for a report.json value (as ``json.load`` gives it).

    Example:
        >>> html = render_html(load_report(Path("reports/report.json")))  # doctest: +SKIP
    """
    style = _resource("report.css")
    script = _resource("report.js")
    return _ENV.get_template("report.html.j2").render(
        v=build(report), style=Markup(style), script=Markup(script),
        style_hash=_csp_hash(style), script_hash=_csp_hash(script),
    )


def _resource(name: str) -> str:
    return (_TEMPLATES / name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")
