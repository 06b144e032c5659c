package org.saam.stream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.saam.stream.options.Option;
import org.saam.stream.options.SourceOptions;

/**
 * Whatever text an operator (or a script gone wrong) passes as any option, the job either starts
 * with it or refuses with an {@link IllegalArgumentException} that names that option: never another
 * exception, never a message that leaves the operator guessing.
 */
class SensorPipelineOptionsPropertiesTest {

  @Provide
  Arbitrary<Map.Entry<String, String>> optionAndValue() {
    Arbitrary<String> keys =
        Arbitraries.of(SensorPipelineOptions.ALL.stream().map(Option::key).toList())
            .filter(key -> !key.equals(SourceOptions.PASSWORD));
    Arbitrary<String> values =
        Arbitraries.oneOf(
            Arbitraries.strings().all().ofMaxLength(300),
            Arbitraries.strings().withChars("0123456789-+. eE").ofMaxLength(30),
            Arbitraries.of("", " ", "\u0000", "99999999999999999999", "-1", "true", "NaN"));
    return Combinators.combine(keys, values).as(Map::entry);
  }

  @Property(tries = 2000)
  void anyValueOfAnyOptionStartsOrIsRefusedNamingTheOption(
      @ForAll("optionAndValue") Map.Entry<String, String> option) {
    try {
      SensorPipelineOptions.parse(
          Map.of(option.getKey(), option.getValue(), SourceOptions.PASSWORD, "x"),
          Map.of("SAAM_PIPELINE_CLIENT_SECRET", "x"));
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).contains("--" + option.getKey());
    }
  }
}
