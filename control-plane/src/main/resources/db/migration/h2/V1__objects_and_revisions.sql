-- The current state: one row per object, its JSON as served, its selectable attributes apart
-- so that label and field selectors need not parse the body.
CREATE TABLE objects (
    resource        VARCHAR(128) NOT NULL,
    namespace       VARCHAR(253) NOT NULL,
    name            VARCHAR(253) NOT NULL,
    revision        BIGINT       NOT NULL,
    create_revision BIGINT       NOT NULL,
    attrs           CLOB         NOT NULL,
    body            CLOB         NOT NULL,
    PRIMARY KEY (resource, namespace, name)
);

-- The append-only revision log watchers read from; the compactor trims its head.
CREATE TABLE revisions (
    revision   BIGINT       PRIMARY KEY,
    resource   VARCHAR(128) NOT NULL,
    namespace  VARCHAR(253) NOT NULL,
    name       VARCHAR(253) NOT NULL,
    event_type VARCHAR(8)   NOT NULL,
    attrs      CLOB         NOT NULL,
    prev_attrs CLOB,
    body       CLOB         NOT NULL
);

-- The global revision: every write takes the next one under this row's lock, so revisions
-- commit in order and a watcher never sees a later one before an earlier one.
CREATE TABLE revision_counter (
    id                 INT    PRIMARY KEY,
    current_revision   BIGINT NOT NULL,
    compacted_revision BIGINT NOT NULL
);
INSERT INTO revision_counter (id, current_revision, compacted_revision) VALUES (1, 1, 0);
