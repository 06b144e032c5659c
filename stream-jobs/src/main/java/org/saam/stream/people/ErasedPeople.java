package org.saam.stream.people;

import java.io.Serializable;

/**
 * The people who were erased. Operators that keep state per person ask it before they use or emit
 * anything of a person, and drop the person's state when the answer is yes.
 */
public interface ErasedPeople extends AutoCloseable {

  /** Whether the person with this user id was erased (or is being erased). */
  boolean contains(String userId);

  @Override
  void close();

  /** Opens one in each parallel instance (it may hold connections). */
  interface Factory extends Serializable {
    ErasedPeople open() throws Exception;
  }

  /** Nobody is erased: for jobs and tests without a user service. */
  Factory NONE =
      () ->
          new ErasedPeople() {
            @Override
            public boolean contains(String userId) {
              return false;
            }

            @Override
            public void close() {}
          };
}
