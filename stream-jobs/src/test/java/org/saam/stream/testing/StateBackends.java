package org.saam.stream.testing;

import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;

/** The production state backend for operator harness tests. */
public final class StateBackends {
  private StateBackends() {}

  /**
   * RocksDB with incremental checkpoints, as k8s/ runs it. A harness's mock environment has only a
   * few MB of managed memory, which makes RocksDB flush its memtable at almost every write (about
   * 100 µs a write, measured); in a harness it takes RocksDB's own memory settings instead.
   */
  public static EmbeddedRocksDBStateBackend rocksDb() {
    EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend(true);
    backend.getMemoryConfiguration().setUseManagedMemory(false);
    return backend;
  }
}
