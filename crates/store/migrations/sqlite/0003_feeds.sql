-- Feed subscriptions and the items seen in each feed (SQLite flavour; keep in step with
-- ../postgres/0003_feeds.sql). Times are UTC microseconds.

CREATE TABLE feeds (
    id             INTEGER PRIMARY KEY,
    url            TEXT    NOT NULL UNIQUE,
    title          TEXT,
    source_id      BIGINT  NOT NULL REFERENCES sources (id),
    full_text      TEXT    NOT NULL CHECK (full_text IN ('auto', 'always', 'never')),
    zone           TEXT    NOT NULL,
    interval_s     BIGINT  NOT NULL,
    etag           TEXT,
    last_modified  TEXT,
    last_fetch_at  BIGINT,
    next_due_at    BIGINT  NOT NULL,
    failures       BIGINT  NOT NULL DEFAULT 0,
    paused_reason  TEXT,
    last_error     TEXT,
    created_at     BIGINT  NOT NULL
);
CREATE INDEX feeds_due ON feeds (next_due_at) WHERE paused_reason IS NULL;

-- One row per (feed, item key): the key is the item's GUID, else its URL, else its content hash.
-- The row and the item's article are written in one transaction, so an item is stored once.
CREATE TABLE feed_items (
    feed_id       BIGINT NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    item_key      TEXT   NOT NULL,
    article_id    BIGINT NOT NULL REFERENCES articles (id),
    content_hash  TEXT   NOT NULL,
    seen_at       BIGINT NOT NULL,
    PRIMARY KEY (feed_id, item_key)
);
CREATE INDEX feed_items_by_article ON feed_items (article_id);
