package org.saam.stream.coaching;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.saam.common.catalogue.SourceCatalogue;
import org.saam.common.catalogue.SourceKind;

/**
 * The coaching rules file, read and validated as a whole at start: a rule naming a feature the
 * catalogue does not have, a bad operator, duration or time is refused with a message that names
 * the rule and the field, before the job runs.
 *
 * @param rules the rules, in file order
 * @param quietFrom start of the quiet hours, local time of the person
 * @param quietTo end of the quiet hours
 */
public record CoachingRules(List<CoachingRule> rules, LocalTime quietFrom, LocalTime quietTo)
    implements Serializable {

  /** Class-path location of the rules shipped with the platform. */
  public static final String DEFAULT_RESOURCE = "/saam/coaching-rules.yaml";

  private static final Set<String> SEVERITIES = Set.of("info", "warning", "alert");

  public CoachingRules {
    rules = List.copyOf(rules);
  }

  /** The shipped rules, checked against the shipped catalogue. */
  public static CoachingRules loadDefault() {
    try (InputStream in = CoachingRules.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      return load(in, DEFAULT_RESOURCE, SourceCatalogue.loadDefault());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + DEFAULT_RESOURCE, e);
    }
  }

  public static CoachingRules load(InputStream yaml, String origin, SourceCatalogue catalogue) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (IOException e) {
      throw new IllegalArgumentException(origin + " is not valid YAML: " + e.getMessage(), e);
    }
    if (root == null || !root.path("rules").isArray() || root.get("rules").isEmpty()) {
      throw new IllegalArgumentException(origin + " must have a non-empty 'rules' list");
    }
    List<CoachingRule> rules = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (JsonNode node : root.get("rules")) {
      CoachingRule rule = rule(node, origin, catalogue);
      if (!ids.add(rule.id())) {
        throw new IllegalArgumentException(origin + ": rule '" + rule.id() + "' is defined twice");
      }
      rules.add(rule);
    }
    JsonNode quiet = root.path("quiet_hours");
    return new CoachingRules(
        rules, time(quiet, "from", "21:00", origin), time(quiet, "to", "08:00", origin));
  }

  private static CoachingRule rule(JsonNode node, String origin, SourceCatalogue catalogue) {
    String id = node.path("id").asText("");
    String where = origin + ": rule '" + id + "'";
    if (id.isBlank()) {
      throw new IllegalArgumentException(origin + ": every rule needs an 'id'");
    }
    String feature = node.path("feature").asText("");
    boolean known =
        catalogue.source(feature).filter(s -> s.kind() == SourceKind.FEATURE).isPresent();
    if (!known) {
      throw new IllegalArgumentException(
          where + ": feature '" + feature + "' is not a feature source of the catalogue");
    }
    JsonNode condition = node.path("condition");
    String type = condition.path("type").asText("");
    if (!type.equals("threshold") && !type.equals("baseline")) {
      throw new IllegalArgumentException(
          where + ": condition.type must be 'threshold' or 'baseline'");
    }
    String op = condition.path("op").asText("");
    if (!op.equals("below") && !op.equals("above")) {
      throw new IllegalArgumentException(where + ": condition.op must be 'below' or 'above'");
    }
    String limitField = type.equals("baseline") ? "ratio" : "value";
    if (!condition.path(limitField).isNumber()) {
      throw new IllegalArgumentException(where + ": condition." + limitField + " must be a number");
    }
    int consecutive = node.path("consecutive").asInt(0);
    if (consecutive < 1 || consecutive > CoachingRule.BASELINE_WINDOWS) {
      throw new IllegalArgumentException(
          where + ": consecutive must be between 1 and " + CoachingRule.BASELINE_WINDOWS);
    }
    double coverage = node.path("min_coverage").asDouble(-1);
    if (coverage < 0 || coverage > 1) {
      throw new IllegalArgumentException(where + ": min_coverage must be between 0 and 1");
    }
    String cooldownText = node.path("cooldown").asText("");
    Duration cooldown;
    try {
      cooldown = Duration.parse(cooldownText); // P7D is 168 hours
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          where + ": cooldown '" + cooldownText + "' must be an ISO-8601 duration such as P7D");
    }
    String severity = node.path("severity").asText("");
    if (!SEVERITIES.contains(severity)) {
      throw new IllegalArgumentException(where + ": severity must be one of " + SEVERITIES);
    }
    String messageKey = node.path("message_key").asText("");
    if (messageKey.isBlank()) {
      throw new IllegalArgumentException(where + ": message_key is required");
    }
    return new CoachingRule(
        id,
        feature,
        type.equals("baseline"),
        op.equals("below"),
        condition.get(limitField).asDouble(),
        consecutive,
        coverage,
        cooldown,
        severity,
        messageKey);
  }

  private static LocalTime time(JsonNode node, String field, String fallback, String origin) {
    String value = node.path(field).asText(fallback);
    try {
      return LocalTime.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          origin + ": quiet_hours." + field + " '" + value + "' is not HH:MM");
    }
  }
}
