-- Who cares for whom: a caregiver (a person with the caregiver role) sees only the people listed
-- here. Managed by administrators; a person's rows go with them (erasure deletes the person).
CREATE TABLE care_relations (
    caregiver_id  uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    person_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caregiver_id, person_id),
    CHECK (caregiver_id <> person_id)
);
CREATE INDEX care_relations_by_person ON care_relations (person_id);
