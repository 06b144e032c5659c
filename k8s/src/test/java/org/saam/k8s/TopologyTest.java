package org.saam.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fault-tolerant topology of prod, and a dev overlay that fits one small node: what each
 * overlay is for, read off the rendered objects.
 */
class TopologyTest {
  private static final Map<String, Integer> PROD_MEMBERS =
      Map.of(
          "rabbitmq",
          3,
          "mongodb",
          3,
          "redis",
          3,
          "elasticsearch",
          3,
          "kafka",
          3,
          "postgres-primary",
          1,
          "postgres-replica",
          1);

  @Test
  void prodSpreadsEveryStoreOneMemberPerWorkerOnReplicatedStorage() {
    List<ObjectNode> docs = Manifests.render("prod");
    List<ObjectNode> sets = Manifests.ofKind(docs, "StatefulSet");
    assertThat(sets)
        .extracting(Manifests::name)
        .containsExactlyInAnyOrderElementsOf(PROD_MEMBERS.keySet());
    for (ObjectNode set : sets) {
      String name = Manifests.name(set);
      assertThat(set.at("/spec/replicas").asInt()).as(name).isEqualTo(PROD_MEMBERS.get(name));
      JsonNode required =
          set.at(
              "/spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution");
      assertThat(required.size()).as(name + " required anti-affinity").isEqualTo(1);
      assertThat(required.at("/0/topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
      assertThat(
              PodTemplates.selects(
                  required.at("/0/labelSelector"),
                  PodTemplates.labels(set.at("/spec/template/metadata/labels"))))
          .as(name + " keeps away from its own members")
          .isTrue();
      assertThat(set.at("/spec/volumeClaimTemplates/0/spec/storageClassName").asText())
          .isEqualTo("ceph-rbd");
      String app = set.at("/spec/template/metadata/labels").path("app.kubernetes.io/name").asText();
      assertThat(Manifests.ofKind(docs, "PodDisruptionBudget"))
          .as(name + " has a disruption budget allowing one member down")
          .anySatisfy(
              pdb -> {
                assertThat(
                        pdb.at("/spec/selector/matchLabels")
                            .path("app.kubernetes.io/name")
                            .asText())
                    .isEqualTo(app);
                assertThat(pdb.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
              });
    }
    assertThat(
            Manifests.find(docs, "FlinkDeployment", "sensor-pipeline")
                .at("/spec/jobManager/replicas")
                .asInt())
        .as("a standby JobManager")
        .isEqualTo(2);
    assertThat(Manifests.find(docs, "Deployment", "keycloak").at("/spec/replicas").asInt())
        .isEqualTo(2);
    for (String api : List.of("user-service", "feature-views")) {
      assertThat(
              Manifests.find(docs, "HorizontalPodAutoscaler", api).at("/spec/minReplicas").asInt())
          .isEqualTo(2);
    }
  }

  @Test
  void onlyTheIngressAndTheMqttLoadBalancerFaceOutward() {
    List<ObjectNode> docs = Manifests.render("prod");
    assertThat(
            Manifests.ofKind(docs, "Service").stream()
                .filter(
                    s -> List.of("LoadBalancer", "NodePort").contains(s.at("/spec/type").asText())))
        .extracting(Manifests::name)
        .containsExactly("rabbitmq-mqtt");
    ObjectNode mqtt = Manifests.find(docs, "Service", "rabbitmq-mqtt");
    assertThat(mqtt.at("/spec/ports").size()).isEqualTo(1);
    assertThat(mqtt.at("/spec/ports/0/port").asInt()).isEqualTo(8883);
    String config =
        Manifests.find(docs, "ConfigMap", "rabbitmq-config").at("/data/rabbitmq.conf").asText();
    assertThat(config)
        .contains(
            "mqtt.listeners.tcp = none",
            "mqtt.listeners.ssl.default = 8883",
            "mqtt.allow_anonymous = false",
            "default_queue_type = quorum",
            "cluster_formation.peer_discovery_backend = kubernetes");
    ObjectNode ingress = Manifests.find(docs, "Ingress", "saam");
    assertThat(ingress.at("/spec/tls/0/secretName").asText()).isEqualTo("saam-web-tls");
    assertThat(ingress.at("/spec/tls/0/hosts").size()).isEqualTo(ingress.at("/spec/rules").size());
  }

  @Test
  void devRunsOneOfEverythingWithStoresToldTheyAreAlone() {
    List<ObjectNode> docs = Manifests.render("dev");
    for (String kind : List.of("StatefulSet", "Deployment")) {
      for (ObjectNode workload : Manifests.ofKind(docs, kind)) {
        assertThat(workload.at("/spec/replicas").asInt())
            .as(Manifests.id(workload))
            .isLessThanOrEqualTo(1);
      }
    }
    JsonNode kafka =
        Manifests.find(docs, "StatefulSet", "kafka").at("/spec/template/spec/containers/0/env");
    assertThat(kafka.toString())
        .contains("0@kafka-0.kafka-headless.saam.svc.cluster.local:9093\"")
        .doesNotContain("1@kafka-1");
    assertThat(Manifests.find(docs, "StatefulSet", "elasticsearch").toString())
        .contains("\"elasticsearch-0\"");
    assertThat(Manifests.find(docs, "Job", "mongodb-init").toString())
        .contains("\"MONGODB_MEMBERS\",\"value\":\"1\"");
    assertThat(Manifests.find(docs, "Job", "kafka-topics").toString())
        .contains("\"TOPIC_REPLICATION\",\"value\":\"1\"");
  }
}
