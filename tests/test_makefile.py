"""What the Makefile promises: the targets the docs and skip messages send people to exist, and
the system packages it installs come without Debian's recommended extras."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
TARGETS = set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", MAKEFILE, re.MULTILINE))


def test_every_make_target_named_in_the_docs_and_tests_exists() -> None:
    """A skip message or README line that sends people to a make target names one that exists."""
    named: dict[str, str] = {}
    sources = [ROOT / "README.md", ROOT / ".ci" / "run", *(ROOT / "tests").rglob("*.py"), *(ROOT / "bot").rglob("*.py")]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r"`make ([a-z][\w-]*)|^make ([a-z][\w-]*)", text, re.MULTILINE):
            named.setdefault(target[0] or target[1], str(path.relative_to(ROOT)))
    assert named, "the pattern found no `make X` at all"
    missing = {target: where for target, where in named.items() if target not in TARGETS}
    assert not missing, f"named but not in the Makefile: {missing}"


def test_apt_installs_skip_recommended_packages() -> None:
    """Chromium's recommends are printer tools and a notification daemon; docker-compose's, a Docker engine."""
    installs = [i for i in re.findall(r"apt-get install[^;&)\n]*", MAKEFILE) if re.search(r"\s-\w*y", i)]  # not the hints
    assert installs, "the Makefile installs no system package any more: drop this test"
    for install in installs:
        assert "--no-install-recommends" in install, install
