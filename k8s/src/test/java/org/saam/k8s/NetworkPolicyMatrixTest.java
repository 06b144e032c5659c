package org.saam.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.saam.k8s.NetworkPolicies.Edge;
import org.saam.k8s.NetworkPolicies.Peer;

/**
 * Every pair of parties, on every port the destination listens on (and one it does not): the
 * policies admit exactly the edges of the architecture. An edge added to the manifests but not
 * here, or one here that the manifests lost, fails with the edge named.
 */
class NetworkPolicyMatrixTest {
  private static final List<Integer> API = List.of(443, 6443);

  /** source, destination, ports; no ports means every port (the pods of one Flink job). */
  private record Allowed(String source, String destination, List<Integer> ports) {}

  static final List<Allowed> ARCHITECTURE =
      List.of(
          // from outside: MQTT over TLS through the LoadBalancer, HTTPS through the Ingress
          new Allowed("internet", "rabbitmq", List.of(8883)),
          // (that listener is open to every address, the control plane's included)
          new Allowed("kube-apiserver", "rabbitmq", List.of(8883)),
          new Allowed("ingress-nginx", "user-service", List.of(8090)),
          new Allowed("ingress-nginx", "feature-views", List.of(8091)),
          new Allowed("ingress-nginx", "keycloak", List.of(8080)),
          new Allowed("ingress-nginx", "kibana", List.of(5601)),
          // scraping and the Flink operator
          new Allowed("prometheus", "user-service", List.of(8090)),
          new Allowed("prometheus", "feature-views", List.of(8091)),
          new Allowed("prometheus", "rabbitmq", List.of(15692)),
          new Allowed("prometheus", "keycloak", List.of(9000)),
          new Allowed("prometheus", "sensor-pipeline", List.of(9249)),
          new Allowed("prometheus", "backfill", List.of(9249)),
          new Allowed("prometheus", "fluent-bit", List.of(2020)),
          new Allowed("flink-operator", "sensor-pipeline", List.of(8081)),
          new Allowed("flink-operator", "backfill", List.of(8081)),
          // the streaming job
          new Allowed("sensor-pipeline", "rabbitmq", List.of(5672)),
          new Allowed("sensor-pipeline", "redis", List.of(6379, 26379)),
          new Allowed("sensor-pipeline", "mongodb", List.of(27017)),
          new Allowed("sensor-pipeline", "kafka", List.of(9092)),
          new Allowed("sensor-pipeline", "elasticsearch", List.of(9200)),
          new Allowed("sensor-pipeline", "keycloak", List.of(8080)),
          new Allowed("sensor-pipeline", "user-service", List.of(8090)),
          new Allowed("sensor-pipeline", "sensor-pipeline", List.of()),
          new Allowed("sensor-pipeline", "object-store", List.of(8080)),
          new Allowed("sensor-pipeline", "kube-apiserver", API),
          // the backfill job
          new Allowed("backfill", "redis", List.of(6379, 26379)),
          new Allowed("backfill", "mongodb", List.of(27017)),
          new Allowed("backfill", "keycloak", List.of(8080)),
          new Allowed("backfill", "user-service", List.of(8090)),
          new Allowed("backfill", "backfill", List.of()),
          new Allowed("backfill", "object-store", List.of(8080)),
          new Allowed("backfill", "kube-apiserver", API),
          // the services
          new Allowed("user-service", "postgres", List.of(5432)),
          new Allowed("user-service", "redis", List.of(6379, 26379)),
          new Allowed("user-service", "keycloak", List.of(8080)),
          new Allowed("user-service", "elasticsearch", List.of(9200)),
          new Allowed("user-service", "mongodb", List.of(27017)),
          new Allowed("user-service", "rabbitmq", List.of(15672)),
          // erasure writes tombstones for the person's coaching events
          new Allowed("user-service", "kafka", List.of(9092)),
          new Allowed("feature-views", "mongodb", List.of(27017)),
          new Allowed("feature-views", "keycloak", List.of(8080)),
          new Allowed("feature-views", "elasticsearch", List.of(9200)),
          new Allowed("keycloak", "postgres", List.of(5432)),
          new Allowed("kibana", "elasticsearch", List.of(9200)),
          new Allowed("fluent-bit", "elasticsearch", List.of(9200)),
          new Allowed("fluent-bit", "kube-apiserver", API),
          new Allowed("kafka-consumer", "kafka", List.of(9092)),
          // members of one store or cluster
          new Allowed("rabbitmq", "rabbitmq", List.of(4369, 25672)),
          new Allowed("rabbitmq", "kube-apiserver", API),
          new Allowed("keycloak", "keycloak", List.of(7800)),
          new Allowed("postgres", "postgres", List.of(5432)),
          new Allowed("mongodb", "mongodb", List.of(27017)),
          new Allowed("redis", "redis", List.of(6379, 26379)),
          new Allowed("elasticsearch", "elasticsearch", List.of(9300)),
          new Allowed("kafka", "kafka", List.of(9092, 9093)),
          // set-up jobs
          new Allowed("rabbitmq-topology", "rabbitmq", List.of(5672, 15672)),
          new Allowed("mongodb-init", "mongodb", List.of(27017)),
          new Allowed("kafka-topics", "kafka", List.of(9092)),
          new Allowed("identity-provision", "keycloak", List.of(8080)));

  /** Parties outside the manifests' pods. */
  static List<Peer> outsiders() {
    return List.of(
        new Peer("internet", "", Map.of(), "203.0.113.7", Set.of(), false),
        outsider(
            "ingress-nginx", "ingress-nginx", Map.of("app.kubernetes.io/name", "ingress-nginx")),
        outsider("prometheus", "monitoring", Map.of("app.kubernetes.io/name", "prometheus")),
        outsider(
            "flink-operator",
            "flink-operator",
            Map.of("app.kubernetes.io/name", "flink-kubernetes-operator")),
        // a pod of the namespace that is none of the components
        new Peer(
            "stranger",
            "saam",
            Map.of("app.kubernetes.io/name", "stranger"),
            null,
            Set.of("TCP/8080"),
            true),
        new Peer(
            "kafka-consumer",
            "saam",
            Map.of("saam.io/kafka-consumer", "true"),
            null,
            Set.of(),
            true),
        new Peer(
            "other-namespace",
            "default",
            Map.of("app.kubernetes.io/name", "user-service"),
            null,
            Set.of(),
            false),
        new Peer(
            "kube-dns",
            "kube-system",
            Map.of("k8s-app", "kube-dns"),
            null,
            Set.of("UDP/53", "TCP/53"),
            false),
        new Peer("kube-apiserver", "", Map.of(), "10.96.0.1", Set.of("TCP/443", "TCP/6443"), false),
        outsiderWithPorts(
            "object-store", "rook-ceph", Map.of("app", "rook-ceph-rgw"), Set.of("TCP/8080")));
  }

  private static Peer outsider(String name, String namespace, Map<String, String> labels) {
    return outsiderWithPorts(name, namespace, labels, Set.of());
  }

  private static Peer outsiderWithPorts(
      String name, String namespace, Map<String, String> labels, Set<String> ports) {
    return new Peer(name, namespace, labels, null, ports, false);
  }

  /** What the architecture allows, on the destinations' real ports, plus DNS for every pod. */
  static Set<Edge> expected(List<Peer> sources, List<Peer> destinations) {
    Set<Edge> edges = new TreeSet<>();
    for (Allowed allowed : ARCHITECTURE) {
      for (Peer destination : destinations) {
        if (!destination.name().equals(allowed.destination())) {
          continue;
        }
        if (allowed.ports().isEmpty()) {
          Set<String> every = new TreeSet<>(destination.ports());
          every.add(NetworkPolicies.ANY_OTHER_PORT);
          every.forEach(p -> edges.add(new Edge(allowed.source(), allowed.destination(), p)));
        } else {
          allowed
              .ports()
              .forEach(
                  p -> edges.add(new Edge(allowed.source(), allowed.destination(), "TCP/" + p)));
        }
      }
    }
    for (Peer source : sources) {
      if (source.governed() || source.namespace().equals("saam-logging")) {
        edges.add(new Edge(source.name(), "kube-dns", "TCP/53"));
        edges.add(new Edge(source.name(), "kube-dns", "UDP/53"));
      }
    }
    return edges;
  }

  static Set<Edge> admitted(List<ObjectNode> docs) {
    List<Peer> pods = NetworkPolicies.pods(docs);
    List<Peer> everyone = new ArrayList<>(pods);
    everyone.addAll(outsiders());
    return new NetworkPolicies(docs).admitted(everyone, everyone);
  }

  static Set<Edge> expected(List<ObjectNode> docs) {
    List<Peer> everyone = new ArrayList<>(NetworkPolicies.pods(docs));
    everyone.addAll(outsiders());
    return expected(everyone, everyone);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void thePoliciesAdmitExactlyTheArchitecturesEdges(String overlay) {
    List<ObjectNode> docs = Manifests.render(overlay);
    Set<Edge> admitted = withoutOutsiderPairs(admitted(docs));
    Set<Edge> expected = expected(docs);
    Set<Edge> extra = new TreeSet<>(admitted);
    extra.removeAll(expected);
    Set<Edge> missing = new TreeSet<>(expected);
    missing.removeAll(admitted);
    assertThat(extra).as("admitted but not in the architecture").isEmpty();
    assertThat(missing).as("in the architecture but denied").isEmpty();
  }

  @Test
  void aStrangerInTheNamespaceReachesNothingButDns() {
    Set<Edge> admitted = admitted(Manifests.render("prod"));
    assertThat(admitted.stream().filter(e -> e.source().equals("stranger")))
        .extracting(Edge::destination)
        .containsOnly("kube-dns");
    assertThat(admitted.stream().filter(e -> e.destination().equals("stranger"))).isEmpty();
  }

  /** Pairs where neither end is governed by these policies tell nothing about them. */
  static Set<Edge> withoutOutsiderPairs(Set<Edge> edges) {
    Set<String> governed = new TreeSet<>();
    for (Peer peer : outsiders()) {
      if (!peer.governed()) {
        governed.add(peer.name());
      }
    }
    Set<Edge> kept = new TreeSet<>(edges);
    kept.removeIf(e -> governed.contains(e.source()) && governed.contains(e.destination()));
    return kept;
  }
}
