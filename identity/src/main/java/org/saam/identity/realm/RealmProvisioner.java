package org.saam.identity.realm;

import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.ClientResource;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.admin.client.resource.UserResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ClientScopeRepresentation;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;
import org.keycloak.representations.idm.RealmEventsConfigRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.representations.userprofile.config.UPConfig;
import org.saam.common.config.LocalMode;
import org.saam.common.realm.RealmNames;

/**
 * Applies {@link SaamRealm} to a Keycloak server. Idempotent: what exists is brought in line, what
 * is missing is created, nothing else is touched; running it twice changes nothing the second time.
 */
public final class RealmProvisioner {
  private final Keycloak admin;

  /** The realm roles this provisioner owns: people's and service accounts'. */
  private static final List<String> ALL_ROLES =
      java.util.stream.Stream.concat(RealmNames.ROLES.stream(), RealmNames.SERVICE_ROLES.stream())
          .toList();

  private final boolean localMode;
  private final Map<String, String> secrets;
  private final List<String> changes = new ArrayList<>();

  /**
   * @param admin an admin client of the master realm (or with realm-admin on {@code saam})
   * @param environment where client secrets come from
   */
  public RealmProvisioner(Keycloak admin, Map<String, String> environment) {
    this.admin = admin;
    this.localMode = LocalMode.on(environment);
    // Every secret is settled before Keycloak is touched: outside local mode a missing one stops
    // the provisioning naming its variable, instead of giving a client a secret anyone can read.
    Map<String, String> secrets = new HashMap<>();
    for (SaamRealm.ClientSpec spec : SaamRealm.CLIENTS) {
      if (spec.confidential()) {
        secrets.put(
            spec.clientId(),
            LocalMode.secret(
                environment, spec.secretVariable(), SaamRealm.localSecret(spec.clientId())));
      }
    }
    this.secrets = Map.copyOf(secrets);
  }

  /** Provisions the realm; returns what it changed, one line per change (empty when none). */
  public List<String> provision(boolean withDemoAccounts) {
    changes.clear();
    RealmResource realm = realm();
    for (String role : ALL_ROLES) {
      if (realm.roles().list().stream().noneMatch(r -> r.getName().equals(role))) {
        RoleRepresentation representation = new RoleRepresentation();
        representation.setName(role);
        realm.roles().create(representation);
        changes.add("role " + role + " created");
      }
    }
    allowAdminManagedAttributes(realm);
    Map<String, String> scopeIds = new HashMap<>();
    for (ClientScopeRepresentation scope : realm.clientScopes().findAll()) {
      scopeIds.put(scope.getName(), scope.getId());
    }
    SaamRealm.SCOPE_AUDIENCES.forEach(
        (scope, audience) -> scopeIds.put(scope, ensureApiScope(realm, scopeIds, scope, audience)));
    for (SaamRealm.ClientSpec client : SaamRealm.CLIENTS) {
      ensureClient(realm, client, scopeIds);
    }
    if (withDemoAccounts && !localMode) {
      throw new IllegalArgumentException(
          "the demo accounts exist only in local mode ("
              + LocalMode.VARIABLE
              + "=true, set by ./saam for the local stack)");
    }
    for (SaamRealm.DemoAccount account : SaamRealm.DEMO_ACCOUNTS) {
      if (withDemoAccounts) {
        ensureDemoAccount(realm, account);
      } else if (!localMode) {
        removeDemoAccount(realm, account);
      }
    }
    return List.copyOf(changes);
  }

  private RealmResource realm() {
    boolean exists =
        admin.realms().findAll().stream().anyMatch(r -> r.getRealm().equals(RealmNames.REALM));
    if (!exists) {
      RealmRepresentation representation = new RealmRepresentation();
      representation.setRealm(RealmNames.REALM);
      representation.setEnabled(true);
      admin.realms().create(representation);
      changes.add("realm " + RealmNames.REALM + " created");
    }
    RealmResource realm = admin.realm(RealmNames.REALM);
    RealmRepresentation current = realm.toRepresentation();
    boolean differs =
        !Integer.valueOf(SaamRealm.ACCESS_TOKEN_SECONDS).equals(current.getAccessTokenLifespan())
            || !Integer.valueOf(SaamRealm.SESSION_IDLE_SECONDS)
                .equals(current.getSsoSessionIdleTimeout())
            || !Integer.valueOf(SaamRealm.SESSION_MAX_SECONDS)
                .equals(current.getSsoSessionMaxLifespan())
            || Boolean.TRUE.equals(current.getRevokeRefreshToken());
    if (differs) {
      current.setAccessTokenLifespan(SaamRealm.ACCESS_TOKEN_SECONDS);
      current.setSsoSessionIdleTimeout(SaamRealm.SESSION_IDLE_SECONDS);
      current.setSsoSessionMaxLifespan(SaamRealm.SESSION_MAX_SECONDS);
      current.setRevokeRefreshToken(false);
      realm.update(current);
      changes.add("token lifespans set (access 5 min, sliding session 30 min, at most 10 h)");
    }
    RealmEventsConfigRepresentation events = realm.getRealmEventsConfig();
    if (!Boolean.TRUE.equals(events.isEventsEnabled())
        || events.getEnabledEventTypes() == null
        || !events.getEnabledEventTypes().containsAll(SaamRealm.RECORDED_EVENTS)
        || !Boolean.TRUE.equals(events.isAdminEventsEnabled())) {
      events.setEventsEnabled(true);
      events.setEnabledEventTypes(SaamRealm.RECORDED_EVENTS);
      events.setEventsExpiration(7L * 24 * 3600);
      events.setAdminEventsEnabled(true);
      events.setAdminEventsDetailsEnabled(false);
      realm.updateRealmEventsConfig(events);
      changes.add("login and token events enabled (kept 7 days)");
    }
    return realm;
  }

  /**
   * Keycloak 24+ drops user attributes its user profile does not declare; the user service keeps
   * the person's id in attribute {@code saam_user_id}, editable by administrators only.
   */
  private void allowAdminManagedAttributes(RealmResource realm) {
    UPConfig profile = realm.users().userProfile().getConfiguration();
    if (profile.getUnmanagedAttributePolicy() != UPConfig.UnmanagedAttributePolicy.ADMIN_EDIT) {
      profile.setUnmanagedAttributePolicy(UPConfig.UnmanagedAttributePolicy.ADMIN_EDIT);
      realm.users().userProfile().update(profile);
      changes.add("user attributes outside the profile kept (administrators edit them)");
    }
  }

  private String ensureApiScope(
      RealmResource realm, Map<String, String> scopeIds, String name, String audience) {
    String id = scopeIds.get(name);
    if (id == null) {
      ClientScopeRepresentation scope = new ClientScopeRepresentation();
      scope.setName(name);
      scope.setProtocol("openid-connect");
      scope.setDescription("Access to " + audience);
      scope.setAttributes(
          Map.of("include.in.token.scope", "true", "display.on.consent.screen", "true"));
      id = createdId(realm.clientScopes().create(scope), "client scope " + name);
      changes.add("client scope " + name + " created");
    }
    List<ProtocolMapperRepresentation> mappers =
        realm.clientScopes().get(id).getProtocolMappers().getMappers();
    boolean hasPerson = mappers.stream().anyMatch(m -> m.getName().equals("saam user id"));
    if (!hasPerson) {
      // Tokens name the person's user-service id, so services can check "own data only".
      ProtocolMapperRepresentation person = new ProtocolMapperRepresentation();
      person.setName("saam user id");
      person.setProtocol("openid-connect");
      person.setProtocolMapper("oidc-usermodel-attribute-mapper");
      person.setConfig(
          Map.of(
              "user.attribute", RealmNames.USER_ID_CLAIM,
              "claim.name", RealmNames.USER_ID_CLAIM,
              "jsonType.label", "String",
              "access.token.claim", "true",
              "id.token.claim", "false",
              "userinfo.token.claim", "false"));
      realm.clientScopes().get(id).getProtocolMappers().createMapper(person).close();
      changes.add("client scope " + name + " carries claim saam_user_id");
    }
    if (mappers.stream().noneMatch(m -> m.getName().equals("saam cares for"))) {
      // A caregiver's tokens name the people they care for (kept by the user service), so a
      // service without the user database can limit them to those people.
      ProtocolMapperRepresentation caresFor = new ProtocolMapperRepresentation();
      caresFor.setName("saam cares for");
      caresFor.setProtocol("openid-connect");
      caresFor.setProtocolMapper("oidc-usermodel-attribute-mapper");
      caresFor.setConfig(
          Map.of(
              "user.attribute", RealmNames.CARES_FOR_CLAIM,
              "claim.name", RealmNames.CARES_FOR_CLAIM,
              "jsonType.label", "String",
              "multivalued", "true",
              "access.token.claim", "true",
              "id.token.claim", "false",
              "userinfo.token.claim", "false"));
      realm.clientScopes().get(id).getProtocolMappers().createMapper(caresFor).close();
      changes.add("client scope " + name + " carries claim saam_cares_for");
    }
    boolean hasAudience =
        mappers.stream().anyMatch(m -> m.getProtocolMapper().equals("oidc-audience-mapper"));
    if (!hasAudience) {
      ProtocolMapperRepresentation mapper = new ProtocolMapperRepresentation();
      mapper.setName(audience + " audience");
      mapper.setProtocol("openid-connect");
      mapper.setProtocolMapper("oidc-audience-mapper");
      mapper.setConfig(
          Map.of(
              "included.client.audience", audience,
              "access.token.claim", "true",
              "id.token.claim", "false"));
      realm.clientScopes().get(id).getProtocolMappers().createMapper(mapper).close();
      changes.add("client scope " + name + " adds audience " + audience);
    }
    return id;
  }

  private void ensureClient(
      RealmResource realm, SaamRealm.ClientSpec spec, Map<String, String> scopeIds) {
    Optional<ClientRepresentation> existing =
        realm.clients().findByClientId(spec.clientId()).stream().findFirst();
    ClientRepresentation client = existing.orElseGet(ClientRepresentation::new);
    client.setClientId(spec.clientId());
    client.setProtocol("openid-connect");
    client.setEnabled(true);
    client.setPublicClient(!spec.confidential());
    client.setStandardFlowEnabled(!spec.redirectUris().isEmpty());
    // The password grant is for the command line of the local stack only.
    client.setDirectAccessGrantsEnabled(spec.passwordGrant() && localMode);
    client.setServiceAccountsEnabled(
        !spec.serviceAccountRoles().isEmpty() || !spec.serviceAccountRealmRoles().isEmpty());
    client.setRedirectUris(spec.redirectUris());
    client.setWebOrigins(spec.redirectUris().isEmpty() ? List.of() : List.of("+"));
    Map<String, String> attributes =
        new HashMap<>(client.getAttributes() == null ? Map.of() : client.getAttributes());
    if (spec.pkce()) {
      attributes.put("pkce.code.challenge.method", "S256");
    }
    attributes.put("oauth2.device.authorization.grant.enabled", String.valueOf(spec.deviceFlow()));
    client.setAttributes(attributes);
    if (spec.confidential()) {
      client.setClientAuthenticatorType("client-secret");
      client.setSecret(secrets.get(spec.clientId()));
    }
    String id;
    if (existing.isEmpty()) {
      client.setDefaultClientScopes(spec.defaultScopes());
      client.setOptionalClientScopes(spec.optionalScopes());
      id = createdId(realm.clients().create(client), "client " + spec.clientId());
      changes.add("client " + spec.clientId() + " created");
    } else {
      id = existing.get().getId();
      realm.clients().get(id).update(client);
    }
    ClientResource resource = realm.clients().get(id);
    List<String> defaults =
        resource.getDefaultClientScopes().stream().map(s -> s.getName()).toList();
    for (String scope : spec.defaultScopes()) {
      if (!defaults.contains(scope) && scopeIds.containsKey(scope)) {
        resource.addDefaultClientScope(scopeIds.get(scope));
        changes.add("client " + spec.clientId() + " gets default scope " + scope);
      }
    }
    List<String> optionals =
        resource.getOptionalClientScopes().stream().map(s -> s.getName()).toList();
    for (String scope : spec.optionalScopes()) {
      if (!optionals.contains(scope) && scopeIds.containsKey(scope)) {
        resource.addOptionalClientScope(scopeIds.get(scope));
        changes.add("client " + spec.clientId() + " gets optional scope " + scope);
      }
    }
    if (!spec.serviceAccountRoles().isEmpty()) {
      grantRealmManagement(realm, resource.getServiceAccountUser().getId(), spec);
    }
    if (!spec.serviceAccountRealmRoles().isEmpty()) {
      UserResource account = realm.users().get(resource.getServiceAccountUser().getId());
      List<String> held =
          account.roles().realmLevel().listAll().stream().map(RoleRepresentation::getName).toList();
      // Least privilege: a role of ours that the spec no longer gives is taken away (the pipeline
      // held "operator" before it had a role of its own).
      List<RoleRepresentation> extra = new ArrayList<>();
      for (String role : held) {
        if (ALL_ROLES.contains(role) && !spec.serviceAccountRealmRoles().contains(role)) {
          extra.add(realm.roles().get(role).toRepresentation());
        }
      }
      if (!extra.isEmpty()) {
        account.roles().realmLevel().remove(extra);
        changes.add(
            "service account of "
                + spec.clientId()
                + " no longer has roles "
                + extra.stream().map(RoleRepresentation::getName).toList());
      }
      List<RoleRepresentation> missing = new ArrayList<>();
      for (String role : spec.serviceAccountRealmRoles()) {
        if (!held.contains(role)) {
          missing.add(realm.roles().get(role).toRepresentation());
        }
      }
      if (!missing.isEmpty()) {
        account.roles().realmLevel().add(missing);
        changes.add(
            "service account of "
                + spec.clientId()
                + " has roles "
                + spec.serviceAccountRealmRoles());
      }
    }
  }

  private void grantRealmManagement(
      RealmResource realm, String serviceAccountUserId, SaamRealm.ClientSpec spec) {
    String management = realm.clients().findByClientId("realm-management").get(0).getId();
    UserResource user = realm.users().get(serviceAccountUserId);
    List<String> granted =
        user.roles().clientLevel(management).listAll().stream()
            .map(RoleRepresentation::getName)
            .toList();
    List<RoleRepresentation> missing = new ArrayList<>();
    for (String role : spec.serviceAccountRoles()) {
      if (!granted.contains(role)) {
        missing.add(realm.clients().get(management).roles().get(role).toRepresentation());
      }
    }
    if (!missing.isEmpty()) {
      user.roles().clientLevel(management).add(missing);
      changes.add(
          "service account of "
              + spec.clientId()
              + " may "
              + String.join(", ", spec.serviceAccountRoles()));
    }
  }

  /** Outside local mode a demo account (a known password) must not exist: it is deleted. */
  private void removeDemoAccount(RealmResource realm, SaamRealm.DemoAccount account) {
    for (UserRepresentation user : realm.users().searchByUsername(account.username(), true)) {
      try (Response response = realm.users().delete(user.getId())) {
        if (response.getStatus() / 100 != 2) {
          throw new IllegalStateException(
              "deleting demo account " + account.username() + ": HTTP " + response.getStatus());
        }
      }
      changes.add("demo account " + account.username() + " removed (local mode is off)");
    }
  }

  private void ensureDemoAccount(RealmResource realm, SaamRealm.DemoAccount account) {
    List<UserRepresentation> found = realm.users().searchByUsername(account.username(), true);
    String id;
    if (found.isEmpty()) {
      UserRepresentation user = new UserRepresentation();
      user.setUsername(account.username());
      user.setEnabled(true);
      user.setEmail(account.username() + "@saam.local");
      user.setEmailVerified(true);
      user.setFirstName("Demo");
      user.setLastName(account.role());
      id = createdId(realm.users().create(user), "user " + account.username());
      CredentialRepresentation password = new CredentialRepresentation();
      password.setType(CredentialRepresentation.PASSWORD);
      password.setValue(account.password());
      password.setTemporary(false);
      realm.users().get(id).resetPassword(password);
      changes.add("demo account " + account.username() + " created");
    } else {
      id = found.get(0).getId();
    }
    UserResource user = realm.users().get(id);
    boolean hasRole =
        user.roles().realmLevel().listAll().stream()
            .anyMatch(r -> r.getName().equals(account.role()));
    if (!hasRole) {
      user.roles().realmLevel().add(List.of(realm.roles().get(account.role()).toRepresentation()));
      changes.add("demo account " + account.username() + " has role " + account.role());
    }
  }

  /** The id of what a create call made, from its Location header; fails with Keycloak's answer. */
  public static String createdId(Response response, String what) {
    try (response) {
      if (response.getStatus() != 201) {
        throw new IllegalStateException(
            "Keycloak refused to create "
                + what
                + ": HTTP "
                + response.getStatus()
                + " "
                + response.readEntity(String.class));
      }
      String location = response.getLocation().getPath();
      return location.substring(location.lastIndexOf('/') + 1);
    }
  }
}
