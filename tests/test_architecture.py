"""
Site-wide guards on the shape of the code (docs/architecture.md): each concern has one home
and the arrows run one way, from the pages and the curators' tools down to the domain.
"""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "resources"


def modules(*names):
    """The app's modules named (a package stands for every module in it)."""
    for name in names:
        path = APP / name
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]


def imported_names(path):
    """Every module `path` imports, as dotted names relative to the app where they are ours."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            package = path.relative_to(APP).parent.parts
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            names.add(module.removeprefix("resources.") if not node.level else module)
            names.update(f"{module}.{alias.name}".strip(".") for alias in node.names)
    return names


@pytest.mark.parametrize("name", ["admin", "imports", "search", "models", "seed"])
def test_nothing_but_the_pages_knows_about_the_page_cache(name):
    for path in modules(name):
        assert not [n for n in imported_names(path) if n.split(".")[0] == "cache"], path


def test_search_takes_a_query_and_returns_results_it_makes_no_page():
    for path in modules("search"):
        names = imported_names(path)
        assert not [n for n in names if n.startswith(("django.http", "django.core.paginator"))]
        assert "django.utils.safestring" not in names and "django.shortcuts" not in names


def test_the_domain_knows_nothing_above_it():
    above = ("views", "admin", "imports", "search", "cache", "forms", "feeds", "sitemaps")
    for path in modules("models", "validators"):
        assert not [n for n in imported_names(path) if n.split(".")[0] in above], path


def test_sitemaps_read_only_models_and_urls_read_views_only_to_route():
    assert {n for n in imported_names(APP / "sitemaps.py") if "." not in n} <= {"models"}
    for name in imported_names(APP / "urls.py"):
        assert not name.startswith("views.") or name.count(".") == 1  # a module, not a name


@pytest.mark.parametrize(
    "path", [p for p in APP.rglob("*.py") if "migrations" not in p.parts], ids=str
)
def test_no_module_grows_past_one_concern(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    if path.name == "models.py":
        return
    limit = 250 if "views" in path.parts else 450
    assert lines <= limit, f"{path.relative_to(APP)} has {lines} lines: split it by concern"
