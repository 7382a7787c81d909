-- Story clustering (derived state, like the search index): which story each article belongs to,
-- its fingerprint, and the band keys that find candidate copies. Filled by
-- `newsdesk_store::stories::catch_up` from the change log; `story_cursor` is the last change
-- applied.
CREATE TABLE stories (
    article_id   BIGINT NOT NULL PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    story_id     BIGINT NOT NULL,
    published    BIGINT NOT NULL,
    fingerprint  BYTEA  NOT NULL,
    reason       TEXT                                  -- the rule that joined it; NULL = founded it
);
CREATE INDEX stories_by_story ON stories (story_id, published);

-- Primary key (key, published, article_id): candidate lookups by key and time window read it.
CREATE TABLE story_keys (
    key          BIGINT NOT NULL,
    published    BIGINT NOT NULL,
    article_id   BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (key, published, article_id)
);
CREATE INDEX story_keys_by_article ON story_keys (article_id);

CREATE TABLE story_cursor (
    id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq  BIGINT  NOT NULL
);
INSERT INTO story_cursor (id, seq) VALUES (1, 0);
