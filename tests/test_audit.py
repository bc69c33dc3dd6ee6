"""The CI's advisory check (.ci/audit.py) with the feed's answers faked: it must be able to fail,
and it must say which packages it could not audit."""

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "audit", Path(__file__).resolve().parent.parent / ".ci" / "audit.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

VULN = {"id": "GHSA-xxxx", "fixed_in": ["2.0"], "withdrawn": None}
PROJECT = {  # the project's page: advisories of its latest release
    "good": {"info": {"version": "1.0"}, "vulnerabilities": []},
    "bad": {"info": {"version": "1.0"}, "vulnerabilities": [VULN]},
    "old": {"info": {"version": "9.0"}, "vulnerabilities": []},
    "gone": {"info": {"version": "1.0"},
             "vulnerabilities": [dict(VULN, withdrawn="2026-01-01T00:00:00")]},
}


class MirrorFeed:
    """A feed with no per-version records (as on the development machines)."""

    def per_version(self, name, version):
        if name == "down":
            raise ConnectionError("no route")
        return None

    def project(self, name):
        return PROJECT.get(name)


def run(monkeypatch, capsys, packages, feed=MirrorFeed):
    monkeypatch.setattr(audit, "installed", lambda python: packages)
    monkeypatch.setattr(audit, "Feed", feed)
    code = audit.main([])
    return code, capsys.readouterr().out


def test_latest_release_with_an_advisory_fails(monkeypatch, capsys):
    code, out = run(monkeypatch, capsys, {"good": "1.0", "bad": "1.0"})
    assert code == 1 and "ADVISORY bad==1.0: GHSA-xxxx" in out


def test_clean_and_withdrawn_pass_and_the_unaudited_are_listed(monkeypatch, capsys):
    code, out = run(monkeypatch, capsys, {"good": "1.0", "gone": "1.0", "old": "1.0",
                                          "down": "1.0"})
    assert code == 0 and "audited 2 of 4 packages" in out
    assert "  NOT AUDITED old==1.0" in out and "not the latest release" in out
    assert "  NOT AUDITED down==1.0" in out and "did not answer (ConnectionError)" in out


def test_nothing_auditable_is_not_a_pass(monkeypatch, capsys):
    assert run(monkeypatch, capsys, {"old": "1.0"})[0] == 2
    assert run(monkeypatch, capsys, {"down": "1.0"})[0] == 2


def test_per_version_answer_is_used_when_available():
    class Full(MirrorFeed):
        def per_version(self, name, version):
            return [VULN]

    assert audit.advisories(Full(), "any", "0.1") == [VULN]


def test_no_address_is_written_in_the_script():
    text = (Path(audit.__file__)).read_text()
    assert "https://" not in text and "http://" not in text
