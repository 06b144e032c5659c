package org.saam.users;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.saam.common.testing.TcpProxy;
import org.saam.users.testing.RunningUserService;

/**
 * The two probes Kubernetes uses (k8s/): with Redis cut away, /health answers 503 naming Redis (the
 * pod leaves the Service's endpoints) while /health/live stays 200 (the pod is not restarted for an
 * outage that a restart cannot mend); both recover when Redis is back.
 */
class HealthProbesITCase {

  @Test
  void aDependencyOutageMakesThePodUnreadyButNotDead() throws Exception {
    try (TcpProxy proxy = new TcpProxy(6379);
        RunningUserService service =
            RunningUserService.start(
                Map.of("SAAM_REDIS_URI", "redis://127.0.0.1:" + proxy.port()))) {
      assertThat(service.get("/health", null).status()).isEqualTo(200);

      proxy.cut();
      JsonNode down = waitFor(service, 503);
      assertThat(down.path("status").asText()).isEqualTo("down");
      assertThat(down.path("checks").path("redis").asText()).isEqualTo("down");
      RunningUserService.Reply live = service.get("/health/live", null);
      assertThat(live.status()).isEqualTo(200);
      assertThat(live.json().path("status").asText()).isEqualTo("up");

      proxy.restore();
      assertThat(waitFor(service, 200).path("checks").path("redis").asText()).isEqualTo("up");
    }
  }

  private static JsonNode waitFor(RunningUserService service, int status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    RunningUserService.Reply reply = null;
    while (System.nanoTime() < deadline) {
      reply = service.get("/health", null);
      if (reply.status() == status) {
        return reply.json();
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        "/health did not answer "
            + status
            + " within 60 s: "
            + (reply == null ? null : reply.body()));
  }
}
