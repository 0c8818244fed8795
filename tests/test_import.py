import json

import pytest
from django.core.management import CommandError, call_command

from resources.imports import ImportFailed, import_lines
from resources.models import Collection, Creator, Resource, Topic
from tests.helpers import make_resource

pytestmark = pytest.mark.django_db


def line(**fields):
    return json.dumps({"kind": "book", **fields})


def good_lines(count):
    return [
        line(
            title=f"Book number {n}",
            creators=[{"name": f"Author {n % 3}", "role": "author"}],
            topics=["grief", "the first session"],
            year=1990 + n,
        )
        for n in range(count)
    ]


def snapshot():
    return sorted(Resource.objects.values_list("kind", "slug", "title", "updated_at"))


def test_a_file_with_three_bad_lines_imports_nothing_and_names_each_line(tmp_path, capsys):
    make_resource(title="Already here")
    before = snapshot()
    lines = good_lines(20)
    lines[3] = line(title="Bad year", year="nineteen")
    lines[11] = '{"kind": "book", "title": "Broken JSON"'
    lines[17] = json.dumps({"kind": "quote", "colour": "blue"})
    path = tmp_path / "library.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(CommandError, match="3 bad line"):
        call_command("import_resources", str(path))

    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3
    assert errors[0].startswith(f"{path}:4: year:")
    assert errors[1].startswith(f"{path}:12: not valid JSON")
    assert errors[2].startswith(f"{path}:18:") and "colour: unknown key" in errors[2]
    assert "text: a quote needs its words" in errors[2]
    assert snapshot() == before
    assert not Creator.objects.exists()
    assert not Topic.objects.exists()


def test_a_good_file_imports_everything_and_reimporting_it_changes_nothing(tmp_path):
    path = tmp_path / "library.jsonl"
    path.write_text("\n".join(good_lines(20)) + "\n", encoding="utf-8")
    call_command("import_resources", str(path))
    assert Resource.objects.count() == 20
    assert Creator.objects.count() == 3
    assert set(Topic.objects.values_list("name", flat=True)) == {"grief", "the first session"}
    before = snapshot()

    result = import_lines(path.read_text(encoding="utf-8").splitlines())
    assert (result.created, result.updated, result.unchanged) == (0, 0, 20)
    assert snapshot() == before


def test_dry_run_reports_but_writes_nothing(tmp_path, capsys):
    path = tmp_path / "library.jsonl"
    path.write_text("\n".join(good_lines(2)) + "\n", encoding="utf-8")
    call_command("import_resources", str(path), "--dry-run")
    assert "Would import: 2 new" in capsys.readouterr().out
    assert not Resource.objects.exists()


def test_export_then_import_into_an_empty_database_then_export_is_byte_identical(seed, tmp_path):
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    call_command("export_resources", "--output", str(first))
    Collection.objects.all().delete()
    Resource.objects.all().delete()
    Creator.objects.all().delete()
    Topic.objects.all().delete()

    call_command("import_resources", str(first))
    call_command("export_resources", "--output", str(second))
    assert first.read_bytes() == second.read_bytes()
    assert len(first.read_text(encoding="utf-8").splitlines()) == 11


def test_export_writes_the_contract_keys_in_a_stable_order(seed, capsys):
    call_command("export_resources")
    records = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    book = next(r for r in records if r["slug"] == "the-examined-life")
    assert list(book) == [
        "kind",
        "slug",
        "title",
        "subtitle",
        "creators",
        "year",
        "topics",
        "perspective",
        "summary",
        "status",
    ]
    quote = next(r for r in records if r["slug"] == "bion-emotional-storm")
    assert quote["text"] == "When two people meet, an emotional storm is created."
    assert quote["featured"] is True


def test_a_line_matches_an_existing_resource_by_isbn_or_url():
    existing = make_resource(title="Old title", slug="kept-slug", isbn="9780306406157")
    video = make_resource("video", title="A talk", url="https://vimeo.com/76979871")
    import_lines(
        [
            line(title="New title", isbn="0-306-40615-2"),
            json.dumps(
                {"kind": "video", "title": "Renamed talk", "url": "https://vimeo.com/76979871"}
            ),
        ]
    )
    existing.refresh_from_db()
    video.refresh_from_db()
    assert (existing.title, existing.slug) == ("New title", "kept-slug")
    assert video.title == "Renamed talk"
    assert Resource.objects.count() == 2


def test_a_quote_gets_its_title_from_its_text_and_is_linked_to_its_source_book():
    import_lines(
        [
            json.dumps(
                {"kind": "quote", "text": "Words  from\nthe book.", "source_title": "a book"}
            ),
            line(title="A Book"),
        ]
    )
    quote = Resource.objects.get(kind="quote")
    assert quote.title == "Words from the book."
    assert quote.source == Resource.objects.get(kind="book")


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"kind": "essay", "title": "T"}, "kind: must be one of book, video, article, quote"),
        ({"kind": "book"}, "title: required"),
        ({"kind": "book", "title": "T", "isbn": "123"}, "isbn: Enter an ISBN-13"),
        ({"kind": "book", "title": "T", "url": "javascript:alert(1)"}, "url: must be an http"),
        ({"kind": "book", "title": "T", "status": "live"}, "status: must be one of"),
        ({"kind": "book", "title": "T", "perspective": "x"}, "perspective: must be one of"),
        ({"kind": "video", "title": "T", "isbn": "9780306406157"}, "isbn: applies only to books"),
        ({"kind": "article", "title": "T", "published_on": "2015-13-01"}, "published_on:"),
        ({"kind": "book", "title": "T", "creators": [{"name": "A", "role": "star"}]}, "role"),
        ({"kind": "book", "title": "T", "topics": "grief"}, "topics: must be a list"),
        ({"kind": "book", "title": "T", "featured": "yes"}, "featured: must be true or false"),
        ({"kind": "book", "title": "T", "slug": "no spaces"}, "slug: use only letters"),
        ({"kind": "book", "title": "T", "pages": True}, "pages: must be a whole number"),
    ],
)
def test_bad_values_are_errors_that_name_the_field(record, expected):
    with pytest.raises(ImportFailed) as failure:
        import_lines([json.dumps(record)])
    [(number, message)] = failure.value.errors
    assert number == 1
    assert expected in message


def test_two_lines_with_the_same_slug_are_an_error():
    with pytest.raises(ImportFailed) as failure:
        import_lines([line(title="Same"), line(title="Same")])
    assert failure.value.errors == [(2, "slug: 'same' is already used by line 1 for a book")]


def test_an_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_resources", str(tmp_path / "missing.jsonl"))
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_resources", str(binary))


def test_the_seed_library_has_the_works_of_the_design(seed):
    books = dict(Resource.objects.filter(kind="book").values_list("title", "credit__creator__name"))
    assert set(books) == {
        "Letters to a Young Poet",
        "Love's Executioner",
        "The Gift of Therapy",
        "Every Day Gets a Little Closer",
        "Creatures of a Day",
        "The Examined Life",
        "Wisdom from the Couch",
    }
    assert books["The Examined Life"] == "Stephen Grosz"
    elkin = Resource.objects.get(slug="every-day-gets-a-little-closer")
    assert [c.creator.name for c in elkin.credits_in_order()] == ["Irvin D. Yalom", "Ginny Elkin"]
    assert Resource.objects.filter(kind="video", title="Moments of Meaning").exists()
    assert Resource.objects.filter(kind="article", publication="Psychology Today").exists()
    assert Resource.objects.filter(kind="quote").count() >= 2
    assert not Resource.objects.exclude(isbn="").exists()  # no ISBN is known for certain
    assert Topic.objects.get(slug="what-therapy-is-like").alias_list[-1] == "talk therapy"
    start_here = Collection.objects.get(slug="start-here")
    assert start_here.steps.count() == 5


def test_loading_the_seed_twice_changes_nothing(seed, capsys):
    before = snapshot()
    call_command("load_seed")
    assert "already has 11 resources" in capsys.readouterr().out
    call_command("load_seed", "--force")
    assert snapshot() == before


def test_an_isbn_that_belongs_to_another_book_is_an_error():
    make_resource(title="First", slug="first", isbn="9780306406157")
    make_resource(title="Second", slug="second")
    with pytest.raises(ImportFailed) as failure:
        import_lines([line(title="Second", slug="second", isbn="0-306-40615-2")])
    assert failure.value.errors == [(1, "isbn: 9780306406157 already belongs to 'first'")]


def test_two_lines_that_match_one_resource_are_an_error():
    make_resource(title="Kept", slug="kept", isbn="9780306406157")
    with pytest.raises(ImportFailed) as failure:
        import_lines([line(title="Kept"), line(title="Other", isbn="9780306406157")])
    assert failure.value.errors == [(2, "matches the same resource as line 1")]


def test_a_long_import_is_written_in_batches_with_progress(monkeypatch):
    from resources.imports import writer

    monkeypatch.setattr(writer, "BATCH_SIZE", 7)
    seen = []
    lines = good_lines(20)
    import_lines(lines, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(7, 20), (14, 20), (20, 20)]
    assert Resource.objects.count() == 20
    result = import_lines(lines)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 20)


def test_changing_only_topics_or_creators_updates_the_resource():
    import_lines([line(title="T", topics=["grief"], creators=[{"name": "Ann"}])])
    result = import_lines([line(title="T", topics=["loss"], creators=[{"name": "Bo"}])])
    assert result.updated == 1
    book = Resource.objects.get()
    assert list(book.topics.names()) == ["loss"]
    assert [c.creator.name for c in book.credits_in_order()] == ["Bo"]
