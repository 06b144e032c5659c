package org.saam.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time and resident memory of the stack's processes, read from {@code /proc} (Linux): CPU as
 * the cores used on average between {@link #start} and {@link #stop}, memory as the largest
 * resident set seen by {@link #sample}. A process that is gone reads as not measured.
 */
public final class ProcessSampler {
  /** Clock ticks per second of {@code /proc/<pid>/stat}'s times (USER_HZ, 100 on Linux). */
  private static final double TICKS_PER_SECOND = 100.0;

  /** One component's figures. */
  public record Usage(long pid, double cpuCores, double maxRssMb) {}

  private final Map<String, Long> pids;
  private final Map<String, Long> ticksAtStart = new LinkedHashMap<>();
  private final Map<String, Long> maxRssKb = new LinkedHashMap<>();
  private long startNanos;
  private final Map<String, Usage> result = new LinkedHashMap<>();

  /**
   * @param pids component name to process id
   */
  public ProcessSampler(Map<String, Long> pids) {
    this.pids = Map.copyOf(pids);
  }

  public void start() {
    startNanos = System.nanoTime();
    pids.forEach((name, pid) -> ticksAtStart.put(name, ticks(pid)));
    sample();
  }

  /** Records the resident memory of every process now. */
  public void sample() {
    pids.forEach(
        (name, pid) -> {
          long rss = rssKb(pid);
          if (rss >= 0) {
            maxRssKb.merge(name, rss, Math::max);
          }
        });
  }

  /** The figures since {@link #start}, by component. */
  public Map<String, Usage> stop() {
    sample();
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    pids.forEach(
        (name, pid) -> {
          long before = ticksAtStart.getOrDefault(name, -1L);
          long after = ticks(pid);
          double cores =
              before < 0 || after < 0 ? Double.NaN : (after - before) / TICKS_PER_SECOND / seconds;
          long rss = maxRssKb.getOrDefault(name, -1L);
          result.put(name, new Usage(pid, cores, rss < 0 ? Double.NaN : rss / 1024.0));
        });
    return result;
  }

  /** utime + stime of the process and its waited-for children, or -1. */
  static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) is in parentheses and may hold spaces: count after it.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14 to 17.
      return Long.parseLong(fields[11])
          + Long.parseLong(fields[12])
          + Long.parseLong(fields[13])
          + Long.parseLong(fields[14]);
    } catch (IOException | NumberFormatException | IndexOutOfBoundsException e) {
      return -1;
    }
  }

  /** VmRSS in KiB, or -1. */
  static long rssKb(long pid) {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
      for (String line : lines) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      return -1;
    } catch (IOException | NumberFormatException | IndexOutOfBoundsException e) {
      return -1;
    }
  }
}
