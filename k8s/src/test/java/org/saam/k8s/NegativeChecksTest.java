package org.saam.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.saam.k8s.NetworkPolicies.Edge;

/** The checks catch the mistakes they exist for: each test breaks the prod manifests once. */
class NegativeChecksTest {
  private final List<ObjectNode> docs = Manifests.render("prod");

  private ManifestChecks checks() {
    return new ManifestChecks(docs, Manifests.external());
  }

  @Test
  void aBrokenServiceSelectorIsReported() {
    ObjectNode service = Manifests.find(docs, "Service", "user-service");
    ((ObjectNode) service.path("spec").path("selector"))
        .put("app.kubernetes.io/name", "user-servic");
    assertThat(checks().crossReferences())
        .contains("Service/user-service: its selector matches no pod");
  }

  @Test
  void aWorkloadWhoseSelectorMissesItsPodsIsReported() {
    ObjectNode set = Manifests.find(docs, "StatefulSet", "redis");
    ((ObjectNode) set.at("/spec/selector/matchLabels")).put("app.kubernetes.io/name", "cache");
    assertThat(checks().crossReferences())
        .contains("StatefulSet/redis: its selector does not select its own pod template");
  }

  @Test
  void aMissingSecretReferenceIsReported() {
    ObjectNode deployment = Manifests.find(docs, "Deployment", "feature-views");
    var env = deployment.at("/spec/template/spec/containers/0/env");
    for (var e : env) {
      if (e.path("name").asText().equals("SAAM_MONGO_URI")) {
        ((ObjectNode) e.at("/valueFrom/secretKeyRef")).put("name", "mongo-app");
      }
    }
    assertThat(checks().crossReferences())
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        "Deployment/feature-views container feature-views env SAAM_MONGO_URI")
                    .contains(
                        "Secret 'mongo-app' is neither issued by a Certificate nor declared"));
  }

  @Test
  void aSecretKeyThatIsNotDeclaredIsReported() {
    ObjectNode set = Manifests.find(docs, "StatefulSet", "postgres-primary");
    for (var e : set.at("/spec/template/spec/containers/0/env")) {
      if (e.path("name").asText().equals("SAAM_PASSWORD")) {
        ((ObjectNode) e.at("/valueFrom/secretKeyRef")).put("key", "saam-pasword");
      }
    }
    assertThat(checks().crossReferences())
        .anySatisfy(p -> assertThat(p).contains("declared without key 'saam-pasword'"));
  }

  @Test
  void aServicePortNamingNoContainerPortIsReported() {
    ObjectNode service = Manifests.find(docs, "Service", "kafka");
    ((ObjectNode) service.at("/spec/ports/0")).put("targetPort", "brokers");
    assertThat(checks().crossReferences())
        .anySatisfy(p -> assertThat(p).startsWith("Service/kafka: port broker targets 'brokers'"));
  }

  @Test
  void anAddressOnAPortTheServiceDoesNotOfferIsReported() {
    ObjectNode deployment = Manifests.find(docs, "Deployment", "user-service");
    for (var e : deployment.at("/spec/template/spec/containers/0/env")) {
      if (e.path("name").asText().equals("SAAM_ELASTICSEARCH_URL")) {
        ((ObjectNode) e).put("value", "http://elasticsearch:9300");
      }
    }
    assertThat(checks().crossReferences())
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("uses port 9300, which Service 'elasticsearch' does not offer"));
  }

  @Test
  void anUnpinnedImageIsReported() {
    ObjectNode set = Manifests.find(docs, "StatefulSet", "redis");
    ((ObjectNode) set.at("/spec/template/spec/containers/1")).put("image", "redis");
    ObjectNode kibana = Manifests.find(docs, "Deployment", "kibana");
    ((ObjectNode) kibana.at("/spec/template/spec/containers/0"))
        .put("image", "docker.elastic.co/kibana/kibana:latest");
    assertThat(checks().hygiene())
        .contains(
            "StatefulSet/redis container sentinel: image 'redis' is not pinned to a tag or digest",
            "Deployment/kibana container kibana: image 'docker.elastic.co/kibana/kibana:latest' is"
                + " not pinned to a tag or digest");
  }

  @Test
  void aContainerWithoutLimitsProbesOrNonRootIsReported() {
    ObjectNode deployment = Manifests.find(docs, "Deployment", "feature-views");
    ObjectNode container = (ObjectNode) deployment.at("/spec/template/spec/containers/0");
    container.remove("livenessProbe");
    ((ObjectNode) container.path("resources")).remove("limits");
    ((ObjectNode) deployment.at("/spec/template/spec/securityContext")).put("runAsUser", 0);
    assertThat(checks().hygiene())
        .contains(
            "Deployment/feature-views container feature-views: no livenessProbe",
            "Deployment/feature-views container feature-views: no resources.limits.memory",
            "Deployment/feature-views container feature-views: may run as root (runAsNonRoot is not"
                + " true or runAsUser is 0)");
  }

  @Test
  void anExtraAllowedEdgeChangesTheMatrix() {
    allow("mongodb", "ingress", "from", "kibana");
    allow("kibana", "egress", "to", "mongodb");
    assertThat(extraEdges())
        .containsExactly(
            new Edge("kibana", "mongodb", "TCP/1"), new Edge("kibana", "mongodb", "TCP/27017"));
  }

  @Test
  void anEdgeAllowedAtOneEndOnlyStaysClosed() {
    allow("postgres", "ingress", "from", "feature-views");
    assertThat(extraEdges()).isEmpty();
  }

  /** Adds a rule to the component's policy admitting every port of the other component. */
  private void allow(String component, String direction, String peers, String other) {
    ObjectNode policy = Manifests.find(docs, "NetworkPolicy", component);
    ((ArrayNode) policy.at("/spec/" + direction))
        .addObject()
        .putArray(peers)
        .addObject()
        .putObject("podSelector")
        .putObject("matchLabels")
        .put("app.kubernetes.io/name", other);
  }

  private Set<Edge> extraEdges() {
    Set<Edge> extra =
        new TreeSet<>(
            NetworkPolicyMatrixTest.withoutOutsiderPairs(NetworkPolicyMatrixTest.admitted(docs)));
    extra.removeAll(NetworkPolicyMatrixTest.expected(docs));
    return extra;
  }

  @Test
  void aRemovedEdgeIsMissingFromTheMatrix() {
    ObjectNode policy = Manifests.find(docs, "NetworkPolicy", "keycloak");
    ((ObjectNode) policy.path("spec")).remove("egress");
    Set<Edge> missing = new TreeSet<>(NetworkPolicyMatrixTest.expected(docs));
    missing.removeAll(NetworkPolicyMatrixTest.admitted(docs));
    assertThat(missing)
        .contains(
            new Edge("keycloak", "postgres", "TCP/5432"),
            new Edge("keycloak", "keycloak", "TCP/7800"));
  }
}
