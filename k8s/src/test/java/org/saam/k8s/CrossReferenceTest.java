package org.saam.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CrossReferenceTest {
  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void everyReferencePointsAtSomethingThatExists(String overlay) {
    assertThat(
            new ManifestChecks(Manifests.render(overlay), Manifests.external()).crossReferences())
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void everyContainerIsPinnedBoundedProbedAndUnprivileged(String overlay) {
    assertThat(new ManifestChecks(Manifests.render(overlay), Manifests.external()).hygiene())
        .isEmpty();
  }
}
