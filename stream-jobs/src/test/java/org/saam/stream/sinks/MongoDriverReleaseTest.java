package org.saam.stream.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.internal.connection.PowerOfTwoBufferPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.UserCodeClassLoader;
import org.junit.jupiter.api.Test;

class MongoDriverReleaseTest {
  private static List<Thread> pruners() {
    List<Thread> found = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith("BufferPoolPruner") && thread.isAlive()) {
        found.add(thread);
      }
    }
    return found;
  }

  @Test
  void theReleaseHookEndsTheDriversPruningThreadThatWouldKeepTheJobsClasses() throws Exception {
    assertThat(PowerOfTwoBufferPool.DEFAULT.getBuffer(1024)).isNotNull(); // the pool is in use
    assertThat(pruners()).as("the driver starts its pruning thread with the pool").isNotEmpty();

    List<Runnable> hooks = new ArrayList<>();
    UserCodeClassLoader loader =
        new UserCodeClassLoader() {
          @Override
          public ClassLoader asClassLoader() {
            return getClass().getClassLoader();
          }

          @Override
          public void registerReleaseHookIfAbsent(String name, Runnable hook) {
            assertThat(name).isEqualTo(MongoDriverRelease.HOOK);
            hooks.add(hook);
          }
        };
    MongoDriverRelease.registerOn(loader);
    assertThat(hooks).hasSize(1);
    assertThat(pruners()).as("registering changes nothing yet").isNotEmpty();

    hooks.get(0).run(); // Flink releases the job's class loader
    for (Thread pruner : pruners()) {
      pruner.join(Duration.ofSeconds(10).toMillis());
    }
    assertThat(pruners()).isEmpty();
    // The pool still hands out buffers without its pruner.
    assertThat(PowerOfTwoBufferPool.DEFAULT.getByteBuffer(2048).capacity()).isEqualTo(2048);
  }
}
