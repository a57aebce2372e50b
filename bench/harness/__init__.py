"""Shared scaffolding of the benchmarks in bench/: the machine, the server process, wrk, py-spy, the output.

The benchmark scripts are run by path (`python bench/<script>.py`), which puts bench/ first on `sys.path`, so
they import this package as `harness`.
"""
