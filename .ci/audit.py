"""Known advisories for the packages installed in an environment, from pip-audit's feed.

    python .ci/audit.py --python .venv-app/bin/python

Asks pip-audit's own advisory service (``pip_audit``'s PyPI service, at the address pip-audit
is configured with: none is written here) about each installed package and version. Where the
feed has no record of that version (a mirror may keep only each project's current page), the
project's page, at the same address without the version, describes its latest release, so a
package pinned at its latest release is audited from there. Every package that could not be
audited is listed with why. Exits 1 if any audited package has a known advisory (withdrawn
ones aside), 2 if nothing could be audited, else 0.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

TOOLS = ("pip", "setuptools", "wheel")
TIMEOUT = 30  # s per request


def installed(python: str) -> dict[str, str]:
    """``{name: version}`` of what ``python``'s environment has, except the installer's own
    tools (pip, setuptools, wheel: a fresh venv's bundled copies, which the app never imports)."""
    out = subprocess.run([python, "-m", "pip", "list", "--format", "json"], check=True,
                         capture_output=True, text=True).stdout
    return {p["name"]: p["version"] for p in json.loads(out) if p["name"] not in TOOLS}


class Feed:
    """pip-audit's advisory service, with the address of each request it makes recorded so
    that the project page is asked at the same place."""

    def __init__(self) -> None:
        from pip_audit._service.pypi import PyPIService

        self.service = PyPIService(timeout=TIMEOUT)
        self.session, self.last_url = self.service.session, ""
        get = self.session.get

        def recorded(url: str, **kwargs):
            self.last_url = url
            return get(url=url, **kwargs)

        self.session.get = recorded

    def per_version(self, name: str, version: str) -> list[dict] | None:
        """Advisories for ``name==version``; None if the feed has no record of that version."""
        from packaging.version import Version
        from pip_audit._service.interface import ResolvedDependency, SkippedDependency

        spec, vulns = self.service.query(ResolvedDependency(name=name, version=Version(version)))
        if isinstance(spec, SkippedDependency):
            return None
        return [{"id": v.id, "fixed_in": [str(f) for f in v.fix_versions]} for v in vulns]

    def project(self, name: str) -> dict | None:
        """The project's page (``info.version`` is its latest release); None if absent."""
        base = self.last_url.rsplit("/", 3)[0]  # .../<name>/<version>/json -> ...
        response = self.session.get(url=f"{base}/{name}/json", timeout=TIMEOUT)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()


def advisories(feed, name: str, version: str) -> list[dict] | None:
    """Known advisories for ``name==version``; None if the feed cannot tell for that version."""
    found = feed.per_version(name, version)
    if found is not None:
        return found
    data = feed.project(name)
    if data is None or data["info"]["version"] != version:
        return None
    return [v for v in data.get("vulnerabilities") or [] if not v.get("withdrawn")]


def audit(feed, packages: dict[str, str]) -> tuple[list[str], dict[str, list[str]], int]:
    """``(advisory lines, {why: [name==version not audited]}, number audited)``."""
    found, unaudited, audited = [], {}, 0
    for name, version in sorted(packages.items()):
        try:
            vulns = advisories(feed, name, version)
        except Exception as exc:  # no answer: requests', pip-audit's own and OS errors alike
            why = f"the advisory feed did not answer ({type(exc).__name__})"
            unaudited.setdefault(why, []).append(f"{name}=={version}")
            continue
        if vulns is None:
            why = "the feed has no record of this version, and it is not the latest release"
            unaudited.setdefault(why, []).append(f"{name}=={version}")
            continue
        audited += 1
        found += [f"{name}=={version}: {v.get('id')} (fixed in {v.get('fixed_in')})"
                  for v in vulns]
    return found, unaudited, audited


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python .ci/audit.py", description=__doc__.split("\n")[0])
    p.add_argument("--python", default=sys.executable, help="interpreter of the environment")
    a = p.parse_args(argv)
    packages = installed(a.python)
    found, unaudited, audited = audit(Feed(), packages)
    print(f"audited {audited} of {len(packages)} packages; known advisories: {len(found)}")
    for line in found:
        print("  ADVISORY", line)
    for why, names in unaudited.items():
        print(f"NOT AUDITED ({len(names)} of {len(packages)}; {why}):")
        for name in names:
            print("  NOT AUDITED", name)
    return 1 if found else 0 if audited else 2


if __name__ == "__main__":
    sys.exit(main())
