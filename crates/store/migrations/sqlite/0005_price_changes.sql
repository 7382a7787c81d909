-- Which instruments' prices changed, in order (keep ../postgres/0005_price_changes.sql in step).
-- Written by bar imports that inserted or corrected something and by stored quotes (ticks); the
-- web server reads it to drop cached pages whose chips show those instruments. AUTOINCREMENT so a
-- seq is never reused.
CREATE TABLE price_changes (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    symbol  TEXT   NOT NULL,
    at      BIGINT NOT NULL
);
