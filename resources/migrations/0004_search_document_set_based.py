"""
Refresh search documents a statement at a time, set-based; let a bulk import defer them.

Migration 0003 refreshed a resource's document once per changed topic link or credit row,
each time with correlated subqueries: importing 100,000 resources with three topics and a
credit each took about 8 minutes. Here:

- `resources_refresh_search_documents(ids)` rebuilds the documents of many resources in one
  UPDATE, joining their topics and creators once (about 20 times faster per row);
- the triggers on topic links and credits are statement-level: they see every changed row of
  a statement in a transition table and make one call for all affected resources; renaming a
  topic or a creator makes one call too;
- a transaction that sets `library.defer_search_documents` to 'on' (SET LOCAL, so it ends
  with the transaction) skips the triggers and refreshes documents itself: the importer does,
  once per batch (resources/imports.py).

The document itself is unchanged (weights A: title, subtitle, topics and aliases; B: creators;
C: summary and quote; D: transcript, publication, series, source). PostgreSQL only, like 0003.
"""

from django.db import migrations

FORWARD_SQL = r"""
DROP TRIGGER IF EXISTS taggedtopic_search_document ON resources_taggedtopic;
DROP TRIGGER IF EXISTS credit_search_document ON resources_credit;
DROP FUNCTION IF EXISTS resources_link_search_trigger();

-- The one definition of a document, from its parts.
CREATE OR REPLACE FUNCTION resources_search_vector(
    title text, subtitle text, topic_words text, people_names text, summary text,
    quote_text text, transcript text, publication text, series text, source_title text)
RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('library_english', concat_ws(' ', title, subtitle, topic_words)), 'A')
        || setweight(to_tsvector('library_english', coalesce(people_names, '')), 'B')
        || setweight(to_tsvector('library_english', concat_ws(' ', summary, quote_text)), 'C')
        || setweight(to_tsvector('library_english',
            concat_ws(' ', transcript, publication, series, source_title)), 'D')
$$;

-- One row's document (the BEFORE trigger on resources_resource uses it).
CREATE OR REPLACE FUNCTION resources_search_document(r resources_resource)
RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT resources_search_vector(r.title, r.subtitle,
        (SELECT string_agg(t.name || ' , ' || replace(t.aliases, ',', ' , '), ' , ')
           FROM resources_taggedtopic tt JOIN resources_topic t ON t.id = tt.tag_id
          WHERE tt.content_object_id = r.id),
        (SELECT string_agg(c.name, ' , ')
           FROM resources_credit cr JOIN resources_creator c ON c.id = cr.creator_id
          WHERE cr.resource_id = r.id),
        r.summary, r.quote_text, r.transcript, r.publication, r.series, r.source_title)
$$;

-- Many rows' documents in one UPDATE.
CREATE OR REPLACE FUNCTION resources_refresh_search_documents(ids bigint[])
RETURNS void LANGUAGE sql AS $$
    UPDATE resources_resource r
       SET search_document = resources_search_vector(r.title, r.subtitle, topics.words,
           people.names, r.summary, r.quote_text, r.transcript, r.publication, r.series,
           r.source_title)
      FROM unnest(ids) AS changed(id)
      LEFT JOIN (SELECT tt.content_object_id AS id,
                        string_agg(t.name || ' , ' || replace(t.aliases, ',', ' , '), ' , ')
                            AS words
                   FROM resources_taggedtopic tt JOIN resources_topic t ON t.id = tt.tag_id
                  WHERE tt.content_object_id = ANY(ids)
                  GROUP BY tt.content_object_id) AS topics ON topics.id = changed.id
      LEFT JOIN (SELECT cr.resource_id AS id, string_agg(c.name, ' , ') AS names
                   FROM resources_credit cr JOIN resources_creator c ON c.id = cr.creator_id
                  WHERE cr.resource_id = ANY(ids)
                  GROUP BY cr.resource_id) AS people ON people.id = changed.id
     WHERE r.id = changed.id
$$;

CREATE OR REPLACE FUNCTION resources_search_deferred() RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('library.defer_search_documents', true), '') = 'on'
$$;

CREATE OR REPLACE FUNCTION resources_resource_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT resources_search_deferred() THEN
        NEW.search_document := resources_search_document(NEW);
    END IF;
    RETURN NEW;
END
$$;

-- TG_ARGV[0]: the link table's column holding the resource id.
CREATE OR REPLACE FUNCTION resources_links_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF resources_search_deferred() THEN
        RETURN NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE format('SELECT array(SELECT %1$I FROM new_links UNION SELECT %1$I FROM old_links)',
                       TG_ARGV[0]) INTO ids;
    ELSIF TG_OP = 'INSERT' THEN
        EXECUTE format('SELECT array(SELECT DISTINCT %I FROM new_links)', TG_ARGV[0]) INTO ids;
    ELSE
        EXECUTE format('SELECT array(SELECT DISTINCT %I FROM old_links)', TG_ARGV[0]) INTO ids;
    END IF;
    PERFORM resources_refresh_search_documents(ids);
    RETURN NULL;
END
$$;

CREATE TRIGGER taggedtopic_insert_search AFTER INSERT ON resources_taggedtopic
    REFERENCING NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION resources_links_search_trigger('content_object_id');
CREATE TRIGGER taggedtopic_update_search AFTER UPDATE ON resources_taggedtopic
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION resources_links_search_trigger('content_object_id');
CREATE TRIGGER taggedtopic_delete_search AFTER DELETE ON resources_taggedtopic
    REFERENCING OLD TABLE AS old_links
    FOR EACH STATEMENT EXECUTE FUNCTION resources_links_search_trigger('content_object_id');
CREATE TRIGGER credit_insert_search AFTER INSERT ON resources_credit
    REFERENCING NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION resources_links_search_trigger('resource_id');
CREATE TRIGGER credit_update_search AFTER UPDATE ON resources_credit
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION resources_links_search_trigger('resource_id');
CREATE TRIGGER credit_delete_search AFTER DELETE ON resources_credit
    REFERENCING OLD TABLE AS old_links
    FOR EACH STATEMENT EXECUTE FUNCTION resources_links_search_trigger('resource_id');

CREATE OR REPLACE FUNCTION resources_topic_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM resources_refresh_search_documents(array(
        SELECT content_object_id FROM resources_taggedtopic WHERE tag_id = NEW.id));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION resources_creator_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM resources_refresh_search_documents(array(
        SELECT DISTINCT resource_id FROM resources_credit WHERE creator_id = NEW.id));
    RETURN NULL;
END
$$;
"""

# Back to 0003's functions and row-level triggers (its definitions, repeated).
REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS taggedtopic_insert_search ON resources_taggedtopic;
DROP TRIGGER IF EXISTS taggedtopic_update_search ON resources_taggedtopic;
DROP TRIGGER IF EXISTS taggedtopic_delete_search ON resources_taggedtopic;
DROP TRIGGER IF EXISTS credit_insert_search ON resources_credit;
DROP TRIGGER IF EXISTS credit_update_search ON resources_credit;
DROP TRIGGER IF EXISTS credit_delete_search ON resources_credit;
DROP FUNCTION IF EXISTS resources_links_search_trigger();

CREATE OR REPLACE FUNCTION resources_resource_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_document := resources_search_document(NEW);
    RETURN NEW;
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

CREATE OR REPLACE FUNCTION resources_topic_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE resources_resource r SET search_document = resources_search_document(r)
      FROM resources_taggedtopic tt
     WHERE tt.content_object_id = r.id AND tt.tag_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION resources_creator_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE resources_resource r SET search_document = resources_search_document(r)
     WHERE r.id IN (SELECT cr.resource_id FROM resources_credit cr
                     WHERE cr.creator_id = NEW.id);
    RETURN NULL;
END
$$;

DROP FUNCTION IF EXISTS resources_refresh_search_documents(bigint[]);
DROP FUNCTION IF EXISTS resources_search_deferred();
DROP FUNCTION IF EXISTS resources_search_vector(text, text, text, text, text, text, text, text, text, text);

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
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD_SQL, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("resources", "0003_search_document")]

    operations = [migrations.RunPython(forward, reverse)]
