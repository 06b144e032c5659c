-- What remains of an erased person's assignments: the location and the period, no person. The
-- pipeline drops readings of a location during such a period (they were the erased person's),
-- also when they arrive late. An open assignment is closed at the erasure.
CREATE TABLE erased_periods (
    location_id  text        NOT NULL REFERENCES locations (id),
    valid_from   timestamptz NOT NULL,
    valid_to     timestamptz NOT NULL,
    erased_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (location_id, valid_from),
    CHECK (valid_to > valid_from)
);
