-- People, homes and who lives where, kept apart from sensor data.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    display_name  text        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    birth_year    integer     CHECK (birth_year BETWEEN 1900 AND 2100),
    time_zone     text        NOT NULL,
    locale        text        NOT NULL,
    email         text        UNIQUE,
    phone         text,
    keycloak_id   text        UNIQUE,
    enabled       boolean     NOT NULL DEFAULT true,
    photo         bytea,
    photo_type    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE locations (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    label       text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A location has at most one person at any instant: the exclusion constraint makes overlapping
-- periods impossible even under concurrent requests. valid_to NULL means "until further notice".
CREATE TABLE assignments (
    id           uuid PRIMARY KEY,
    location_id  text        NOT NULL REFERENCES locations (id),
    user_id      uuid        NOT NULL REFERENCES users (id),
    valid_from   timestamptz NOT NULL,
    valid_to     timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    CONSTRAINT assignments_no_overlap EXCLUDE USING gist (
        location_id WITH =,
        tstzrange(valid_from, valid_to, '[)') WITH &&
    )
);
CREATE INDEX assignments_by_user ON assignments (user_id);

-- Erasure requests: the plan (which locations and periods) survives the person's rows so that
-- an interrupted erasure can be finished; the receipt holds counts, never personal data.
CREATE TABLE erasures (
    user_id       uuid PRIMARY KEY,
    requested_by  text        NOT NULL,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    keycloak_id   text,
    plan          jsonb       NOT NULL,
    receipt       jsonb,
    completed_at  timestamptz
);
