"""Fixtures for the credmatch Python module tests.

ctest sets CREDMATCH_CLI (the built `credmatch` binary), CREDMATCH_TEST_DATA (tests/data) and
PYTHONPATH (the built module's folder). The fixture catalog is built once per test session with
`credmatch build`, as tests/fixture_catalog.h does for the C++ tests.
"""
import json
import os
import subprocess

import pytest


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run these tests through ctest (python/CMakeLists.txt)", 2)
    return value


@pytest.fixture(scope="session")
def cli():
    """Runs the `credmatch` binary; returns (exit code, stdout, stderr)."""
    path = _env("CREDMATCH_CLI")

    def run(*args):
        r = subprocess.run([path, *args], capture_output=True, text=True, timeout=120)
        return r.returncode, r.stdout, r.stderr

    return run


@pytest.fixture(scope="session")
def fixture_data():
    return os.path.join(_env("CREDMATCH_TEST_DATA"), "match")


@pytest.fixture(scope="session")
def catalog_dir(tmp_path_factory, cli, fixture_data):
    out = str(tmp_path_factory.mktemp("catalog") / "catalog")
    inputs = [os.path.join(fixture_data, f) for f in ("credentials.jsonl", "jobs.jsonl", "skills.jsonl")]
    code, _, err = cli("build", "--catalog", out, "--dim", "16", *inputs)
    assert code == 0, err
    return out


@pytest.fixture(scope="session")
def cat(catalog_dir):
    import credmatch

    return credmatch.Catalog(catalog_dir)


@pytest.fixture(scope="session")
def cli_json(cli, catalog_dir):
    """Runs a verb with --json on the fixture catalog and returns the parsed output."""

    def run(*args, expect=0):
        code, out, err = cli("--catalog", catalog_dir, "--json", *args)
        assert code == expect, err
        return json.loads(out)

    return run
