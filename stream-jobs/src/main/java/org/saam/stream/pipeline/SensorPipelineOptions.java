package org.saam.stream.pipeline;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.java.utils.ParameterTool;
import org.saam.stream.options.CoachingOptions;
import org.saam.stream.options.EventTimeOptions;
import org.saam.stream.options.JoinOptions;
import org.saam.stream.options.Option;
import org.saam.stream.options.OptionValues;
import org.saam.stream.options.SinkOptions;
import org.saam.stream.options.SourceOptions;
import org.saam.stream.options.ValidationOptions;

/**
 * Options of the {@code sensor-pipeline} job (and of the backfill), one immutable, validated record
 * per concern; each record holds its option keys, defaults and checks. Every option has a default
 * that fits the local stack, except the broker password; secrets can come from the environment. The
 * table in the stream-jobs README is {@link #markdownTable()}.
 *
 * @param source the broker, its queue and acknowledgements
 * @param sinks MongoDB and the sinks' batching
 * @param validation what is accepted
 * @param join how a reading finds its person
 * @param eventTime each home's clock and the watermark
 * @param coaching the coaching stage
 */
public record SensorPipelineOptions(
    SourceOptions source,
    SinkOptions sinks,
    ValidationOptions validation,
    JoinOptions join,
    EventTimeOptions eventTime,
    CoachingOptions coaching)
    implements Serializable {

  /** Every option of the job, in the order of the README's table. */
  public static final List<Option> ALL = all();

  private static List<Option> all() {
    List<Option> all = new ArrayList<>();
    all.addAll(SourceOptions.OPTIONS);
    all.addAll(SinkOptions.OPTIONS);
    all.addAll(ValidationOptions.OPTIONS);
    all.addAll(JoinOptions.OPTIONS);
    all.addAll(EventTimeOptions.OPTIONS);
    all.addAll(CoachingOptions.OPTIONS);
    return List.copyOf(all);
  }

  /**
   * Reads options from job arguments ({@code --key value}) over the environment and the defaults.
   *
   * @throws IllegalArgumentException naming the first bad option
   */
  public static SensorPipelineOptions fromArgs(String[] args, Map<String, String> environment) {
    return parse(ParameterTool.fromArgs(args).toMap(), environment);
  }

  /** Reads options from values by key (without {@code --}) over the environment and defaults. */
  public static SensorPipelineOptions parse(
      Map<String, String> values, Map<String, String> environment) {
    OptionValues read = new OptionValues(values, environment);
    return new SensorPipelineOptions(
        SourceOptions.from(read),
        SinkOptions.from(read),
        ValidationOptions.from(read),
        JoinOptions.from(read),
        EventTimeOptions.from(read),
        CoachingOptions.from(read));
  }

  /** Option values set one by one (tests, tools), read with an empty environment. */
  public static Builder builder() {
    return new Builder();
  }

  /** Collects option values by key; {@link #build} reads and checks them. */
  public static final class Builder {
    private final Map<String, String> values = new HashMap<>();

    /** Sets option {@code key} (a key constant of the option records) to {@code value}. */
    public Builder set(String key, Object value) {
      values.put(key, String.valueOf(value));
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the first option that is missing or out of range
     */
    public SensorPipelineOptions build() {
      return parse(values, Map.of());
    }
  }

  /** The options as a Markdown table: option, default, meaning. */
  public static String markdownTable() {
    StringBuilder table = new StringBuilder("| option | default | meaning |\n|---|---|---|\n");
    for (Option option : ALL) {
      table
          .append("| `--")
          .append(option.key())
          .append("` | ")
          .append(option.defaultText())
          .append(" | ")
          .append(option.meaning())
          .append(" |\n");
    }
    return table.toString();
  }
}
