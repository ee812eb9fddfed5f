"""Benchmarks of the appliance against its baselines, measured side by side in one run.

`python -m bench.run [--quick]` runs every section and writes
`bench/results/<date>.json` and `bench/results/<date>.md`. Speed is measured here and
never asserted in tests.
"""
