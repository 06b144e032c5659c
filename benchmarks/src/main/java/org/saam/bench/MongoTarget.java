package org.saam.bench;

import picocli.CommandLine.Option;

/** The MongoDB a benchmark reads or writes (a picocli mixin). */
final class MongoTarget {
  @Option(
      names = "--mongo",
      defaultValue = "mongodb://127.0.0.1:27017",
      description = "the store (default: ${DEFAULT-VALUE})")
  String uri;

  @Option(names = "--database", defaultValue = "saam", description = "default: ${DEFAULT-VALUE}")
  String database;
}
