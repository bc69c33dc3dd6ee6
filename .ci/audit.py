"""Known advisories for the packages installed in an environment, from PyPI's JSON API.

    python .ci/audit.py --python .venv-app/bin/python

pip-audit asks ``https://pypi.org/pypi/<name>/<version>/json``. Where that answers, use
pip-audit. Where only the project endpoint ``/pypi/<name>/json`` answers (as on the development
machines), its ``vulnerabilities`` describe the latest release, so every package pinned at its
latest release is audited from there and any other is listed as not audited. Exits 1 if any
audited package has a known advisory (withdrawn ones aside), 2 if nothing could be audited.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import urllib.error
import urllib.request

PYPI = "https://pypi.org/pypi"
TOOLS = ("pip", "setuptools", "wheel")


def installed(python: str) -> dict[str, str]:
    """``{name: version}`` of what ``python``'s environment has, except the installer's own
    tools (pip, setuptools, wheel: a fresh venv's bundled copies, which the app never imports)."""
    out = subprocess.run([python, "-m", "pip", "list", "--format", "json"], check=True,
                         capture_output=True, text=True).stdout
    return {p["name"]: p["version"] for p in json.loads(out) if p["name"] not in TOOLS}


def fetch(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def advisories(name: str, version: str) -> list[dict] | None:
    """Known advisories for ``name==version``; None if PyPI cannot tell for that version."""
    data = fetch(f"{PYPI}/{name}/{version}/json")
    if data is None:
        data = fetch(f"{PYPI}/{name}/json")
        if data is None or data["info"]["version"] != version:
            return None
    return [v for v in data.get("vulnerabilities") or [] if not v.get("withdrawn")]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python .ci/audit.py", description=__doc__.split("\n")[0])
    p.add_argument("--python", default=sys.executable, help="interpreter of the environment")
    a = p.parse_args(argv)
    found, unaudited, audited = [], [], 0
    for name, version in sorted(installed(a.python).items()):
        vulns = advisories(name, version)
        if vulns is None:
            unaudited.append(f"{name}=={version}")
            continue
        audited += 1
        found += [f"{name}=={version}: {v.get('id')} (fixed in {v.get('fixed_in')})"
                  for v in vulns]
    print(f"audited {audited} packages; known advisories: {len(found)}")
    for line in found:
        print("  ADVISORY", line)
    if unaudited:
        print("not audited (not the latest release; PyPI's per-version data is unreachable):",
              ", ".join(unaudited))
    return 1 if found else 0 if audited else 2


if __name__ == "__main__":
    sys.exit(main())
