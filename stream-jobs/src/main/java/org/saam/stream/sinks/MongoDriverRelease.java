package org.saam.stream.sinks;

import com.mongodb.internal.connection.PowerOfTwoBufferPool;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.util.UserCodeClassLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a finished job's classes leave the TaskManager.
 *
 * <p>The MongoDB driver keeps one static buffer pool whose pruning thread ({@code
 * BufferPoolPruner-...}) never ends. In a Flink job the driver comes from the job's own class
 * loader, so that thread (its context class loader and its thread factory's class) keeps every
 * finished job's classes in the TaskManager's metaspace: measured on the local cluster, about 5,500
 * classes and 40 MB per submission, until the TaskManager died of {@code OutOfMemoryError:
 * Metaspace} after a handful of submissions, upgrades and resumes. When Flink releases the job's
 * class loader, this hook stops the pool's pruning (the pool itself keeps working without it), and
 * the class loader can be collected.
 *
 * <p>The pool's switch is not public API of the driver: if a driver upgrade removes it, the hook
 * says so in the log once per job and the leak is back (the TaskManager restarts from metaspace
 * exhaustion, which the {@code saam_*} restart alert shows).
 */
public final class MongoDriverRelease {
  private static final Logger LOG = LoggerFactory.getLogger(MongoDriverRelease.class);

  /** The hook's name: registered once per job and TaskManager, whoever asks first. */
  static final String HOOK = "saam-mongodb-buffer-pool-pruner";

  private MongoDriverRelease() {}

  /** Registers the hook on the job's class loader (once; later calls change nothing). */
  public static void registerOn(UserCodeClassLoader loader) {
    loader.registerReleaseHookIfAbsent(HOOK, MongoDriverRelease::stopPruning);
  }

  /** The same, for a function that has a runtime context. */
  public static void registerOn(RuntimeContext context) {
    context.registerUserCodeClassLoaderReleaseHookIfAbsent(HOOK, MongoDriverRelease::stopPruning);
  }

  /** Stops the driver's buffer-pool pruning thread; false (and a warning) when it cannot. */
  static boolean stopPruning() {
    try {
      Method disable = PowerOfTwoBufferPool.class.getDeclaredMethod("disablePruning");
      disable.setAccessible(true);
      disable.invoke(PowerOfTwoBufferPool.DEFAULT);
      return true;
    } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
      LOG.warn(
          "cannot stop the MongoDB driver's buffer-pool pruning thread ({}); this job's classes"
              + " stay in the TaskManager's metaspace until it restarts",
          e.toString());
      return false;
    }
  }
}
