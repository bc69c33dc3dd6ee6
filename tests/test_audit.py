"""The CI's advisory check (.ci/audit.py) with PyPI's answers faked: it must be able to fail."""

import importlib.util
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location(
    "audit", Path(__file__).resolve().parent.parent / ".ci" / "audit.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

VULN = {"id": "GHSA-xxxx", "fixed_in": ["2.0"], "withdrawn": None}
PROJECT = {  # what /pypi/<name>/json answers: advisories of the latest release
    "good": {"info": {"version": "1.0"}, "vulnerabilities": []},
    "bad": {"info": {"version": "1.0"}, "vulnerabilities": [VULN]},
    "old": {"info": {"version": "9.0"}, "vulnerabilities": []},
    "gone": {"info": {"version": "1.0"},
             "vulnerabilities": [dict(VULN, withdrawn="2026-01-01T00:00:00")]},
}


@pytest.fixture
def pypi(monkeypatch):
    def fetch(url):
        name, *rest = url.removeprefix(audit.PYPI + "/").split("/")
        return None if len(rest) == 2 else PROJECT.get(name)  # per-version endpoint: 404
    monkeypatch.setattr(audit, "fetch", fetch)


def run(monkeypatch, capsys, packages):
    monkeypatch.setattr(audit, "installed", lambda python: packages)
    code = audit.main([])
    return code, capsys.readouterr().out


def test_latest_release_with_an_advisory_fails(pypi, monkeypatch, capsys):
    code, out = run(monkeypatch, capsys, {"good": "1.0", "bad": "1.0"})
    assert code == 1 and "ADVISORY bad==1.0: GHSA-xxxx" in out


def test_clean_and_withdrawn_pass_and_older_releases_are_listed(pypi, monkeypatch, capsys):
    code, out = run(monkeypatch, capsys, {"good": "1.0", "gone": "1.0", "old": "1.0"})
    assert code == 0 and "audited 2 packages" in out and "not audited" in out and "old" in out


def test_nothing_auditable_is_not_a_pass(pypi, monkeypatch, capsys):
    assert run(monkeypatch, capsys, {"old": "1.0"})[0] == 2


def test_per_version_answer_is_used_when_available(monkeypatch):
    monkeypatch.setattr(audit, "fetch", lambda url: {"info": {"version": "0.1"},
                                                    "vulnerabilities": [VULN]})
    assert audit.advisories("any", "0.1") == [VULN]
