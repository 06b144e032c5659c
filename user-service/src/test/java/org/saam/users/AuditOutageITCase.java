package org.saam.users;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.saam.common.elasticsearch.Elasticsearch;
import org.saam.common.testing.TcpProxy;
import org.saam.identity.testing.KeycloakTokens;
import org.saam.servicekit.audit.AuditLog;
import org.saam.users.testing.RunningUserService;

/**
 * Elasticsearch (the audit log's store) taken away from a running user service through a proxy the
 * test cuts: requests are still served, /health says degraded, and every audit record of the outage
 * is in saam-audit once Elasticsearch is back.
 */
class AuditOutageITCase {

  @Test
  void requestsGoOnDuringAnElasticsearchOutageAndTheirAuditRecordsArriveAfterIt() throws Exception {
    URI elasticsearch = URI.create(KeycloakTokens.elasticsearchUrl());
    String admin = KeycloakTokens.demoToken("admin", "openid userapi");
    try (TcpProxy proxy = new TcpProxy(elasticsearch.getPort());
        RunningUserService service =
            RunningUserService.start(
                Map.of("SAAM_ELASTICSEARCH_URL", "http://127.0.0.1:" + proxy.port()))) {
      proxy.cut();

      String id =
          service
              .json(
                  "POST",
                  "/v1/users",
                  admin,
                  Map.of("display_name", "Olga Outage", "time_zone", "Europe/Oslo"))
              .json()
              .get("id")
              .asText();
      for (int i = 0; i < 5; i++) {
        assertThat(service.get("/v1/users/" + id, admin).status()).isEqualTo(200);
      }

      JsonNode health = waitForHealth(service, "degraded");
      assertThat(health.path("checks").path("audit").asText())
          .contains("records waiting")
          .contains("last write failed");
      assertThat(health.path("checks").path("postgres").asText()).isEqualTo("up");

      proxy.restore();
      waitForHealth(service, "up");
      ElasticsearchClient direct = Elasticsearch.client(elasticsearch.toString());
      direct.indices().refresh(r -> r.index(AuditLog.INDEX));
      long records =
          direct
              .count(
                  c ->
                      c.index(AuditLog.INDEX)
                          .query(q -> q.term(t -> t.field("target.keyword").value(id))))
              .count();
      // The five reads of the profile (the create names its target too when it answers).
      assertThat(records)
          .as("audit records of " + id + " in " + AuditLog.INDEX)
          .isGreaterThanOrEqualTo(5);
    }
  }

  private static JsonNode waitForHealth(RunningUserService service, String status)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode health = null;
    while (System.nanoTime() < deadline) {
      RunningUserService.Reply reply = service.get("/health", null);
      health = reply.json();
      if (health != null && status.equals(health.path("status").asText())) {
        assertThat(reply.status()).isEqualTo(200);
        return health;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("/health did not say " + status + " within 60 s: " + health);
  }
}
