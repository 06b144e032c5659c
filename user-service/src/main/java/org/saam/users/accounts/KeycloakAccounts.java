package org.saam.users.accounts;

import jakarta.ws.rs.NotFoundException;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.keycloak.OAuth2Constants;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.UserRepresentation;
import org.saam.common.realm.RealmNames;
import org.saam.identity.realm.RealmProvisioner;
import org.saam.users.store.User;

/**
 * The Keycloak side of a person: their sign-in account in realm {@code saam}, managed with the user
 * service's own service account (client credentials), not with administrator passwords.
 */
public final class KeycloakAccounts implements AutoCloseable {
  private final Keycloak keycloak;
  private final RealmResource realm;

  private KeycloakAccounts(Keycloak keycloak) {
    this.keycloak = keycloak;
    this.realm = keycloak.realm(RealmNames.REALM);
  }

  public static KeycloakAccounts connect(String keycloakUrl, String clientSecret) {
    return new KeycloakAccounts(
        KeycloakBuilder.builder()
            .serverUrl(keycloakUrl)
            .realm(RealmNames.REALM)
            .grantType(OAuth2Constants.CLIENT_CREDENTIALS)
            .clientId(RealmNames.USER_SERVICE_CLIENT)
            .clientSecret(clientSecret)
            .build());
  }

  public RealmResource realm() {
    return realm;
  }

  /** The person's user name in the realm (Keycloak keeps user names in lower case). */
  public static String username(User user) {
    return (user.email() != null ? user.email() : "p-" + user.id()).toLowerCase(Locale.ROOT);
  }

  /** Creates the person's account with the given realm role; returns its Keycloak id. */
  public String create(User user, String role) {
    UserRepresentation account = new UserRepresentation();
    account.setUsername(username(user));
    account.setEmail(user.email());
    account.setEmailVerified(user.email() != null);
    account.setFirstName(user.displayName());
    account.setLastName("-");
    account.setEnabled(user.enabled());
    account.setAttributes(
        java.util.Map.of(RealmNames.USER_ID_CLAIM, List.of(user.id().toString())));
    String id =
        RealmProvisioner.createdId(realm.users().create(account), "account of " + user.id());
    realm
        .users()
        .get(id)
        .roles()
        .realmLevel()
        .add(List.of(realm.roles().get(role).toRepresentation()));
    return id;
  }

  /** Mirrors the profile into the account: name, email, enabled. */
  public void update(User user) {
    UserRepresentation account = realm.users().get(user.keycloakId()).toRepresentation();
    account.setFirstName(user.displayName());
    account.setEmail(user.email());
    account.setEnabled(user.enabled());
    realm.users().get(user.keycloakId()).update(account);
  }

  /**
   * Writes the people a caregiver cares for into their account, so their tokens carry them (claim
   * {@code saam_cares_for}) and services without the database can check a caregiver's reach. An
   * account that is gone is left alone ({@code false}).
   */
  public boolean setCaresFor(String keycloakId, List<UUID> people) {
    try {
      UserRepresentation account = realm.users().get(keycloakId).toRepresentation();
      java.util.Map<String, List<String>> attributes =
          account.getAttributes() == null
              ? new java.util.HashMap<>()
              : new java.util.HashMap<>(account.getAttributes());
      if (people.isEmpty()) {
        attributes.remove(RealmNames.CARES_FOR_CLAIM);
      } else {
        attributes.put(RealmNames.CARES_FOR_CLAIM, people.stream().map(UUID::toString).toList());
      }
      account.setAttributes(attributes);
      realm.users().get(keycloakId).update(account);
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  /** Whether the account holds the realm role (directly or through a composite). */
  public boolean hasRole(String keycloakId, String role) {
    try {
      return realm.users().get(keycloakId).roles().realmLevel().listEffective().stream()
          .anyMatch(r -> r.getName().equals(role));
    } catch (NotFoundException e) {
      return false;
    }
  }

  /** Deletes the account; {@code false} if it was already gone. */
  public boolean delete(String keycloakId) {
    try {
      realm.users().get(keycloakId).remove();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  public boolean exists(String keycloakId) {
    try {
      realm.users().get(keycloakId).toRepresentation();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  public boolean healthy() {
    try {
      realm.roles().get("participant").toRepresentation();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    keycloak.close();
  }
}
