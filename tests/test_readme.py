"""The README stays short and true to the tree: its length, its layout table, its links and those of docs/."""

import re
import subprocess

import pytest

from sim.engine.mechanisms import MECHANISMS
from tests.conftest import REPO

README = REPO / "README.md"
MAX_README_LINES = 200
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _prose(text: str) -> str:
    """The text without fenced code blocks and code spans, where a bracket is code, not a link."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def relative_links(text: str) -> list[str]:
    """The targets of a Markdown text's relative links and images, without their anchors."""
    targets = []
    for target in LINK.findall(_prose(text)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            continue  # a URL (https:, mailto:) or an anchor in the same page
        targets.append(target.split("#", 1)[0])
    return targets


def layout_paths(text: str) -> list[str]:
    """The paths in the first column of the README's Layout table (`sim/engine/` -> ``sim/engine``)."""
    section = text.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]  # after the header and rule
    return [re.fullmatch(r"`([^`]+)`", row.split("|")[1].strip()).group(1).rstrip("/") for row in rows]


def tracked_files() -> list[str]:
    listing = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True)
    return listing.stdout.splitlines()


def test_the_readme_is_at_most_200_lines():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines; move the detail to a docs/ page"


@pytest.mark.parametrize("page", [README, *sorted((REPO / "docs").glob("*.md"))], ids=lambda p: p.name)
def test_every_relative_link_resolves_to_a_file_in_the_repository(page):
    broken = []
    for target in relative_links(page.read_text(encoding="utf-8")):
        path = (page.parent / target).resolve()
        if not path.is_relative_to(REPO) or not path.exists():
            broken.append(target)
    assert not broken, f"{page.relative_to(REPO)} links to what is not in the repository: {broken}"


def test_the_layout_table_lists_the_top_level_folders_and_the_subpackages_of_sim():
    paths = layout_paths(README.read_text(encoding="utf-8"))
    assert len(paths) == len(set(paths)), f"a path is listed twice: {paths}"
    files = tracked_files()
    folders = {f.split("/")[0] for f in files if "/" in f and not f.startswith(".")}
    assert {p for p in paths if "/" not in p} == folders
    packages = {f.split("/")[1] for f in files if re.fullmatch(r"sim/[^/]+/__init__\.py", f)}
    listed = {p.split("/")[1] for p in paths if p.startswith("sim/")}
    assert listed == packages
    for path in paths:
        assert (REPO / path).is_dir(), f"the layout lists {path}/, which is not a folder"


def test_the_readme_names_every_registered_mechanism():
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## The model\n", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"`([a-z_]+)`", section.split("`MECHANISMS` order:", 1)[1].split(".\n", 1)[0])
    assert named == [m.name for m in MECHANISMS]


def test_the_configs_guide_lists_every_preset():
    guide = (REPO / "docs" / "guide-configs.md").read_text(encoding="utf-8")
    presets = sorted(p.name for p in (REPO / "configs").glob("*.yaml"))
    assert [p for p in presets if f"configs/{p}" not in guide and f"`{p}`" not in guide] == []


def test_the_link_finder_skips_code_urls_and_anchors():
    text = ("[a](docs/a.md#x) ![b](b.png) [c](https://x.org) [d](#here) `[e](f.md)`\n"
            "```\n[g](h.md)\n```\n")
    assert relative_links(text) == ["docs/a.md", "b.png"]
