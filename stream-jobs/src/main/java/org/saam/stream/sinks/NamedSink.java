package org.saam.stream.sinks;

/**
 * A sink that names its own operator; its uid is the name with hyphens for spaces. The name stays
 * the same from release to release, or a savepoint's state of the sink would be orphaned.
 */
public interface NamedSink {
  /** The operator's name, for example {@code send coaching events to kafka}. */
  String operatorName();
}
