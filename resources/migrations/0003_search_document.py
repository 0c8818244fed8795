"""
The search document (resources/search.py).

On every backend: a nullable `search_document` column. On PostgreSQL only:

- the pg_trgm and unaccent extensions and a `library_english` text search configuration
  (English stemming that also folds accents, so "Jurgen" finds "Jürgen");
- `resources_search_document(row)`, the weighted tsvector of one resource: A for the title,
  subtitle, topic names and aliases; B for creator names; C for the curator's summary and a
  quote's words; D for the transcript, publication, series and source;
- triggers that keep it up to date whatever writes the rows (the admin and its inlines,
  `resource.topics.set()`, the importer, `QuerySet.update()`, raw SQL). Renaming a topic or a
  creator refreshes every resource that uses it in one UPDATE statement;
- a GIN index on the document and trigram indexes for typo tolerance and title matches.

On SQLite the column stays empty and nothing else is created: its search reads the fields.
"""

import django.contrib.postgres.search
from django.db import migrations

FORWARD_SQL = r"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'library_english') THEN
        CREATE TEXT SEARCH CONFIGURATION library_english (COPY = english);
        ALTER TEXT SEARCH CONFIGURATION library_english
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION resources_search_document(r resources_resource)
RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT
        setweight(to_tsvector('library_english',
            concat_ws(' ', r.title, r.subtitle, topics.words)), 'A')
        || setweight(to_tsvector('library_english', coalesce(people.names, '')), 'B')
        || setweight(to_tsvector('library_english',
            concat_ws(' ', r.summary, r.quote_text)), 'C')
        || setweight(to_tsvector('library_english',
            concat_ws(' ', r.transcript, r.publication, r.series, r.source_title)), 'D')
    FROM
        (SELECT string_agg(t.name || ' , ' || replace(t.aliases, ',', ' , '), ' , ') AS words
           FROM resources_taggedtopic tt JOIN resources_topic t ON t.id = tt.tag_id
          WHERE tt.content_object_id = r.id) AS topics,
        (SELECT string_agg(c.name, ' , ') AS names
           FROM resources_credit cr JOIN resources_creator c ON c.id = cr.creator_id
          WHERE cr.resource_id = r.id) AS people
$$;

-- A resource's own fields changed: recompute its document before the row is written.
CREATE OR REPLACE FUNCTION resources_resource_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_document := resources_search_document(NEW);
    RETURN NEW;
END
$$;

CREATE TRIGGER resource_search_document
    BEFORE INSERT OR UPDATE OF title, subtitle, summary, quote_text, transcript, publication,
        series, source_title
    ON resources_resource
    FOR EACH ROW EXECUTE FUNCTION resources_resource_search_trigger();

-- A topic or credit link was added, changed or removed: refresh the resource(s) it links.
CREATE OR REPLACE FUNCTION resources_link_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_TABLE_NAME = 'resources_taggedtopic' THEN
        ids := ARRAY[CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.content_object_id END,
                     CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.content_object_id END];
    ELSE
        ids := ARRAY[CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.resource_id END,
                     CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.resource_id END];
    END IF;
    UPDATE resources_resource r SET search_document = resources_search_document(r)
     WHERE r.id = ANY(ids);
    RETURN NULL;
END
$$;

CREATE TRIGGER taggedtopic_search_document
    AFTER INSERT OR UPDATE OR DELETE ON resources_taggedtopic
    FOR EACH ROW EXECUTE FUNCTION resources_link_search_trigger();

CREATE TRIGGER credit_search_document
    AFTER INSERT OR UPDATE OR DELETE ON resources_credit
    FOR EACH ROW EXECUTE FUNCTION resources_link_search_trigger();

-- A topic or a creator was renamed: one UPDATE for every resource that uses it.
CREATE OR REPLACE FUNCTION resources_topic_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE resources_resource r SET search_document = resources_search_document(r)
      FROM resources_taggedtopic tt
     WHERE tt.content_object_id = r.id AND tt.tag_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER topic_search_document
    AFTER UPDATE OF name, aliases ON resources_topic
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.aliases IS DISTINCT FROM NEW.aliases)
    EXECUTE FUNCTION resources_topic_search_trigger();

CREATE OR REPLACE FUNCTION resources_creator_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE resources_resource r SET search_document = resources_search_document(r)
     WHERE r.id IN (SELECT cr.resource_id FROM resources_credit cr
                     WHERE cr.creator_id = NEW.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER creator_search_document
    AFTER UPDATE OF name ON resources_creator
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION resources_creator_search_trigger();

UPDATE resources_resource r SET search_document = resources_search_document(r);

-- Full-text search: `search_document @@ query`.
CREATE INDEX resource_search_idx ON resources_resource USING gin (search_document);
-- Title matches (`UPPER(title) LIKE 'THE EXAMINED LIFE%'`, the form Django's iexact and
-- istartswith take) and "Did you mean" candidates from titles (`word <% UPPER(title)`).
CREATE INDEX resource_title_trgm_idx ON resources_resource
    USING gin ((UPPER(title::text)) gin_trgm_ops);
-- "Did you mean" candidates from creators' names.
CREATE INDEX creator_name_trgm_idx ON resources_creator
    USING gin ((UPPER(name::text)) gin_trgm_ops);
"""

REVERSE_SQL = r"""
DROP INDEX IF EXISTS creator_name_trgm_idx;
DROP INDEX IF EXISTS resource_title_trgm_idx;
DROP INDEX IF EXISTS resource_search_idx;
DROP TRIGGER IF EXISTS creator_search_document ON resources_creator;
DROP TRIGGER IF EXISTS topic_search_document ON resources_topic;
DROP TRIGGER IF EXISTS credit_search_document ON resources_credit;
DROP TRIGGER IF EXISTS taggedtopic_search_document ON resources_taggedtopic;
DROP TRIGGER IF EXISTS resource_search_document ON resources_resource;
DROP FUNCTION IF EXISTS resources_creator_search_trigger();
DROP FUNCTION IF EXISTS resources_topic_search_trigger();
DROP FUNCTION IF EXISTS resources_link_search_trigger();
DROP FUNCTION IF EXISTS resources_resource_search_trigger();
DROP FUNCTION IF EXISTS resources_search_document(resources_resource);
DROP TEXT SEARCH CONFIGURATION IF EXISTS library_english;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD_SQL, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0002_curators_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="resource",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forward, reverse),
    ]
