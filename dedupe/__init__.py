"""dedupe: near-duplicate and syndication detection for article corpora.

Example:
    >>> from dedupe import read_inputs, scan
    >>> result = scan(read_inputs(["seeds/"]).articles)  # doctest: +SKIP
"""

import logging
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dedupe")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

logging.getLogger(__name__).addHandler(logging.NullHandler())

from dedupe.config import Config  # noqa: E402
from dedupe.index import Index  # noqa: E402
from dedupe.ingest import ingest_filter, passes  # noqa: E402
from dedupe.read import Corpus, InputError, read_inputs  # noqa: E402
from dedupe.records import (  # noqa: E402
    Article,
    Boilerplate,
    Cluster,
    Match,
    Pair,
    Passage,
    Skip,
    Verdict,
)
from dedupe.scan import ScanResult, scan  # noqa: E402

__all__ = [
    "Article", "Boilerplate", "Cluster", "Config", "Corpus", "Index", "InputError", "Match",
    "Pair", "Passage", "ScanResult", "Skip", "Verdict", "__version__", "ingest_filter",
    "passes", "read_inputs", "scan",
]
