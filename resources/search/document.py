"""
The search document, defined once (PostgreSQL only; SQLite's search reads the fields).

`Resource.search_document` is a weighted tsvector: A for the title, subtitle, topic names and
aliases; B for creators' names; C for the curator's summary and a quote's words; D for the
transcript, publication, series and source. Database triggers keep it up to date whatever
writes the rows (the admin and its inlines, `resource.topics.set()`, the importer,
`QuerySet.update()`, raw SQL), a statement at a time: a statement's changed topic links or
credits refresh their resources in one UPDATE; renaming a topic or a creator refreshes every
resource that uses it. A transaction that sets `library.defer_search_documents` to 'on'
(SET LOCAL) skips the triggers and refreshes documents itself, a batch at a time: the
importer does (resources/imports/writer.py).

Every statement here replaces what it defines, so `install()` can run again. To change the
document: edit SQL, then add a migration that runs `install` (it refreshes every document).
Migrations 0003 and 0004 made the first versions and keep their own copies, as history.
"""

SQL = r"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'library_english') THEN
        CREATE TEXT SEARCH CONFIGURATION library_english (COPY = english);
        ALTER TEXT SEARCH CONFIGURATION library_english
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
    END IF;
END
$$;

-- The one definition of a document, from its parts.
CREATE OR REPLACE FUNCTION resources_search_vector(
    title text, subtitle text, topic_words text, people_names text, summary text,
    quote_text text, transcript text, publication text, series text, source_title text)
RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('library_english',
            concat_ws(' ', title, subtitle, topic_words)), 'A')
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

DROP TRIGGER IF EXISTS resource_search_document ON resources_resource;
CREATE TRIGGER resource_search_document
    BEFORE INSERT OR UPDATE OF title, subtitle, summary, quote_text, transcript, publication,
        series, source_title
    ON resources_resource
    FOR EACH ROW EXECUTE FUNCTION resources_resource_search_trigger();

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

DROP TRIGGER IF EXISTS taggedtopic_insert_search ON resources_taggedtopic;
CREATE TRIGGER taggedtopic_insert_search AFTER INSERT ON resources_taggedtopic
    REFERENCING NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION resources_links_search_trigger('content_object_id');
DROP TRIGGER IF EXISTS taggedtopic_update_search ON resources_taggedtopic;
CREATE TRIGGER taggedtopic_update_search AFTER UPDATE ON resources_taggedtopic
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION resources_links_search_trigger('content_object_id');
DROP TRIGGER IF EXISTS taggedtopic_delete_search ON resources_taggedtopic;
CREATE TRIGGER taggedtopic_delete_search AFTER DELETE ON resources_taggedtopic
    REFERENCING OLD TABLE AS old_links
    FOR EACH STATEMENT EXECUTE FUNCTION resources_links_search_trigger('content_object_id');
DROP TRIGGER IF EXISTS credit_insert_search ON resources_credit;
CREATE TRIGGER credit_insert_search AFTER INSERT ON resources_credit
    REFERENCING NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION resources_links_search_trigger('resource_id');
DROP TRIGGER IF EXISTS credit_update_search ON resources_credit;
CREATE TRIGGER credit_update_search AFTER UPDATE ON resources_credit
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION resources_links_search_trigger('resource_id');
DROP TRIGGER IF EXISTS credit_delete_search ON resources_credit;
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

DROP TRIGGER IF EXISTS topic_search_document ON resources_topic;
CREATE TRIGGER topic_search_document
    AFTER UPDATE OF name, aliases ON resources_topic
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.aliases IS DISTINCT FROM NEW.aliases)
    EXECUTE FUNCTION resources_topic_search_trigger();

DROP TRIGGER IF EXISTS creator_search_document ON resources_creator;
CREATE TRIGGER creator_search_document
    AFTER UPDATE OF name ON resources_creator
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION resources_creator_search_trigger();
"""


def install(schema_editor):
    """Create or replace the document's functions and triggers, and refresh every document."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(SQL, params=None)
    schema_editor.execute(
        "SELECT resources_refresh_search_documents(array(SELECT id FROM resources_resource))"
    )
