package org.saam.stream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.saam.stream.options.Option;
import org.saam.stream.options.SourceOptions;

/**
 * Whatever text an operator (or a script gone wrong) passes as any option, the job either starts
 * with it or refuses with an {@link IllegalArgumentException} that names that option: never another
 * exception, never a message that leaves the operator guessing.
 */
class SensorPipelineOptionsPropertiesTest {

  private static Gen<Map.Entry<String, String>> optionAndValue() {
    Gen<String> keys =
        Generate.pick(
            SensorPipelineOptions.ALL.stream()
                .map(Option::key)
                .filter(key -> !key.equals(SourceOptions.PASSWORD))
                .toList());
    List<Character> numberChars = new ArrayList<>();
    for (char c : "0123456789-+. eE".toCharArray()) {
      numberChars.add(c);
    }
    Gen<String> numberLike =
        lists()
            .of(Generate.pick(numberChars))
            .ofSizeBetween(0, 30)
            .map(chars -> chars.stream().map(c -> String.valueOf(c)).reduce("", String::concat));
    Gen<String> values =
        Generate.oneOf(
            strings().allPossible().ofLengthBetween(0, 300),
            numberLike,
            Generate.pick(List.of("", " ", "\u0000", "99999999999999999999", "-1", "true", "NaN")));
    return keys.zip(values, Map::entry);
  }

  @Test
  void anyValueOfAnyOptionStartsOrIsRefusedNamingTheOption() {
    qt().withExamples(2000)
        .forAll(optionAndValue())
        .checkAssert(SensorPipelineOptionsPropertiesTest::startsOrIsRefusedNamingIt);
  }

  private static void startsOrIsRefusedNamingIt(Map.Entry<String, String> option) {
    try {
      SensorPipelineOptions.parse(
          Map.of(option.getKey(), option.getValue(), SourceOptions.PASSWORD, "x"),
          Map.of("SAAM_PIPELINE_CLIENT_SECRET", "x"));
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).contains("--" + option.getKey());
    }
  }
}
