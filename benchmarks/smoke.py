"""A newcomer's check: `streamlit run app.py` starts and reads a drawn digit correctly.

    python -m benchmarks.smoke [--app-python PATH]

``--app-python`` runs the app with another interpreter, e.g. a virtual environment holding only
``requirements.txt`` (no TensorFlow), as a user or Streamlit Community Cloud installs it; the
browser is driven from this one. Draws three pen-drawn samples from ``tests/support/data`` and
exits 1 unless each Prediction shown is right and no page shows an exception.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from playwright.sync_api import sync_playwright

from lenet5.eval import browser as B


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.smoke")
    p.add_argument("--app-python", default=sys.executable, help="interpreter running the app")
    a = p.parse_args(argv)
    version = subprocess.run([a.app_python, "-c", "import sys; print(sys.version.split()[0])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    print(f"the app runs on Python {version} ({a.app_python})")  # the CI log says which
    samples = B.pen_samples()[::7]
    failures = []
    with sync_playwright() as pw, B.serve(python=a.app_python) as (url, _):
        browser, context = B.launch(pw)
        page = context.new_page()
        reruns = B.Reruns(page)
        box = B.open_app(page, url)
        for sample in samples:
            t_up = B.draw(page, B.to_canvas(sample["strokes"], box))
            reruns.wait(page, t_up)
            page.locator(B.METRIC_VALUE).first.wait_for(timeout=10_000)
            shown, label = B.metric(page), str(sample["label"])
            print(f"drew a {label}: the app reads {shown}")
            if shown != label or page.locator(B.EXCEPTION).count():
                failures.append(label)
            B.reset(page, reruns)
        browser.close()
    if failures:
        print(f"FAILED: {failures}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
