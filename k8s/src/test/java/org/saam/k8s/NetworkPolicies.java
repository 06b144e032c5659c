package org.saam.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.saam.k8s.PodTemplates.Pod;

/**
 * NetworkPolicy semantics, enough to say which connections the manifests admit: a pod selected by
 * no policy of a direction is open in it; a selected pod admits what any selecting policy's rules
 * admit; a connection needs the source's egress and the destination's ingress.
 */
final class NetworkPolicies {
  /**
   * A party to a connection: a pod of the manifests or something outside them.
   *
   * @param name what the matrix calls it (a pod's app.kubernetes.io/name)
   * @param namespace its namespace, empty for an address outside the cluster
   * @param labels its labels
   * @param ip its address when it is not a pod
   * @param ports what it listens on, as {@code TCP/8080}
   * @param governed whether this manifest's policies can apply to it (pods of its namespaces)
   */
  record Peer(
      String name,
      String namespace,
      Map<String, String> labels,
      String ip,
      Set<String> ports,
      boolean governed) {}

  /** A connection the policies admit: {@code source -> destination TCP/port}. */
  record Edge(String source, String destination, String port) implements Comparable<Edge> {
    @Override
    public int compareTo(Edge o) {
      return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
      return source + " -> " + destination + " " + port;
    }
  }

  /** A port no component uses: admitting it means a rule admits every port. */
  static final String ANY_OTHER_PORT = "TCP/1";

  private final List<ObjectNode> policies;

  NetworkPolicies(List<ObjectNode> docs) {
    this.policies = Manifests.ofKind(docs, "NetworkPolicy");
  }

  /** The pods of the manifests as peers, each listening on its declared ports. */
  static List<Peer> pods(List<ObjectNode> docs) {
    List<Peer> peers = new ArrayList<>();
    for (Pod pod : PodTemplates.of(docs)) {
      Set<String> ports = new TreeSet<>();
      for (JsonNode container : pod.containers()) {
        for (JsonNode port : container.path("ports")) {
          ports.add(port.path("protocol").asText("TCP") + "/" + port.path("containerPort").asInt());
        }
      }
      if (pod.flink()) {
        ManifestChecks.FLINK_PORTS.forEach(p -> ports.add("TCP/" + p));
      }
      peers.add(new Peer(pod.app(), pod.namespace(), pod.labels(), null, ports, true));
    }
    return peers;
  }

  /** Every connection admitted from any source to any destination on the destination's ports. */
  Set<Edge> admitted(List<Peer> sources, List<Peer> destinations) {
    Set<Edge> edges = new TreeSet<>();
    for (Peer source : sources) {
      for (Peer destination : destinations) {
        Set<String> ports = new TreeSet<>(destination.ports());
        ports.add(ANY_OTHER_PORT);
        for (String port : ports) {
          if (allows(source, destination, port)) {
            edges.add(new Edge(source.name(), destination.name(), port));
          }
        }
      }
    }
    return edges;
  }

  boolean allows(Peer source, Peer destination, String port) {
    return direction(source, destination, port, "Egress")
        && direction(destination, source, port, "Ingress");
  }

  /** Whether {@code subject}'s policies of a direction admit talking with {@code other}. */
  private boolean direction(Peer subject, Peer other, String port, String type) {
    if (!subject.governed()) {
      return true;
    }
    boolean selected = false;
    for (ObjectNode policy : policies) {
      if (!Manifests.namespace(policy).equals(subject.namespace())) {
        continue;
      }
      JsonNode spec = policy.path("spec");
      if (!PodTemplates.selects(spec.path("podSelector"), subject.labels())
          || !types(spec).contains(type)) {
        continue;
      }
      selected = true;
      String rulesKey = type.equals("Ingress") ? "ingress" : "egress";
      String peersKey = type.equals("Ingress") ? "from" : "to";
      for (JsonNode rule : spec.path(rulesKey)) {
        if (portMatches(rule.path("ports"), port)
            && peersMatch(rule.path(peersKey), other, Manifests.namespace(policy))) {
          return true;
        }
      }
    }
    return !selected;
  }

  private static Set<String> types(JsonNode spec) {
    Set<String> types = new TreeSet<>();
    spec.path("policyTypes").forEach(t -> types.add(t.asText()));
    if (types.isEmpty()) {
      types.add("Ingress");
      if (spec.has("egress")) {
        types.add("Egress");
      }
    }
    return types;
  }

  private static boolean portMatches(JsonNode ports, String port) {
    if (ports.isMissingNode() || ports.isEmpty()) {
      return true;
    }
    String protocol = port.substring(0, port.indexOf('/'));
    int number = Integer.parseInt(port.substring(port.indexOf('/') + 1));
    for (JsonNode p : ports) {
      if (!p.path("protocol").asText("TCP").equals(protocol)) {
        continue;
      }
      if (!p.has("port")) {
        return true;
      }
      JsonNode value = p.path("port");
      if (value.isNumber()) {
        int end = p.path("endPort").asInt(value.asInt());
        if (number >= value.asInt() && number <= end) {
          return true;
        }
      } else {
        throw new IllegalArgumentException(
            "named ports in NetworkPolicies are not used here: " + p);
      }
    }
    return false;
  }

  private static boolean peersMatch(JsonNode peers, Peer other, String policyNamespace) {
    if (peers.isMissingNode() || peers.isEmpty()) {
      return true;
    }
    for (JsonNode peer : peers) {
      if (peer.has("ipBlock")) {
        if (other.ip() != null && inCidr(other.ip(), peer.path("ipBlock"))) {
          return true;
        }
        continue;
      }
      if (other.ip() != null) {
        continue;
      }
      boolean namespaceOk =
          peer.has("namespaceSelector")
              ? PodTemplates.selects(
                  peer.path("namespaceSelector"),
                  Map.of("kubernetes.io/metadata.name", other.namespace()))
              : other.namespace().equals(policyNamespace);
      boolean podOk =
          !peer.has("podSelector")
              || PodTemplates.selects(peer.path("podSelector"), other.labels());
      if (namespaceOk && podOk) {
        return true;
      }
    }
    return false;
  }

  static boolean inCidr(String ip, JsonNode block) {
    if (!cidr(ip, block.path("cidr").asText())) {
      return false;
    }
    for (JsonNode except : block.path("except")) {
      if (cidr(ip, except.asText())) {
        return false;
      }
    }
    return true;
  }

  private static boolean cidr(String ip, String cidr) {
    String[] parts = cidr.split("/");
    int bits = Integer.parseInt(parts[1]);
    long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
    return (address(ip) & mask) == (address(parts[0]) & mask);
  }

  private static long address(String ip) {
    long value = 0;
    for (String octet : ip.split("\\.")) {
      value = (value << 8) | Integer.parseInt(octet);
    }
    return value;
  }
}
