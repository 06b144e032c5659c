package org.saam.identity.jwt;

import java.time.Instant;
import java.util.Set;

/**
 * What a verified access token says.
 *
 * @param subject the Keycloak user id ({@code sub})
 * @param username {@code preferred_username}, or {@code null}
 * @param clientId the client the token was issued to ({@code azp})
 * @param scopes the granted scopes
 * @param roles the realm roles
 * @param expiresAt when it expires
 * @param saamUserId the person's user-service id (claim {@code saam_user_id}), or {@code null}
 * @param caresFor for a caregiver, the user-service ids of the people they care for (claim {@code
 *     saam_cares_for}, kept by the user service); empty otherwise
 */
public record VerifiedToken(
    String subject,
    String username,
    String clientId,
    Set<String> scopes,
    Set<String> roles,
    Instant expiresAt,
    String saamUserId,
    Set<String> caresFor) {

  public VerifiedToken {
    caresFor = caresFor == null ? Set.of() : Set.copyOf(caresFor);
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }

  /** Who, for audit logs: the user name when there is one, else the subject. */
  public String actor() {
    return username != null ? username : subject;
  }
}
