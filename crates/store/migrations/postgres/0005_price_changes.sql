-- Which instruments' prices changed, in order (keep ../sqlite/0005_price_changes.sql in step).
-- Written by bar imports that inserted or corrected something and by stored quotes (ticks); the
-- web server reads it to drop cached pages whose chips show those instruments. Appends take the
-- change-log advisory lock just before commit, so seq order is commit order (as for `changes`).
CREATE TABLE price_changes (
    seq     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    symbol  TEXT   NOT NULL,
    at      BIGINT NOT NULL
);
