package org.saam.identity.tokenlog;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.saam.common.elasticsearch.Elasticsearch;
import org.saam.common.realm.RealmNames;
import org.saam.identity.realm.SaamRealm;
import org.saam.identity.testing.KeycloakTokens;

/** Issued tokens reach saam-token-log once, with their scopes. */
class TokenLogShipperITCase {

  @Test
  @SuppressWarnings("unchecked")
  void passwordGrantAppearsOnceInTheTokenLogWithItsScopes() throws Exception {
    String token = KeycloakTokens.demoToken("data-scientist", "openid sensorapi");
    String tokenId = KeycloakTokens.claims(token).get("jti").asText();
    ElasticsearchClient elasticsearch = Elasticsearch.client(KeycloakTokens.elasticsearchUrl());

    try (Keycloak admin = KeycloakTokens.admin()) {
      TokenLogShipper shipper = new TokenLogShipper(admin.realm(RealmNames.REALM), elasticsearch);
      shipper.shipOnce();
      shipper.shipOnce();
    }
    elasticsearch.indices().refresh(r -> r.index(TokenLogShipper.INDEX));

    SearchResponse<Map> found =
        elasticsearch.search(
            s ->
                s.index(TokenLogShipper.INDEX)
                    .query(q -> q.term(t -> t.field("token_id.keyword").value(tokenId))),
            Map.class);
    assertThat(found.hits().hits()).hasSize(1);
    Map<?, ?> entry = found.hits().hits().get(0).source();
    assertThat((List<Object>) entry.get("scopes")).contains("sensorapi", "openid");
    assertThat(entry.get("username")).isEqualTo("data-scientist-demo");
    assertThat(entry.get("client_id")).isEqualTo(RealmNames.CLI_CLIENT);
    assertThat(entry.get("grant_type")).isEqualTo("password");
    assertThat(entry.get("lifespan_s")).isEqualTo(SaamRealm.ACCESS_TOKEN_SECONDS);
    assertThat(entry.get("issued_at").toString()).endsWith("Z");
  }
}
