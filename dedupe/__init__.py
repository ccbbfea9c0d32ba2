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
from dedupe.read import Corpus, InputError, read_inputs  # noqa: E402
from dedupe.records import Article, Boilerplate, Cluster, Pair, Passage, Skip  # noqa: E402
from dedupe.scan import ScanResult, scan  # noqa: E402

__all__ = [
    "Article", "Boilerplate", "Cluster", "Config", "Corpus", "InputError", "Pair", "Passage",
    "ScanResult", "Skip", "__version__", "read_inputs", "scan",
]
