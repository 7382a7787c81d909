-- newsdesk schema, PostgreSQL flavour. Keep in step with ../sqlite/0001_init.sql: same tables,
-- columns and meanings; only types differ (identity vs INTEGER PRIMARY KEY, JSONB vs TEXT).
-- Times are UTC microseconds since the Unix epoch (BIGINT); zones are IANA names or ±HH:MM.

CREATE TABLE sources (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug          TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    homepage_url  TEXT,
    time_zone     TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL
);

-- One row per story, live or removed (a tombstone keeps id and identity).
CREATE TABLE articles (
    id                      BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id               BIGINT  NOT NULL REFERENCES sources (id),
    identity                TEXT    NOT NULL UNIQUE,   -- url:<normalised> or fp:<source>:<sha256>
    canonical_url           TEXT,
    title                   TEXT,
    published_at            BIGINT,
    published_zone          TEXT,
    published_zone_assumed  BOOLEAN,
    updated_at              BIGINT,
    updated_zone            TEXT,
    updated_zone_assumed    BOOLEAN,
    updated_is_fetch_time   BOOLEAN NOT NULL DEFAULT FALSE,
    sort_at                 BIGINT  NOT NULL,          -- published, else first seen
    current_revision        BIGINT  NOT NULL,
    content_hash            TEXT    NOT NULL,
    first_seen_at           BIGINT  NOT NULL,
    last_changed_at         BIGINT  NOT NULL,
    removed_at              BIGINT,
    removed_reason          TEXT
);
CREATE INDEX articles_by_time ON articles (sort_at DESC, id DESC) WHERE removed_at IS NULL;
CREATE INDEX articles_by_source ON articles (source_id, sort_at DESC, id DESC)
    WHERE removed_at IS NULL;

CREATE TABLE article_revisions (
    article_id    BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    revision      BIGINT NOT NULL,
    content_hash  TEXT   NOT NULL,
    fetched_at    BIGINT NOT NULL,
    content       TEXT   NOT NULL,                     -- the Article as JSON, byte for byte
    PRIMARY KEY (article_id, revision)
);

CREATE TABLE article_instruments (
    article_id  BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    symbol      TEXT   NOT NULL,
    kind        TEXT   NOT NULL,
    role        TEXT   NOT NULL CHECK (role IN ('primary', 'mentioned')),
    score_bp    BIGINT NOT NULL CHECK (score_bp BETWEEN 0 AND 10000),
    reasons     JSONB  NOT NULL,
    PRIMARY KEY (article_id, symbol)
);
CREATE INDEX article_instruments_by_symbol ON article_instruments (symbol, article_id);

-- Append-only change log for derived state (the search index). Appends are serialised with a
-- transaction-scoped advisory lock, so seq order is commit order (see the crate docs).
CREATE TABLE changes (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id  BIGINT NOT NULL,
    kind        TEXT   NOT NULL CHECK (kind IN ('upserted', 'links', 'removed')),
    at          BIGINT NOT NULL
);

-- Jobs are rows. due_at is run_at while queued and the lease expiry while running, so one
-- index answers "what can be claimed now" for both fresh jobs and dead workers' jobs.
CREATE TABLE jobs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          TEXT   NOT NULL,
    payload       JSONB  NOT NULL,
    state         TEXT   NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    dedupe_key    TEXT,
    run_at        BIGINT NOT NULL,
    due_at        BIGINT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    max_attempts  BIGINT NOT NULL,
    lease_owner   TEXT,
    last_error    TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (due_at, id) WHERE state IN ('queued', 'running');
CREATE UNIQUE INDEX jobs_dedupe ON jobs (kind, dedupe_key)
    WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running');
