package org.saam.stream.people;

import java.io.Serializable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.saam.common.records.Assignment;

/** Where the pipeline finds who lives at a location, and hears when that changes. */
public interface AssignmentDirectory extends AutoCloseable {

  /** Every assignment of the location (empty when the location is unknown). */
  CompletableFuture<List<Assignment>> load(String locationId);

  /** Calls {@code listener} with a location id whenever its assignments change. */
  void onChange(Consumer<String> listener);

  /** Creates a directory in each parallel instance (directories hold connections). */
  interface Factory extends Serializable {
    AssignmentDirectory open() throws Exception;

    /** Who was erased, from the same source (nobody, unless the directory knows). */
    default ErasedPeople.Factory erasedPeople() {
      return ErasedPeople.NONE;
    }
  }
}
