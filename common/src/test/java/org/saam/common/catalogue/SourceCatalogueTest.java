package org.saam.common.catalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SourceCatalogueTest {

  private static SourceCatalogue parse(String yaml) {
    return SourceCatalogue.load(
        new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
  }

  @Test
  void shippedCatalogueHasTwelveDeviceViewsAndSevenDomainViews() {
    SourceCatalogue catalogue = SourceCatalogue.loadDefault();

    assertThat(catalogue.views()).filteredOn(v -> v.kind().equals("device")).hasSize(12);
    assertThat(catalogue.views())
        .filteredOn(v -> v.kind().equals("domain"))
        .extracting(ViewDefinition::name)
        .containsExactly(
            "mobility", "activity", "sleep", "social", "cardiovascular", "cognitive", "nutrition");
  }

  @Test
  void everyMeasurementSourceBelongsToTheDeviceViewNamedByItsDevice() {
    SourceCatalogue catalogue = SourceCatalogue.loadDefault();

    for (SourceDefinition source : catalogue.sources()) {
      if (source.kind() == SourceKind.MEASUREMENT) {
        assertThat(catalogue.view(source.group()))
            .as("device view of %s", source.id())
            .hasValueSatisfying(view -> assertThat(view.sources()).contains(source.id()));
      }
    }
  }

  @Test
  void knowsRangesOfTheContract() {
    SourceDefinition rr = SourceCatalogue.loadDefault().source("ecg.rr_interval").orElseThrow();

    assertThat(rr.group()).isEqualTo("savvy_ecg");
    assertThat(rr.accepts(250)).isTrue();
    assertThat(rr.accepts(2500)).isTrue();
    assertThat(rr.accepts(249.9)).isFalse();
  }

  @Test
  void refusesViewNamingAnUnknownSource() {
    String yaml =
        """
        sources:
          - {id: a.x, kind: measurement, device: a, unit: u, min: 0, max: 1, description: d}
        views:
          - {name: a, kind: device, description: d, sources: [a.x, a.y]}
        """;

    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(CatalogueException.class)
        .hasMessage("test.yaml: view 'a' names source 'a.y', which the catalogue does not define");
  }

  @Test
  void refusesDuplicateSourceAndInvertedRange() {
    String duplicate =
        """
        sources:
          - {id: a.x, kind: measurement, device: a, unit: u, min: 0, max: 1, description: d}
          - {id: a.x, kind: measurement, device: a, unit: u, min: 0, max: 1, description: d}
        views: []
        """;
    String inverted =
        """
        sources:
          - {id: a.x, kind: measurement, device: a, unit: u, min: 5, max: 1, description: d}
        views: []
        """;

    assertThatThrownBy(() -> parse(duplicate)).hasMessageContaining("'a.x' is listed twice");
    assertThatThrownBy(() -> parse(inverted)).hasMessageContaining("'min' 5.0 is above 'max' 1.0");
  }

  @Test
  void everySourceHasAMaximumRateThatKeepsItsHourlyBucketBounded() {
    SourceCatalogue catalogue = SourceCatalogue.loadDefault();

    assertThat(catalogue.source("bed.presence").orElseThrow().maxPerHour()).isEqualTo(600);
    assertThat(catalogue.source("ambient.door").orElseThrow().maxPerHour())
        .isEqualTo(SourceDefinition.DEFAULT_MAX_PER_HOUR);
    assertThat(catalogue.source("ecg.rr_interval").orElseThrow().maxPerHour()).isEqualTo(14_400);
    // A sample is at most about 30 bytes of BSON ("samples.<13 digits>" and a double).
    assertThat(catalogue.sources())
        .allSatisfy(
            source -> assertThat(source.maxPerHour() * 30L).isLessThan(16L * 1024 * 1024 / 2));
  }

  @Test
  void refusesAMaximumRateThatCouldOutgrowADocument() {
    String yaml =
        """
        sources:
          - {id: a.x, kind: measurement, device: a, unit: u, min: 0, max: 1, max_per_hour: 3600000, description: d}
        views:
          - {name: a, kind: device, description: d, sources: [a.x]}
        """;

    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(CatalogueException.class)
        .hasMessageContaining("source 'a.x'")
        .hasMessageContaining("'max_per_hour' must be a whole number from 1 to 200000");
  }
}
