package org.saam.common.catalogue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The source and view catalogue (ARCHITECTURE.md, contract 2), loaded from YAML and validated as a
 * whole: a catalogue with a duplicate id, an inverted range or a view naming an unknown source is
 * refused with a message that names the entry.
 *
 * <p>Immutable and serializable, so a Flink job can ship it to its operators.
 */
public final class SourceCatalogue implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Class-path location of the catalogue shipped with the platform. */
  public static final String DEFAULT_RESOURCE = "/saam/catalogue.yaml";

  private final Map<String, SourceDefinition> sources;
  private final Map<String, ViewDefinition> views;

  private SourceCatalogue(
      Map<String, SourceDefinition> sources, Map<String, ViewDefinition> views) {
    this.sources = sources;
    this.views = views;
  }

  /** The catalogue shipped in this module. */
  public static SourceCatalogue loadDefault() {
    try (InputStream in = SourceCatalogue.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new CatalogueException("catalogue resource " + DEFAULT_RESOURCE + " is missing");
      }
      return load(in, DEFAULT_RESOURCE);
    } catch (IOException e) {
      throw new CatalogueException("cannot read " + DEFAULT_RESOURCE, e);
    }
  }

  /**
   * The catalogue file at {@code path}, or the built-in one when {@code path} is null: what the
   * services' and jobs' {@code catalogue} option means.
   */
  public static SourceCatalogue loadFileOrDefault(String path) throws IOException {
    if (path == null) {
      return loadDefault();
    }
    try (InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(path))) {
      return load(in, path);
    }
  }

  /**
   * Reads and validates a catalogue.
   *
   * @param origin where the YAML came from, used in error messages
   */
  public static SourceCatalogue load(InputStream yaml, String origin) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (IOException e) {
      throw new CatalogueException(origin + " is not valid YAML: " + e.getMessage(), e);
    }
    if (root == null || !root.path("sources").isArray() || !root.path("views").isArray()) {
      throw new CatalogueException(origin + " must have a 'sources' list and a 'views' list");
    }
    Map<String, SourceDefinition> sources = new LinkedHashMap<>();
    int position = 0;
    for (JsonNode node : root.get("sources")) {
      position++;
      SourceDefinition source = source(node, origin, position);
      if (sources.putIfAbsent(source.id(), source) != null) {
        throw new CatalogueException(origin + ": source '" + source.id() + "' is listed twice");
      }
    }
    Map<String, ViewDefinition> views = new LinkedHashMap<>();
    position = 0;
    for (JsonNode node : root.get("views")) {
      position++;
      ViewDefinition view = view(node, origin, position, sources);
      if (views.putIfAbsent(view.name(), view) != null) {
        throw new CatalogueException(origin + ": view '" + view.name() + "' is listed twice");
      }
    }
    return new SourceCatalogue(Map.copyOf(sources), Collections.unmodifiableMap(views));
  }

  /** The source with this id, if the catalogue has it. */
  public Optional<SourceDefinition> source(String sourceId) {
    return Optional.ofNullable(sources.get(sourceId));
  }

  /** Every source, in no particular order. */
  public Collection<SourceDefinition> sources() {
    return sources.values();
  }

  /** Every view, in catalogue order. */
  public Collection<ViewDefinition> views() {
    return views.values();
  }

  /** The view with this name, if the catalogue has it. */
  public Optional<ViewDefinition> view(String name) {
    return Optional.ofNullable(views.get(name));
  }

  private static SourceDefinition source(JsonNode node, String origin, int position) {
    String where = origin + ": source #" + position;
    String id = text(node, "id", where);
    where = origin + ": source '" + id + "'";
    SourceKind kind;
    try {
      kind = SourceKind.valueOf(text(node, "kind", where).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CatalogueException(where + ": 'kind' must be 'measurement' or 'feature'");
    }
    String group = text(node, kind == SourceKind.MEASUREMENT ? "device" : "domain", where);
    double min = number(node, "min", where);
    double max = number(node, "max", where);
    if (min > max) {
      throw new CatalogueException(where + ": 'min' " + min + " is above 'max' " + max);
    }
    int maxPerHour = SourceDefinition.DEFAULT_MAX_PER_HOUR;
    if (node.has("max_per_hour")) {
      JsonNode rate = node.get("max_per_hour");
      if (!rate.canConvertToInt()
          || !rate.isIntegralNumber()
          || rate.intValue() < 1
          || rate.intValue() > SourceDefinition.LIMIT_MAX_PER_HOUR) {
        throw new CatalogueException(
            where
                + ": 'max_per_hour' must be a whole number from 1 to "
                + SourceDefinition.LIMIT_MAX_PER_HOUR
                + " (it bounds the size of an hourly bucket), was "
                + rate);
      }
      maxPerHour = rate.intValue();
    }
    return new SourceDefinition(
        id,
        kind,
        group,
        text(node, "unit", where),
        min,
        max,
        text(node, "description", where),
        maxPerHour);
  }

  private static ViewDefinition view(
      JsonNode node, String origin, int position, Map<String, SourceDefinition> sources) {
    String name = text(node, "name", origin + ": view #" + position);
    String where = origin + ": view '" + name + "'";
    String kind = text(node, "kind", where);
    if (!kind.equals("device") && !kind.equals("domain")) {
      throw new CatalogueException(where + ": 'kind' must be 'device' or 'domain'");
    }
    if (!node.path("sources").isArray() || node.get("sources").isEmpty()) {
      throw new CatalogueException(where + ": 'sources' must be a non-empty list");
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode id : node.get("sources")) {
      if (!sources.containsKey(id.asText())) {
        throw new CatalogueException(
            where + " names source '" + id.asText() + "', which the catalogue does not define");
      }
      ids.add(id.asText());
    }
    return new ViewDefinition(name, kind, text(node, "description", where), ids);
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isValueNode() || value.asText().isBlank()) {
      throw new CatalogueException(where + ": '" + field + "' is missing");
    }
    return value.asText();
  }

  private static double number(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isNumber()) {
      throw new CatalogueException(where + ": '" + field + "' must be a number");
    }
    return value.doubleValue();
  }
}
