package org.saam.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StrictModelTest {
  private final StrictModel model = new StrictModel();

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void everyObjectParsesIntoItsModelWithNoUnknownField(String overlay) {
    List<String> problems = new ArrayList<>();
    List<HasMetadata> parsed = new ArrayList<>();
    for (ObjectNode doc : Manifests.render(overlay)) {
      try {
        parsed.add(model.parse(doc));
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    assertThat(problems).isEmpty();
    assertThat(parsed).hasSizeGreaterThan(80);
    FlinkDeployment pipeline =
        parsed.stream()
            .filter(
                o ->
                    o instanceof FlinkDeployment
                        && o.getMetadata().getName().equals("sensor-pipeline"))
            .map(FlinkDeployment.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(pipeline.getSpec().getJob().getUpgradeMode()).isEqualTo(UpgradeMode.SAVEPOINT);
  }

  @Test
  void aMisplacedFieldIsRefusedWithItsPath() {
    ObjectNode set = Manifests.find(Manifests.render("prod"), "StatefulSet", "mongodb");
    ((ObjectNode) set.path("spec").path("template").path("spec")).put("replicas", 3);
    assertThatThrownBy(() -> model.parse(set))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("StatefulSet/mongodb")
        .hasMessageContaining("replicas");
  }

  @Test
  void aMisspeltFlinkOptionBlockIsRefused() {
    ObjectNode flink =
        Manifests.find(Manifests.render("prod"), "FlinkDeployment", "sensor-pipeline");
    ObjectNode job = (ObjectNode) flink.path("spec").path("job");
    job.set("upgradeMod", job.remove("upgradeMode"));
    assertThatThrownBy(() -> model.parse(flink)).hasMessageContaining("upgradeMod");
  }

  @Test
  void aWrongTypeIsRefused() {
    ObjectNode set = Manifests.find(Manifests.render("prod"), "StatefulSet", "kafka");
    ((ObjectNode) set.path("spec")).put("replicas", "three");
    assertThatThrownBy(() -> model.parse(set)).hasMessageContaining("StatefulSet/kafka");
    assertThat(model.parse(Manifests.find(Manifests.render("prod"), "StatefulSet", "kafka")))
        .isInstanceOf(StatefulSet.class);
  }
}
