"""Coverage-guided fuzz targets (atheris) for the readers, the scan and ``dedupe check``.

Run with ``python3 -m fuzz TARGET``; docs/fuzzing.md explains. The targets themselves
(`fuzz.targets`) need no atheris, so the tests replay the seed and regression inputs.
"""
