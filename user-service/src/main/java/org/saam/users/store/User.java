package org.saam.users.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.UUID;

/** A person of the platform, as the API shows them (never the photo bytes). */
public record User(
    UUID id,
    @JsonProperty("display_name") String displayName,
    @JsonProperty("birth_year") Integer birthYear,
    @JsonProperty("time_zone") String timeZone,
    String locale,
    String email,
    String phone,
    @JsonProperty("keycloak_id") String keycloakId,
    boolean enabled,
    @JsonProperty("has_photo") boolean hasPhoto,
    @JsonProperty("created_at") Instant createdAt,
    @JsonProperty("updated_at") Instant updatedAt) {}
